#!/usr/bin/env bash
# Start figures for the sample Django app: the time from `docker run` to the
# first 200 on the admin login page, per server, against the floor in the same
# image: `python -m http.server` started through the image's `shell` process
# (the container, the launcher, warpdrive-start and the interpreter start,
# nothing of the app). Rounds interleave the servers and the floor, so a burst
# of load from elsewhere hits one round, not one row; the summary gives the
# medians and each server's ratio to the floor.
#
#   scripts/bench-start.sh                          # mod_wsgi and gunicorn, 1 CPU, 5 rounds
#   SERVERS="gunicorn" CPUS=2 ROUNDS=9 scripts/bench-start.sh
#
# Knobs: SERVERS (mod_wsgi gunicorn), CPUS (1: docker run --cpus), ROUNDS (5),
# IMAGE_PREFIX (warpdrive-bench/start: the images are IMAGE_PREFIX-SERVER),
# REUSE_IMAGES=1 (use those images when they exist and keep them; default:
# build, then remove), TIMEOUT (60: seconds one start may take).
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
need_docker
command -v curl >/dev/null || die "curl is not installed." "Install it: apt-get install curl"

SERVERS="${SERVERS:-mod_wsgi gunicorn}"
CPUS="${CPUS:-1}"
ROUNDS="${ROUNDS:-5}"
IMAGE_PREFIX="${IMAGE_PREFIX:-warpdrive-bench/start}"
REUSE_IMAGES="${REUSE_IMAGES:-0}"
TIMEOUT="${TIMEOUT:-60}"
PAGE=/admin/login/
[[ $REUSE_IMAGES == 1 ]] || "$WARPDRIVE_ROOT/scripts/setup.sh" >&2

work="$(mktemp -d)"
app="$work/mydjangosite"
cp -r "$WARPDRIVE_ROOT/samples/mydjangosite" "$app"
container=""
cleanup() {
  [[ -z $container ]] || docker rm -f "$container" >/dev/null 2>&1 || true
  if [[ $REUSE_IMAGES != 1 ]]; then
    for s in $SERVERS; do docker rmi -f "$IMAGE_PREFIX-$s" >/dev/null 2>&1 || true; done
  fi
  rm -rf "$work"
}
trap cleanup EXIT

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# first_200 PATH [docker run args...]: starts a container and prints the
# milliseconds from just before `docker run` to the first 200 on PATH.
first_200() {
  local path=$1; shift
  container="warpdrive-start-bench-$$"
  local t0 ip deadline
  t0="$(now_ms)"
  docker run -d --name "$container" --cpus "$CPUS" --memory 1g "$@" >/dev/null
  ip="$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$container")"
  deadline=$((t0 + TIMEOUT * 1000))
  until curl -fs -o /dev/null --max-time 2 -H "Host: localhost" "http://$ip:8080$path" 2>/dev/null; do
    if (($(now_ms) > deadline)); then
      docker logs "$container" >&2
      die "$container did not answer $path within ${TIMEOUT}s (log above)"
    fi
    sleep 0.01
  done
  echo $(($(now_ms) - t0))
  docker rm -f "$container" >/dev/null
  container=""
}

for server in $SERVERS; do
  image="$IMAGE_PREFIX-$server"
  if [[ $REUSE_IMAGES == 1 ]] && docker image inspect "$image" >/dev/null 2>&1; then
    step "Reusing $image"
  else
    step "Building the sample app for $server"
    "$WARPDRIVE_ROOT/scripts/pack-build.sh" "$image" "$app" --env "WARPDRIVE_SERVER_TYPE=$server" >"$work/build-$server.log" 2>&1 \
      || { cat "$work/build-$server.log" >&2; die "the $server build failed (log above)"; }
  fi
done

floor_image="$IMAGE_PREFIX-${SERVERS%% *}"
for round in $(seq 1 "$ROUNDS"); do
  step "Round $round of $ROUNDS"
  # The floor and the servers in a different order each round.
  rows=(floor $SERVERS)
  shift_by=$(((round - 1) % ${#rows[@]}))
  rows=("${rows[@]:$shift_by}" "${rows[@]:0:$shift_by}")
  for row in "${rows[@]}"; do
    if [[ $row == floor ]]; then
      ms="$(first_200 / --entrypoint shell "$floor_image" -c 'exec python -m http.server 8080')"
    else
      ms="$(first_200 "$PAGE" "$IMAGE_PREFIX-$row")"
    fi
    info "$row: $ms ms"
    printf '%s\t%s\n' "$row" "$ms" >>"$work/rows"
  done
done

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
floor="$(awk -F'\t' '$1 == "floor" { print $2 }' "$work/rows" | median)"
echo
echo "## From docker run to the first 200 on $PAGE, $CPUS CPU, median of $ROUNDS"
echo
echo "| row | median | ratio to the floor |"
echo "|---|---|---|"
echo "| floor: python -m http.server in the same image | ${floor} ms | 1.00x |"
for server in $SERVERS; do
  m="$(awk -F'\t' -v s="$server" '$1 == s { print $2 }' "$work/rows" | median)"
  echo "| $server (the sample app) | ${m} ms | $(awk -v a="$m" -v b="$floor" 'BEGIN { printf "%.2fx", a / b }') |"
done
