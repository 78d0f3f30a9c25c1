#!/usr/bin/env bash
# Builds relocatable CPython 3.13 and 3.11, laid out like python-build-standalone
# `install_only_stripped` archives, from the python.org source tarballs that
# Debian's source packages carry (PyPI, python.org and GitHub are unreachable here).
#
# Outputs:
#   $WARPDRIVE_CACHE/www/python/cpython-<version>+warpdrive-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz
#   $WARPDRIVE_CACHE/www/python/manifest.tsv   <version> TAB <arch> TAB <file> TAB <sha256>
#
# Each version is compiled inside the build image (so it links the libraries the
# build and run images ship) with --prefix=/install, like python-build-standalone:
# the build-time prefix stays in sysconfig data, the Makefile and python3.X-config,
# which the buildpack has to rewrite. Cached per version by a key of this script,
# the source tarball and the build image's recipe (sidecar file <artifact>.recipe).
# shellcheck source=SCRIPTDIR/../lib/common.sh
source "$(dirname "$0")/../lib/common.sh"

MINORS=(3.13 3.11)               # built in this order, one at a time (2 cores)
TRIPLE=x86_64-unknown-linux-gnu
ARCH=amd64
DEBIAN_MIRROR="${WARPDRIVE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
APT_DIR="$WARPDRIVE_CACHE/apt"
SRC_DIR="$WARPDRIVE_CACHE/src"
OUT_DIR="$WARPDRIVE_CACHE/www/python"
HERE="$(cd "$(dirname "$0")" && pwd)"

# C extension modules that must exist. The pure-Python fallbacks (decimal without
# _decimal, json without _json, uuid without _uuid) would hide a missing library.
REQUIRED_MODULES=(_ssl _hashlib _sqlite3 _ctypes zlib _bz2 _lzma readline _uuid _decimal
  _json pyexpat _elementtree _curses _curses_panel _gdbm _socket select _posixsubprocess
  binascii math _struct unicodedata _multiprocessing _queue _asyncio _zoneinfo _pickle
  _datetime array fcntl termios mmap resource _csv _random _bisect _heapq)

# python3.13_3.13.5.orig.tar.xz -> 3.13.5
orig_version() { # minor path
  local v; v="$(basename "$2")"; v="${v#"python$1"_}"; echo "${v%.orig.tar.*}"
}

artifact_name() { echo "cpython-$1+warpdrive-$TRIPLE-install_only_stripped.tar.gz"; }

# --- Sources through a private apt configuration (the host's /etc/apt is untouched) ---

APT_OPTS=(-o "Dir::Etc::SourceList=$APT_DIR/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$APT_DIR/lists" -o "Dir::Cache=$APT_DIR/cache"
  -o APT::Sandbox::User=root)
apt_updated=
apt_update() {
  [[ -z $apt_updated ]] || return 0
  mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
  # python3.11 (3.11.2) is bookworm's; python3.13 (3.13.5) is only in trixie.
  cat > "$APT_DIR/sources.list" <<EOF
deb-src [signed-by=$KEYRING] $DEBIAN_MIRROR bookworm main
deb-src [signed-by=$KEYRING] $DEBIAN_MIRROR trixie main
EOF
  step "apt-get update (private source index in $APT_DIR)"
  apt-get "${APT_OPTS[@]}" update -q >&2 \
    || die "apt-get update of the deb-src index failed." "Is $DEBIAN_MIRROR reachable?"
  apt_updated=1
}

# source_tarball MINOR: sets ORIG to the cached python.org tarball, fetching it via
# `apt-get source --download-only python3.X` when none is cached.
source_tarball() {
  local pkg="python$1" found dl orig
  mkdir -p "$SRC_DIR"
  found="$(find "$SRC_DIR" -maxdepth 1 -name "${pkg}_*.orig.tar.*" ! -name '*.asc' -printf '%f\n' | sort -V | tail -n1)"
  if [[ -n $found ]]; then ORIG="$SRC_DIR/$found"; return 0; fi
  apt_update
  step "Fetching the $pkg source package"
  dl="$(mktemp -d "$SRC_DIR/.download.XXXXXX")"
  (cd "$dl" && apt-get "${APT_OPTS[@]}" source -q --download-only "$pkg" >&2) \
    || { rm -rf "$dl"; die "could not download the Debian source package $pkg." \
           "apt-get source --download-only $pkg failed (output above)."; }
  # python3.13 carries a .orig.tar.xz, python3.11 a .orig.tar.gz: both are python.org's.
  orig="$(find "$dl" -maxdepth 1 -name "${pkg}_*.orig.tar.*" ! -name '*.asc' | head -n1)"
  [[ -n $orig ]] || { rm -rf "$dl"; die "the $pkg source package has no ${pkg}_*.orig.tar.* (python.org tarball)"; }
  mv "$orig" "$SRC_DIR/"
  rm -rf "$dl"
  ORIG="$SRC_DIR/$(basename "$orig")"
  info "cached $ORIG"
}

