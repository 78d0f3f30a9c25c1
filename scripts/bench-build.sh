#!/usr/bin/env bash
# Build-time figures for two Django apps, in one run on one builder
# ($WARPDRIVE_BUILDER):
#
#   sample       a copy of samples/mydjangosite (warpdrive supplies STATIC_ROOT, in its
#                static layer; mod_wsgi)
#   heroku       the same app in Heroku's layout: STATIC_ROOT = BASE_DIR / "staticfiles"
#                inside the app, WhiteNoise's middleware and CompressedManifestStaticFilesStorage,
#                gunicorn and whitenoise required, a Procfile `web: gunicorn mydjangosite.wsgi`
#
# each for five scenarios:
#
#   cold         caches, cache volumes and the image removed (Dockerfile: --no-cache)
#   unchanged    a rebuild with nothing changed
#   code         app code changed, static files unchanged (a comment in mydjangosite/urls.py)
#   static       a static file changed (the copy gets STATICFILES_DIRS = [BASE_DIR / "static"]
#                and static/bench/bench.css before the first build; a line is added to it)
#   requirement  one requirement added ($BENCH_REQUIREMENT; the heroku app, which has
#                whitenoise, $BENCH_REQUIREMENT_HEROKU); every rep starts from a build
#                without it (an untimed rebuild first, when the last build had it)
#
# each built, in turn, by:
#
#   warpdrive    pack build with the builder, as scripts/pack-build.sh does
#   floor        pack build on a builder made of warpdrive's (same build image, lifecycle
#                and run image) with, as its only buildpack, a generated bash buildpack
#                (templates in scripts/bench/floor/) contributing launch layers with the
#                files of warpdrive's (their tars, from warpdrive's cold image with docker
#                save, mounted with pack --volume), unpacked on its first build and reused
#                by metadata alone after: the lifecycle's own cost for these layers, the
#                denominator of the ratios. The same files, not random bytes of the same
#                size: for a daemon the exporter gzips each reused layer (imgutil reads
#                its compressed size), and random bytes deflate about 3x faster.
#   Dockerfile   docker build of scripts/bench/Dockerfile (a template the script fills in):
#                the same work by hand (same build and run images, same CPython archive,
#                venv, pip from the same index, mod_wsgi, collectstatic), with BuildKit when
#                the buildx component is installed, else the legacy builder (the output
#                says which); by default only for cold, unchanged and code (see below);
#                for the sample app only (it is the sample's work: mod_wsgi, no STATIC_ROOT)
#
# Each app has its own floor, made of its own warpdrive image's layers.
#
# Every rep measures the same transition from the last built state: each change
# writes a new comment or line, so no rep can hit a cache an earlier rep filled.
# The times are of `pack build` and `docker build` alone (setup runs once, first).
# Prints, on stdout: warpdrive's medians with the layers reused and rebuilt (from
# the log of the median run), the floor's layer sizes, the image sizes, and a
# summary table per scenario: warpdrive s, floor s, warpdrive/floor, Dockerfile s.
# Progress goes to stderr.
#
#   scripts/bench-build.sh
#   REPS=1 SCENARIOS="cold unchanged" DOCKERFILE=0 scripts/bench-build.sh
#
# Knobs (environment):
#   REPS=3               runs per scenario; medians are printed
#   APPS="sample heroku" the apps measured, one after the other
#   SCENARIOS="cold unchanged code static requirement"
#                        the scenarios measured (always run in this order; without cold,
#                        one untimed first build is made)
#   FLOOR=1              0: no floor buildpack
#   DOCKERFILE=1         0: no Dockerfile
#   DOCKERFILE_SCENARIOS="cold unchanged code"
#                        the scenarios the Dockerfile is timed for ("static requirement" may
#                        be added: about 2 more minutes a rep); a scenario between two of
#                        them builds it untimed, so its cache follows the app; after the
#                        last one it is not built
#   BENCH_REQUIREMENT=whitenoise
#                        the package added by "requirement" (must be in the local index)
#   BENCH_REQUIREMENT_HEROKU=waitress
#                        the same for the heroku app
#   VERIFY=0             1: at the end, run the Dockerfile's and warpdrive's images and
#                        fetch /admin/login/ and a static file from each
#   PHASES=0             1: pack --verbose, and a table of the lifecycle's own timers
#                        (analyzer, detector, restorer, builder, exporter, cache) per
#                        scenario, medians, for warpdrive and the floor: where a gap is
#   LOGS=DIR             copy every build's log to DIR (TOOL-SCENARIO-repN.log)
#   KEEP=0               1: keep the images (warpdrive-bench/APP, warpdrive-bench/floor-APP,
#                        warpdrive-bench/dockerfile) for a look afterwards
#
# Everything it creates is named warpdrive-bench* (images, cache volumes) or
# labelled dev.warpdrive.bench=dockerfile (the Dockerfile's images: with the
# legacy builder, its layer cache), and removed at the end.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
need_docker

