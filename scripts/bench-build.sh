#!/usr/bin/env bash
# Build-time figures for the sample app: a cold build (caches cleared), an
# unchanged rebuild, a rebuild after an app-code-only change, and one after a
# requirements change. Prints wall times and which layers were reused.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
need_docker
"$WARPDRIVE_ROOT/scripts/setup.sh" >&2

app="$(mktemp -d)/mydjangosite"
cp -r "$WARPDRIVE_ROOT/samples/mydjangosite" "$app"
image="warpdrive-bench/mydjangosite"
cache="warpdrive-bench-cache"
logs="$(mktemp -d)"
trap 'docker rmi -f "$image" >/dev/null 2>&1; docker volume rm -f "$cache.build" "$cache.launch" >/dev/null 2>&1; rm -rf "$(dirname "$app")" "$logs"' EXIT
docker rmi -f "$image" >/dev/null 2>&1 || true
docker volume rm -f "$cache.build" "$cache.launch" >/dev/null 2>&1 || true

rows=()
run() { # scenario
  local scenario=$1 log="$logs/$(echo "$1" | tr ' ' _).log" t0 t1
  t0=$(date +%s.%N)
  "$WARPDRIVE_ROOT/scripts/pack-build.sh" "$image" "$app" \
    --cache "type=build;format=volume;name=$cache.build" --cache "type=launch;format=volume;name=$cache.launch" >"$log" 2>&1 \
    || { cat "$log" >&2; die "the $scenario build failed (log above)"; }
  t1=$(date +%s.%N)
  local reused contributed
  reused=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | sed -n 's/^ *\(.*\): Reusing cached layer$/\1/p' | paste -sd, -)
  contributed=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | sed -n 's/^ *\(.*\): Contributing to layer.*$/\1/p' | paste -sd, -)
  rows+=("$(printf '| %-24s | %7.1f s | %-60s | %s |' "$scenario" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" "${reused:--}" "${contributed:--}")")
}

run "cold (caches cleared)"
run "unchanged"
printf '\n# a code-only change\n' >> "$app/mydjangosite/urls.py"
run "app code changed"
printf 'whitenoise\n' >> "$app/requirements.txt"
run "requirements changed"

printf '| %-24s | %9s | %-60s | %s |\n' "scenario" "wall time" "layers reused" "layers rebuilt"
printf '|%s|%s|%s|%s|\n' "--------------------------" "-----------" "--------------------------------------------------------------" "----------------"
printf '%s\n' "${rows[@]}"