# --- Compile inside the build image -------------------------------------------------

# Runs as root in the build image with no network: /src/source.tar in,
# /out/python.tar.gz out.
read -r -d '' COMPILE_SCRIPT <<'SCRIPT' || true
set -euo pipefail
minor=$PY_MINOR
mkdir -p /tmp/src && cd /tmp/src
tar -xf /src/source.tar --strip-components=1
echo "--- configure"
# Bundled libmpdec: the run image has no libmpdec3. No test modules and no static
# libpython (68 MB; extensions link the shared one): smaller, faster.
./configure --prefix=/install --enable-shared --without-static-libpython \
  --without-system-libmpdec --disable-test-modules
echo "--- make"
make -j"$(nproc)"
echo "--- make install"
make install
cd /install
# Shrink: test suites (3.11 keeps some inside packages) and debug symbols.
rm -rf "lib/python$minor/test"
find "lib/python$minor" -path "lib/python$minor/site-packages" -prune -o -type d \
  \( -name test -o -name tests -o -name idle_test \) -print0 | xargs -0r rm -rf
find lib -type f \( -name '*.so' -o -name '*.so.*' \) -exec strip --strip-unneeded {} +
strip "bin/python$minor"
# Relocatable: the interpreter finds libpython next to itself (patchelf after strip).
patchelf --set-rpath '$ORIGIN/../lib' "bin/python$minor"
readelf -d "bin/python$minor" | grep -F '(RUNPATH)' | grep -qF '[$ORIGIN/../lib]' \
  || { echo "bin/python$minor has no RUNPATH \$ORIGIN/../lib"; readelf -d "bin/python$minor"; exit 1; }