ALL_SCENARIOS="cold unchanged code static requirement"
reps="${REPS:-3}"
scenarios="${SCENARIOS:-$ALL_SCENARIOS}"
floor_on="${FLOOR:-1}"
phases_on="${PHASES:-0}"
df_on="${DOCKERFILE:-1}"
df_scenarios="${DOCKERFILE_SCENARIOS:-cold unchanged code}"
apps="${APPS:-sample heroku}"
declare -A REQUIREMENT=([sample]="${BENCH_REQUIREMENT:-whitenoise}" [heroku]="${BENCH_REQUIREMENT_HEROKU:-waitress}")
[[ $reps =~ ^[1-9][0-9]*$ ]] || die "REPS must be a positive whole number (it is '$reps')."
for s in $scenarios $df_scenarios; do
  [[ " $ALL_SCENARIOS " == *" $s "* ]] || die "unknown scenario '$s'." "Scenarios: $ALL_SCENARIOS"
done
for a in $apps; do
  [[ -n ${REQUIREMENT[$a]:-} ]] || die "unknown app '$a'." "Apps: sample heroku"
done
selected() { [[ " $scenarios " == *" $1 "* ]]; }

declare -A TITLE=(
  [cold]="cold (caches and image removed)"
  [unchanged]="unchanged rebuild"
  [code]="app code changed (static unchanged)"
  [static]="static file changed"
  [requirement]="requirement added"
)
title() { # app scenario
  if [[ $2 == requirement ]]; then echo "$1: ${TITLE[$2]} (${REQUIREMENT[$1]})"; else echo "$1: ${TITLE[$2]}"; fi
}

script_start=$(date +%s)
load_start="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
"$WARPDRIVE_ROOT/scripts/setup.sh" >&2
pack="$("$WARPDRIVE_ROOT/scripts/harness/tools.sh")/pack"
manifest="$WARPDRIVE_CACHE/www/python/manifest.tsv"
dockerfile="$WARPDRIVE_ROOT/scripts/bench/Dockerfile"
[[ -f $dockerfile && -x $WARPDRIVE_ROOT/scripts/bench/floor/bin/build ]] \
  || die "scripts/bench/ is incomplete (the Dockerfile and the floor buildpack's templates)."
for a in $apps; do
  curl -fsS -o /dev/null "$WARPDRIVE_INDEX_URL/simple/${REQUIREMENT[$a]}/" 2>/dev/null \
    || die "the local index has no '${REQUIREMENT[$a]}' ($WARPDRIVE_INDEX_URL/simple/${REQUIREMENT[$a]}/)." \
      "Set BENCH_REQUIREMENT (BENCH_REQUIREMENT_HEROKU for the heroku app) to a package it has."
done

if docker buildx version >/dev/null 2>&1; then
  export DOCKER_BUILDKIT=1 docker_builder="BuildKit"
else
  export DOCKER_BUILDKIT=0 docker_builder="the legacy builder (no buildx component for BuildKit)"
fi

work="$(mktemp -d)"
logs="$work/logs"
mkdir -p "$logs"
df_image="warpdrive-bench/dockerfile"
verify_container="warpdrive-bench-verify-$$"

# use_app NAME: the current app's directories, images and caches (the
# functions below work on the current app).
use_app() {
  name=$1
  app="$work/$name/mydjangosite"
  pristine="$work/$name/pristine"
  floor_dir="$work/$name/floor"
  floor_content="$work/$name/floor-content" # warpdrive's launch layers' tars, mounted into the floor's builds
  wd_image="warpdrive-bench/$name" wd_cache="warpdrive-bench-cache-$name"
  floor_image="warpdrive-bench/floor-$name" floor_cache="warpdrive-bench-floor-cache-$name" floor_builder="warpdrive-bench/floor-builder-$name"
  requirement=${REQUIREMENT[$name]}
}

