#!/usr/bin/env bash
# Serving figures for the sample Django app: builds it once per server
# (mod_wsgi, gunicorn, and uvicorn serving its asgi.py: the ASGI row), then,
# with the container limited to 1 CPU and then 2, loads the admin login page
# and a static file with wrk and prints req/s, p50, p99, socket errors,
# non-2xx responses and the container's memory, for warpdrive's derived
# default and a grid of hand-set worker counts.
#
#   scripts/bench-serve.sh                 # every server, 1 and 2 CPUs, 10 s per run
#   DURATION=5s CPUS="1" SERVERS="uvicorn" CONNECTIONS=64 scripts/bench-serve.sh
#
# wrk runs on the host (apt-get install wrk); each figure is one run, so run
# the script more than once before comparing rows that differ by a few %.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
need_docker
command -v wrk >/dev/null || die "wrk is not installed." "Install it: apt-get install wrk"
"$WARPDRIVE_ROOT/scripts/setup.sh" >&2

DURATION="${DURATION:-10s}"
CPUS="${CPUS:-1 2}"
SERVERS="${SERVERS:-mod_wsgi gunicorn uvicorn}"
CONNECTIONS="${CONNECTIONS:-16}"
PAGE=/admin/login/
STATIC=/static/admin/css/base.css

work="$(mktemp -d)"
app="$work/mydjangosite"
cp -r "$WARPDRIVE_ROOT/samples/mydjangosite" "$app"
containers=()
cleanup() {
  for c in "${containers[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
  for s in $SERVERS; do docker rmi -f "warpdrive-bench/serve-$s" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# grid SERVER: the hand-set configurations, as docker run -e arguments.
grid() {
  case $1 in
    mod_wsgi) printf '%s\n' "-e MOD_WSGI_PROCESSES=1 -e MOD_WSGI_THREADS=2" "-e MOD_WSGI_PROCESSES=1 -e MOD_WSGI_THREADS=5" \
                "-e MOD_WSGI_PROCESSES=2 -e MOD_WSGI_THREADS=5" "-e MOD_WSGI_PROCESSES=3 -e MOD_WSGI_THREADS=5" ;;
    *) printf '%s\n' "-e WEB_CONCURRENCY=1" "-e WEB_CONCURRENCY=2" "-e WEB_CONCURRENCY=3" "-e WEB_CONCURRENCY=5" ;;
  esac
}

# load URL: one wrk run; prints "req/s p50 p99 socket-errors non-2xx".
load() {
  local out
  out="$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "$1" 2>&1)" || { echo "wrk failed: $out" >&2; echo "- - - - -"; return; }
  awk '
    /Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = $2 }
    $1 == "99%" { p99 = $2 }
    /Socket errors:/ { gsub(",", ""); errors = $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx responses:/ { non2xx = $5 }
    END { printf "%s %s %s %d %d\n", rps, p50, p99, errors, non2xx }' <<<"$out"
}

wait_ready() { # port
  for _ in $(seq 1 120); do
    curl -fsS -o /dev/null "http://127.0.0.1:$1$PAGE" 2>/dev/null && return 0
    sleep 0.5
  done
  return 1
}

port=18080
for server in $SERVERS; do
  image="warpdrive-bench/serve-$server"
  step "Building the sample app for $server"
  "$WARPDRIVE_ROOT/scripts/pack-build.sh" "$image" "$app" --env "WARPDRIVE_SERVER_TYPE=$server" >"$work/build-$server.log" 2>&1 \
    || { cat "$work/build-$server.log" >&2; die "the $server build failed (log above)"; }
  for cpus in $CPUS; do
    while read -r config; do
      env_args=()
      [[ $config == default ]] || read -r -a env_args <<<"$config"
      name="warpdrive-bench-$server-$cpus-$port"
      docker run -d --name "$name" --cpus "$cpus" --memory 1g -p "127.0.0.1:$port:8080" ${env_args[@]+"${env_args[@]}"} "$image" >/dev/null
      if ! wait_ready "$port"; then
        docker logs "$name" >&2; docker rm -f "$name" >/dev/null
        die "$server ($config) did not answer $PAGE (log above)"
      fi
      derived="$(docker logs "$name" 2>&1 | sed -n 's/.*Concurrency: \([0-9]* [a-z_]* [a-z]*\).*/\1/p' | head -n1)"
      read -r prps pp50 pp99 perr pnon <<<"$(load "http://127.0.0.1:$port$PAGE")"
      rss="$(docker stats --no-stream --format '{{.MemUsage}}' "$name" | cut -d/ -f1 | tr -d ' ')"
      read -r srps sp50 sp99 serr snon <<<"$(load "http://127.0.0.1:$port$STATIC")"
      docker rm -f "$name" >/dev/null
      label="$config"
      [[ $config == default ]] && label="derived: ${derived:-?}"
      printf '| %-9s | %s | %-48s | %8s | %8s | %8s | %4s | %4s | %8s | %8s | %8s | %4s | %9s |\n' \
        "$server" "$cpus" "$label" "$prps" "$pp50" "$pp99" "$perr" "$pnon" "$srps" "$sp50" "$sp99" "$serr" "$rss" >>"$work/rows"
      port=$((port + 1))
    done < <(echo default; grid "$server")
  done
done

printf '\nwrk -t1 -c%s -d%s --latency; page %s, static %s; container --cpus N --memory 1g\n\n' "$CONNECTIONS" "$DURATION" "$PAGE" "$STATIC"
printf '| %-9s | %s | %-48s | %8s | %8s | %8s | %4s | %4s | %8s | %8s | %8s | %4s | %9s |\n' \
  server cpu configuration "page r/s" "p50" "p99" "err" "!2xx" "static" "p50" "p99" "err" "RSS"
printf '|%s|\n' "-----------|---|--------------------------------------------------|----------|----------|----------|------|------|----------|----------|----------|------|-----------"
cat "$work/rows"