test -f "lib/libpython$minor.so.1.0" || { echo "lib/libpython$minor.so.1.0 is missing"; exit 1; }
# Scripts (pip3, pydoc3 ...) get a relocatable shebang, as python-build-standalone does.
for f in bin/*; do
  if [ -f "$f" ] && [ ! -L "$f" ] && [ "$(head -n1 "$f" | head -c 100)" = "#!/install/bin/python$minor" ]; then
    { echo '#!/bin/sh'
      echo "'''exec' \"\$(dirname -- \"\$(realpath -- \"\$0\")\")\"/'python$minor' \"\$0\" \"\$@\""
      echo "' '''"
      tail -n +2 "$f"; } > "$f.new"
    chmod --reference="$f" "$f.new"; mv "$f.new" "$f"
    echo "relocatable shebang: $f"
  fi
done
echo "--- packing"
tar -C / --numeric-owner --owner=0 --group=0 --sort=name \
  --transform 's,^install\(/\|$\),python\1,' -czf /out/python.tar.gz install
SCRIPT

# Runs in the RUN image as its non-root user, without network; exit 3 = modules missing.
read -r -d '' CHECK_SCRIPT <<'SCRIPT' || true
set -eu
d="$(mktemp -d)"
tar -xzf /artifact/python.tar.gz -C "$d"
py="$d/python/bin/python3"
"$py" - "$@" <<'PY'
import importlib, sys
bad = False
for m in sys.argv[1:]:
    try:
        importlib.import_module(m)
    except Exception as e:
        print(f"MISSING {m}: {e}")
        bad = True
sys.exit(3 if bad else 0)
PY
"$py" -c 'import ssl, sqlite3, ctypes, zlib, bz2, lzma, readline, uuid, decimal, json; print("ok")'
"$py" -m venv /tmp/v
/tmp/v/bin/pip --version
"$py" -c 'import platform, ssl; print("version", platform.python_version()); print(ssl.OPENSSL_VERSION)'
SCRIPT

build_version() { # minor orig key artifact
  local minor=$1 orig=$2 key=$3 artifact=$4 version t0 work name out rc log
  version="$(orig_version "$minor" "$orig")"
  t0=$(date +%s)
  work="$(mktemp -d "$WARPDRIVE_CACHE/tmp/cpython-$minor.XXXXXX")"
  name="warpdrive-cpython-$minor-$$"
  # The log outlives the work directory, for a look after success or failure.
  mkdir -p "$WARPDRIVE_CACHE/logs"
  log="$WARPDRIVE_CACHE/logs/cpython-$version.log"
  # shellcheck disable=SC2064 # expand now
  trap "docker rm -f '$name' >/dev/null 2>&1 || true; rm -rf '$work'" EXIT

  step "Compiling CPython $version in $WARPDRIVE_BUILD_IMAGE (log: $log)"
  if ! docker run --rm --name "$name" --network none -u 0 -e PY_MINOR="$minor" \
      -v "$orig:/src/source.tar:ro" -v "$work:/out" \
      "$WARPDRIVE_BUILD_IMAGE" bash -c "$COMPILE_SCRIPT" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "compiling CPython $version failed (log tail above)."
  fi
  # Optional modules the build skipped (_dbm, _tkinter ... are expected); a missing
  # -dev package shows up here first.
  grep -A2 -E "^(The necessary bits to build these optional modules were not found|Failed to build these modules|Following modules built successfully but were removed)" \
    "$log" | sed 's/^/    /' >&2 || true
  info "compiled and packed ($(elapsed "$t0"), $(du -h "$work/python.tar.gz" | cut -f1))"

  step "Checking CPython $version in $WARPDRIVE_RUN_IMAGE as uid 1001, no network"
  chmod 644 "$work/python.tar.gz"
  rc=0
  out="$(docker run --rm --name "$name" --network none -u 1001:1000 \
    -v "$work/python.tar.gz:/artifact/python.tar.gz:ro" \
    "$WARPDRIVE_RUN_IMAGE" sh -c "$CHECK_SCRIPT" check "${REQUIRED_MODULES[@]}" 2>&1)" || rc=$?
  if ((rc == 3)); then
    die "CPython $version lacks stdlib extension modules (a -dev package missing from the build image, or its runtime library from the run image):" \
      "$(grep '^MISSING' <<<"$out" | sed 's/^MISSING //')" "$(grep -v '^MISSING' <<<"$out")"
  elif ((rc != 0)); then
    die "CPython $version failed its check in the run image:" "$out"
  fi
  grep -qx "version $version" <<<"$out" || die "the interpreter reports another version than $version:" "$out"
  printf '    | %s\n' "${out//$'\n'/$'\n'    | }" >&2

  # Replace older builds of this minor series, then move into place (same filesystem).
  find "$OUT_DIR" -maxdepth 1 -name "cpython-$minor.*+warpdrive-*" ! -name "$(basename "$artifact")*" -print -delete >&2
  mv "$work/python.tar.gz" "$artifact"
  echo "$key" > "$artifact.recipe"
  rm -rf "$work"; trap - EXIT
  info "CPython $version ready: $artifact ($(elapsed "$t0"))"
}

write_manifest() {
  local f name version tmp
  tmp="$(mktemp "$OUT_DIR/.manifest.XXXXXX")"
  for f in "$OUT_DIR"/cpython-*+warpdrive-"$TRIPLE"-install_only_stripped.tar.gz; do
    [[ -f $f ]] || continue
    name="$(basename "$f")"; version="${name#cpython-}"; version="${version%%+*}"
    printf '%s\t%s\t%s\t%s\n' "$version" "$ARCH" "$name" "$(sha256sum "$f" | cut -d' ' -f1)"
  done | sort -V -r > "$tmp"
  chmod 644 "$tmp"
  mv "$tmp" "$OUT_DIR/manifest.tsv"
}

main() {
  local start minor orig key artifact build_label version
  start=$(date +%s)
  need_docker
  command -v apt-get >/dev/null || die "apt-get is missing: this script needs a Debian host."
  [[ -f $KEYRING ]] || { apt-get install -y -q debian-archive-keyring || { apt-get update -q && apt-get install -y -q debian-archive-keyring; }; } >/dev/null \
    || die "cannot install debian-archive-keyring (needed to verify Debian's source index)."

  # The base images (reused in seconds when they are current).
  "$HERE/base-images.sh"
  build_label="$(image_label "$WARPDRIVE_BUILD_IMAGE" dev.warpdrive.recipe)"
  [[ -n $build_label ]] || die "$WARPDRIVE_BUILD_IMAGE has no dev.warpdrive.recipe label." \
    "Run scripts/harness/base-images.sh."

  mkdir -p "$OUT_DIR" "$WARPDRIVE_CACHE/tmp"
  for minor in "${MINORS[@]}"; do
    source_tarball "$minor"; orig=$ORIG
    version="$(orig_version "$minor" "$orig")"
    key="$(cd "$HERE" && recipe_key cpython.sh -- "$(basename "$orig")" "$build_label")"
    artifact="$OUT_DIR/$(artifact_name "$version")"
    if [[ -f $artifact && $(cat "$artifact.recipe" 2>/dev/null) == "$key" ]]; then
      info "CPython $version: reusing $artifact (recipe $key)"
      continue
    fi
    build_version "$minor" "$orig" "$key" "$artifact"
  done

  write_manifest
  step "CPython artifacts ready in $OUT_DIR ($(elapsed "$start"))"
  sed 's/^/    /' "$OUT_DIR/manifest.tsv" >&2
}

main "$@"