cleanup() {
  docker rm -f "$verify_container" >/dev/null 2>&1 || true
  local keep=() a
  for a in $apps; do
    use_app "$a"
    if [[ ${KEEP:-0} == 1 ]]; then
      for i in "$wd_image" "$floor_image" "$df_image"; do
        keep+=("$(docker image inspect --format '{{.Id}}' "$i" 2>/dev/null || true)")
      done
    else
      docker rmi -f "$wd_image" "$floor_image" "$df_image" >/dev/null 2>&1 || true
    fi
    docker rmi -f "$floor_builder" >/dev/null 2>&1 || true
    docker volume rm -f "$wd_cache.build" "$wd_cache.launch" "$floor_cache.build" "$floor_cache.launch" >/dev/null 2>&1 || true
  done
  # Earlier images of ours, left untagged by each rebuild.
  local id
  for id in $(sort -u "$work/ids" 2>/dev/null) $(docker images -q --no-trunc --filter label=dev.warpdrive.bench=dockerfile 2>/dev/null); do
    [[ " ${keep[*]} " == *" $id "* ]] || docker rmi -f "$id" >/dev/null 2>&1 || true
  done
  [[ -z ${LOGS:-} ]] || { mkdir -p "$LOGS" && cp "$logs"/*.log "$LOGS"/ 2>/dev/null; } || true
  rm -rf "$work"
}
trap cleanup EXIT

# The apps, each with a static directory of its own for the "static" scenario.
make_app() { # the current app, from the sample
  mkdir -p "$work/$name"
  cp -r "$WARPDRIVE_ROOT/samples/mydjangosite" "$app"
  local settings="$app/mydjangosite/settings.py"
  grep -q '^STATICFILES_DIRS' "$settings" && die "the sample's settings already set STATICFILES_DIRS: adapt the static scenario."
  printf '\n# Added by scripts/bench-build.sh: a static directory, for its "static file changed" scenario.\nSTATICFILES_DIRS = [BASE_DIR / "static"]\n' >> "$settings"
  mkdir -p "$app/static/bench"
  printf 'body { margin: 0; }\n' > "$app/static/bench/bench.css"
  [[ $name == heroku ]] && make_heroku_layout
  grep -qi "^$requirement\b" "$app/requirements.txt" && die "the $name app already requires $requirement." "Set BENCH_REQUIREMENT (BENCH_REQUIREMENT_HEROKU) to another package."
  cp -r "$app" "$pristine"
}
# make_heroku_layout: Heroku's getting-started layout (their Django guide,
# WhiteNoise's documented setup): STATIC_ROOT inside the app, WhiteNoise's
# middleware after SecurityMiddleware and its compressed manifest storage,
# gunicorn run by a Procfile.
make_heroku_layout() {
  local settings="$app/mydjangosite/settings.py"
  grep -q "'django.middleware.security.SecurityMiddleware'," "$settings" \
    || die "the sample's settings have no SecurityMiddleware line to put WhiteNoise's after."
  sed -i "s/^\( *\)'django.middleware.security.SecurityMiddleware',/&\n\1'whitenoise.middleware.WhiteNoiseMiddleware',/" "$settings"
  cat >> "$settings" <<'PY'
# Added by scripts/bench-build.sh: Heroku's layout.
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
PY
  printf 'gunicorn\nwhitenoise\n' >> "$app/requirements.txt"
  printf 'web: gunicorn mydjangosite.wsgi\n' > "$app/Procfile"
}

# --- The three builds -----------------------------------------------------------

pack_flags=(--pull-policy never --trust-builder --network host
  --env "PIP_INDEX_URL=$WARPDRIVE_INDEX_URL/simple/")
[[ $phases_on == 1 ]] && pack_flags+=(--verbose --timestamps)
build_warpdrive() {
  "$pack" build "$wd_image" --builder "$WARPDRIVE_BUILDER" --path "$app" "${pack_flags[@]}" \
    --cache "type=build;format=volume;name=$wd_cache.build" --cache "type=launch;format=volume;name=$wd_cache.launch"
}
build_floor() {
  "$pack" build "$floor_image" --builder "$floor_builder" --path "$app" "${pack_flags[@]}" \
    --volume "$floor_content:/floor-content:ro" \
    --cache "type=build;format=volume;name=$floor_cache.build" --cache "type=launch;format=volume;name=$floor_cache.launch"
}
build_dockerfile() { # [docker build flags]
  docker build --pull=false --network host -f "$work/Dockerfile" -t "$df_image" "$@" "$app"
}

reset() { # tool: the cold state
  case $1 in
    warpdrive) docker rmi -f "$wd_image" >/dev/null 2>&1 || true
               docker volume rm -f "$wd_cache.build" "$wd_cache.launch" >/dev/null 2>&1 || true ;;
    floor) docker rmi -f "$floor_image" >/dev/null 2>&1 || true
           docker volume rm -f "$floor_cache.build" "$floor_cache.launch" >/dev/null 2>&1 || true ;;
  esac
}

# The last scenario the Dockerfile is timed for: after it, it is not built.
# It does the sample's work, so only the sample app has it.
[[ " $apps " == *" sample "* ]] || df_on=0
df_last=""
for s in $ALL_SCENARIOS; do
  [[ " $scenarios " == *" $s "* && " $df_scenarios " == *" $s "* ]] && df_last=$s
done
[[ -n $df_last ]] || df_on=0
df_done=0 # the scenario loop has passed df_last
tools() { # the tools in play, in build order
  echo warpdrive
  [[ $floor_on == 1 ]] && echo floor
  [[ $df_on == 1 && $df_done == 0 && $name == sample ]] && echo dockerfile
  return 0
}

declare -A TIMES=() LAYERS=() PHASE_TIMES=()
# The lifecycle's timers, as --verbose logs them ("Timer: Restorer ran for
# 141.2ms and ended at ..."), in the order they run.
PHASE_NAMES="Analyzer Detector Restorer Builder Exporter Cache"
retries=0
# record_phases KEY LOG: the lifecycle's timers in LOG, in seconds, added to PHASE_TIMES[KEY.PHASE].
record_phases() {
  local key=$1 log=$2 phase secs
  while read -r phase secs; do
    PHASE_TIMES[$key.$phase]+="$secs "
  done < <(sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '
    function seconds(d) { # a Go duration: 1.5s, 141.2ms, 900µs, 1m2.5s
      if (d ~ /ms$/) return d / 1000
      if (d ~ /µs$/ || d ~ /us$/) return d / 1e6
      if (d ~ /m[0-9.]+s$/) { split(d, p, "m"); return p[1] * 60 + p[2] }
      return d + 0
    }
    match($0, /Timer: [A-Za-z]+ ran for [^ ]+/) {
      n = split(substr($0, RSTART, RLENGTH), f, " ")
      printf "%s %.3f\n", f[2], seconds(f[5])
    }')
}

# build TOOL SCENARIO LABEL TIMED: one build, its log in $logs; a timed one adds to TIMES.
build() {
  local tool=$1 scenario=$2 label=$3 timed=$4 log t0 t1 secs flags=()
  log="$logs/$name-$tool-$scenario-$label.log"
  [[ $scenario == cold ]] && { reset "$tool"; flags=(--no-cache); }
  [[ $tool == dockerfile ]] || flags=()
  t0=$(date +%s.%N)
  if ! "build_$tool" "${flags[@]+"${flags[@]}"}" >"$log" 2>&1; then
    # A shared Docker engine under load sometimes drops a connection (EOF):
    # one more try, timed on its own, before giving up.
    tail -n 5 "$log" | sed 's/^/    | /' >&2
    info "$tool: the $scenario build ($label) failed (the end of its log is above): trying it once more"
    retries=$((retries + 1))
    t0=$(date +%s.%N)
    "build_$tool" "${flags[@]+"${flags[@]}"}" >"$log" 2>&1 || {
      tail -n 40 "$log" >&2
      die "the $tool build ($scenario, $label) failed twice: the end of its log is above."
    }
  fi
  t1=$(date +%s.%N)
  case $tool in
    warpdrive) docker image inspect --format '{{.Id}}' "$wd_image" >> "$work/ids" ;;
    floor) docker image inspect --format '{{.Id}}' "$floor_image" >> "$work/ids"
      # Every build after the first must reuse every layer by metadata alone.
      if [[ $scenario != cold ]] && grep -Eq '^([0-9/]+ [0-9:.]+ )?floor: .*: writing' "$log"; then
        grep -E '^([0-9/]+ [0-9:.]+ )?floor: ' "$log" >&2
        die "the floor buildpack rewrote layers in a rebuild ($scenario, $label): its metadata did not come back."
      fi ;;
    dockerfile) docker image inspect --format '{{.Id}}' "$df_image" >> "$work/ids" ;;
  esac
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  if [[ $timed == timed ]]; then
    TIMES[$name.$tool.$scenario]+="$secs "
    [[ $phases_on == 1 && $tool != dockerfile ]] && record_phases "$name.$tool.$scenario" "$log"
    info "$(printf '%-10s %6.1f s' "$tool" "$secs")"
  else
    info "$(printf '%-10s %6.1f s (untimed: %s)' "$tool" "$secs" "$label")"
  fi
  if [[ $tool == warpdrive && $timed == timed ]]; then
    local plain reused contributed
    plain="$(sed -e 's/\x1b\[[0-9;]*m//g' -e 's,^[0-9]\{4\}/[0-9/]* [0-9:.]* ,,' "$log")" # colours; --timestamps
    reused=$(sed -n 's/^ *\(.*\): Reusing cached layer$/\1/p' <<<"$plain" | paste -sd, -)
    contributed=$(sed -n 's/^ *\(.*\): Contributing to layer.*$/\1/p' <<<"$plain" | paste -sd, -)
    LAYERS[$name.$scenario.$secs]="${reused:--}|${contributed:--}"
  fi
}

# --- What the floor and the Dockerfile need from warpdrive's first image ----------

# make_floor: the floor buildpack, with one launch layer per layer of warpdrive's
# in the image, of the same size: the size of the layer's tar in `docker save`
# (what the lifecycle tars, hashes and exports), its name from the paths inside.
make_floor() {
  step "Copying warpdrive's launch layers from $wd_image for the floor (docker save)"
  local save="$work/save" f lname size sha
  mkdir -p "$save" "$floor_content"
  docker save "$wd_image" | tar -x -C "$save" || die "docker save $wd_image failed."
  declare -A sizes=() shas=()
  while IFS= read -r f; do
    lname=$( (tar -tf "$f" 2>/dev/null || true) | sed -n 's#^/\{0,1\}layers/warpdrive/\([^/]*\)/.*#\1#p' | head -n1 || true)
    [[ -n $lname && -z ${sizes[$lname]:-} ]] || continue
    cp -L "$f" "$floor_content/$lname.tar"
    sizes[$lname]=$(stat -c %s "$floor_content/$lname.tar")
    shas[$lname]=$(sha256sum "$floor_content/$lname.tar" | cut -d' ' -f1)
  done < <(find "$save" \( -type f -o -type l \) ! -name '*.json' ! -name json ! -name repositories ! -name VERSION ! -name oci-layout)
  rm -rf "$save"
  ((${#sizes[@]} > 0)) || die "found no layers/warpdrive/* in the layers of $wd_image."
  chmod -R a+rX "$floor_content"
  mkdir -p "$floor_dir"
  cp -r "$WARPDRIVE_ROOT/scripts/bench/floor/." "$floor_dir/"
  { echo "# warpdrive's launch layers in $wd_image: name, bytes and sha256 of the layer's tar"
    for lname in $(printf '%s\n' "${!sizes[@]}" | sort); do echo "$lname ${sizes[$lname]} ${shas[$lname]}"; done
  } > "$floor_dir/layers.tsv"
  sed 's/^/    /' "$floor_dir/layers.tsv" >&2
  make_floor_builder
}

# make_floor_builder: a builder of its own for the floor: warpdrive's builder
# (its build image, lifecycle and run image) with the floor buildpack as its
# only group. Not `pack build --buildpack DIR`: that makes pack assemble an
# ephemeral builder before every build, time warpdrive's builds do not pay.
make_floor_builder() {
  local run_image
  run_image=$(docker image inspect "$WARPDRIVE_BUILDER" --format '{{ index .Config.Labels "io.buildpacks.builder.metadata" }}' \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["images"][0]["image"])') \
    || die "could not read the run image of $WARPDRIVE_BUILDER from its metadata label."
  cat > "$work/$name/floor-builder.toml" <<TOML
[[buildpacks]]
  uri = "$floor_dir"

[[order]]
  [[order.group]]
    id = "warpdrive-bench/floor"
    version = "0.0.1"

[build]
  image = "$WARPDRIVE_BUILDER"

[[run.images]]
  image = "$run_image"

[lifecycle]
  uri = "$("$WARPDRIVE_ROOT/scripts/harness/tools.sh")/lifecycle.tgz"

[[targets]]
  os = "linux"
  arch = "amd64"
TOML
  "$pack" builder create "$floor_builder" --config "$work/$name/floor-builder.toml" --pull-policy never >"$logs/$name-floor-builder.log" 2>&1 \
    || { tail -n 20 "$logs/$name-floor-builder.log" >&2; die "pack builder create $floor_builder failed (the end of its log is above)."; }
}

# make_dockerfile: scripts/bench/Dockerfile filled in, with the CPython archive
# warpdrive's python layer came from: the manifest entry whose sha256 the
# image's layer metadata records (else, the entry of the version the image's
# python reports), and buildpack.toml's default mod_wsgi version.
make_dockerfile() {
  local meta version file sha _arch v python_url="" python_sha="" mod_wsgi
  meta="$(image_label "$wd_image" io.buildpacks.lifecycle.metadata)"
  while IFS=$'\t' read -r v _arch file sha; do
    [[ -n $v && $meta == *"$sha"* ]] && { python_url="$WARPDRIVE_INDEX_URL/python/$file" python_sha=$sha; }
  done < "$manifest"
  if [[ -z $python_sha ]]; then
    version="$(docker run --rm --entrypoint /layers/warpdrive/python/bin/python3 "$wd_image" \
      -c 'import platform; print(platform.python_version())')" || die "could not read the python layer's version in $wd_image."
    while IFS=$'\t' read -r v _arch file sha; do
      [[ $v == "$version" && $_arch == amd64 ]] && { python_url="$WARPDRIVE_INDEX_URL/python/$file" python_sha=$sha; }
    done < "$manifest"
    [[ -n $python_sha ]] || die "no CPython $version for amd64 in $manifest."
    info "the image's metadata names no archive of $manifest; CPython $version's by its version"
  fi
  info "CPython archive: $python_url (sha256 $python_sha)"
  mod_wsgi="$(sed -n '/name = "BP_MOD_WSGI_VERSION"/{n;s/^ *default = "\(.*\)"/\1/p;}' "$WARPDRIVE_ROOT/buildpack.toml")"
  [[ -n $mod_wsgi ]] || die "could not read BP_MOD_WSGI_VERSION's default in buildpack.toml."
  sed -e "s|@BUILD_IMAGE@|$WARPDRIVE_BUILD_IMAGE|g" -e "s|@RUN_IMAGE@|$WARPDRIVE_RUN_IMAGE|g" \
    -e "s|@PYTHON_URL@|$python_url|g" -e "s|@PYTHON_SHA256@|$python_sha|g" \
    -e "s|@PIP_INDEX_URL@|$WARPDRIVE_INDEX_URL/simple/|g" -e "s|@MOD_WSGI_VERSION@|$mod_wsgi|g" \
    -e "s|@DJANGO_SETTINGS_MODULE@|mydjangosite.settings|g" -e "s|@WSGI_MODULE@|mydjangosite.wsgi|g" \
    "$dockerfile" > "$work/Dockerfile"
  ! grep -n '@[A-Z_0-9]*@' "$work/Dockerfile" | grep -v '^[0-9]*:#' >&2 \
    || die "scripts/bench/Dockerfile has a field the script does not fill in (above)."
  info "Dockerfile: scripts/bench/Dockerfile with mod_wsgi $mod_wsgi"
}

# --- The scenarios --------------------------------------------------------------

stamp() { date +%s%N; }
change() { # scenario rep: the app's change for this rep
  case $1 in
    code) { cat "$pristine/mydjangosite/urls.py"; printf '\n# bench: a code change (%s)\n' "$(stamp)"; } > "$app/mydjangosite/urls.py" ;;
    static) { cat "$pristine/static/bench/bench.css"; printf '/* bench: a static change (%s) */\n' "$(stamp)"; } > "$app/static/bench/bench.css" ;;
    requirement)
      if ((req_added)); then
        cp "$pristine/requirements.txt" "$app/requirements.txt"
        for tool in $(tools); do build "$tool" requirement "rep$2-without" untimed; done
      fi
      { cat "$pristine/requirements.txt"; printf '%s  # bench (%s)\n' "$requirement" "$(stamp)"; } > "$app/requirements.txt"
      req_added=1 ;;
  esac
}

timed_for() { # tool scenario
  [[ $1 != dockerfile || " $df_scenarios " == *" $2 "* ]] && echo timed || echo untimed
}

prepare() { # after warpdrive's first build of the current app
  ((prepared)) && return 0
  prepared=1
  [[ $floor_on == 1 ]] && make_floor
  [[ $df_on == 1 && $name == sample ]] && make_dockerfile
  return 0
}
bench_app() { # the current app's scenarios
  step "Benchmarking builds of the $name app: REPS=$reps, scenarios: $scenarios"
  info "builder $WARPDRIVE_BUILDER; tools: $(tools | paste -sd' ' -); Dockerfile with $docker_builder"
  prepared=0 req_added=0 df_done=0
  if ! selected cold; then
    step "$name: a first build (untimed: cold is not among SCENARIOS)"
    for tool in $(tools); do
      [[ $tool == warpdrive ]] || prepare
      build "$tool" cold first untimed
    done
  fi
  for scenario in $ALL_SCENARIOS; do
    selected "$scenario" || continue
    for ((rep = 1; rep <= reps; rep++)); do
      step "$(title "$name" "$scenario"): rep $rep/$reps"
      change "$scenario" "$rep"
      for tool in $(tools); do
        [[ $tool == warpdrive ]] || prepare
        build "$tool" "$scenario" "rep$rep" "$(timed_for "$tool" "$scenario")"
      done
    done
    [[ $scenario == "$df_last" ]] && df_done=1
  done
  return 0
}
for a in $apps; do
  use_app "$a"
  make_app
  bench_app
done

if [[ ${VERIFY:-0} == 1 ]]; then
  for image in $( [[ $df_on == 1 ]] && echo "$df_image") $(for a in $apps; do echo "warpdrive-bench/$a"; done); do
    step "VERIFY: serving from $image"
    docker run -d --rm --name "$verify_container" -p 127.0.0.1::8080 "$image" >/dev/null
    port=$(docker port "$verify_container" 8080/tcp | head -n1 | sed 's/.*://')
    for path in /admin/login/ /static/admin/css/base.css /static/bench/bench.css; do
      code=000
      for _ in $(seq 1 60); do
        code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$path" || true)
        [[ $code == 000 ]] || break
        sleep 0.5
      done
      info "$path: HTTP $code"
      [[ $code == 200 ]] || { docker logs "$verify_container" 2>&1 | tail -n 20 >&2; die "$image does not serve $path (HTTP $code)."; }
    done
    docker rm -f "$verify_container" >/dev/null
  done
fi

# --- Tables ---------------------------------------------------------------------

median() { printf '%s\n' $1 | sort -g | awk 'NF { a[++n] = $1 } END { if (n == 0) print "-"; else if (n % 2) print a[(n + 1) / 2]; else printf "%.2f\n", (a[n / 2] + a[n / 2 + 1]) / 2 }'; }
# paired_ratio "A" "B": the median of A[i] / B[i], rep by rep (the two builds of
# a rep run back to back, so a slow spell of the machine weighs on both).
paired_ratio() {
  local a=($1) b=($2) r=() i
  ((${#a[@]} && ${#a[@]} == ${#b[@]})) || { echo -; return; }
  for i in "${!a[@]}"; do r+=("$(awk -v x="${a[$i]}" -v y="${b[$i]}" 'BEGIN { printf "%.3f", x / y }')"); done
  printf '%s\n' "${r[@]}" | sort -g | awk '{ a[++n] = $1 } END { printf "%.2fx\n", (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }'
}
# lower_median: the median run's time (the lower of the two middle ones for an even count).
lower_median() { printf '%s\n' $1 | sort -g | awk 'NF { a[++n] = $1 } END { print a[int((n + 1) / 2)] }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.0f MB", b / 1e6 }'; }

for a in $apps; do
use_app "$a"
echo
echo "## warpdrive ($WARPDRIVE_BUILDER), the $name app, REPS=$reps"
echo
printf '| %-36s | %9s | %-20s | %-40s | %s |\n' "scenario" "median" "runs (s)" "layers reused (median run)" "layers rebuilt (median run)"
printf '|%s|%s|%s|%s|%s|\n' "--------------------------------------" "----------:" "----------------------" "------------------------------------------" "----------------"
for scenario in $ALL_SCENARIOS; do
  selected "$scenario" || continue
  t="${TIMES[$name.warpdrive.$scenario]}"
  IFS='|' read -r reused contributed <<<"${LAYERS[$name.$scenario.$(lower_median "$t")]:--|-}"
  printf '| %-36s | %7s s | %-20s | %-40s | %s |\n' "$(title "$name" "$scenario")" "$(median "$t")" "${t% }" "$reused" "$contributed"
done

if [[ $floor_on == 1 ]]; then
  echo
  echo "## the $name app's floor buildpack's launch layers (warpdrive's files, from its cold image)"
  echo
  printf '| %-12s | %14s |\n' layer bytes
  printf '|%s|%s|\n' "--------------" "---------------:"
  while read -r lname bytes _; do
    [[ $lname == \#* ]] || printf '| %-12s | %14s |\n' "$lname" "$bytes"
  done < "$floor_dir/layers.tsv"
fi
done

echo
echo "## image sizes"
echo
printf '| %-40s | %10s |\n' image size
printf '|%s|%s|\n' "------------------------------------------" "-----------:"
for a in $apps; do
  use_app "$a"
  for image in "$wd_image" $( [[ $df_on == 1 && $name == sample ]] && echo "$df_image") $( [[ $floor_on == 1 ]] && echo "$floor_image"); do
    bytes=$(docker image inspect --format '{{.Size}}' "$image")
    case $image in
      "$wd_image") what="$name: warpdrive" ;; "$df_image") what="$name: Dockerfile" ;; *) what="$name: floor" ;;
    esac
    printf '| %-40s | %10s |\n' "$what ($image)" "$(mb "$bytes")"
  done
done

echo
echo "## summary: median wall times (s), REPS=$reps, $(nproc) cores"
echo
printf '| %-46s | %11s | %7s | %15s | %15s | %12s |\n' "scenario" "warpdrive s" "floor s" "warpdrive/floor" "paired, median" "Dockerfile s"
printf '|%s|%s|%s|%s|%s|%s|\n' "------------------------------------------------" "------------:" "--------:" "----------------:" "----------------:" "-------------:"
for a in $apps; do
  for scenario in $ALL_SCENARIOS; do
    selected "$scenario" || continue
    w=$(median "${TIMES[$a.warpdrive.$scenario]}")
    f=$(median "${TIMES[$a.floor.$scenario]:-}")
    d=$(median "${TIMES[$a.dockerfile.$scenario]:-}")
    ratio=-
    [[ $f != - ]] && ratio=$(awk -v w="$w" -v f="$f" 'BEGIN { printf "%.2fx", w / f }')
    paired=$(paired_ratio "${TIMES[$a.warpdrive.$scenario]}" "${TIMES[$a.floor.$scenario]:-}")
    printf '| %-46s | %11s | %7s | %15s | %15s | %12s |\n' "$(title "$a" "$scenario")" "$w" "$f" "$ratio" "$paired" "$d"
  done
done
echo "(paired: the median over reps of warpdrive's time / the floor's in the same rep)"

if [[ $phases_on == 1 ]]; then
  echo
  echo "## the lifecycle's timers: median seconds (PHASES=1; pack --verbose)"
  echo
  printf '| %-46s | %-9s |' "scenario" "tool"
  for phase in $PHASE_NAMES; do printf ' %9s |' "$phase"; done
  printf ' %9s | %9s |\n' "sum" "wall"
  printf '|%s|%s|' "------------------------------------------------" "-----------"
  for phase in $PHASE_NAMES sum wall; do printf '%s|' "----------:"; done
  echo
  for a in $apps; do
    for scenario in $ALL_SCENARIOS; do
      selected "$scenario" || continue
      for tool in warpdrive floor; do
        [[ -n ${TIMES[$a.$tool.$scenario]:-} ]] || continue
        printf '| %-46s | %-9s |' "$(title "$a" "$scenario")" "$tool"
        sum=0
        for phase in $PHASE_NAMES; do
          m=$(median "${PHASE_TIMES[$a.$tool.$scenario.$phase]:-}")
          [[ $m == - ]] || sum=$(awk -v x="$sum" -v y="$m" 'BEGIN { print x + y }')
          printf ' %9s |' "$m"
        done
        printf ' %9.2f | %9s |\n' "$sum" "$(median "${TIMES[$a.$tool.$scenario]}")"
      done
    done
  done
  echo "(wall - sum: pack's own work, the containers' start, and the phases' setup outside their timers)"
fi
echo
((retries == 0)) || echo "$retries build(s) failed once and were timed on a second try (stderr says which)."
echo "Dockerfile built with $docker_builder; whole run $(elapsed "$script_start");" \
  "load average at the start $load_start, at the end $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')."
