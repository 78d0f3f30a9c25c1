#!/usr/bin/env bash
# Serving figures for the sample Django app: builds it once per server
# (mod_wsgi, gunicorn, and uvicorn serving its asgi.py: the ASGI row), then,
# with the container on 1 CPU and then 2, loads the admin login page and a
# static file with wrk and prints req/s, p50, p99, socket errors, non-2xx
# responses and the container's memory, for warpdrive's derived default and a
# grid of hand-set configurations; then the derived default alone under 64
# and 256 connections (errors and non-2xx are what count there).
#
#   scripts/bench-serve.sh                 # every server, 1 and 2 CPUs, 3 s per run, 5 rounds
#   DURATION=10s CPUS="1" SERVERS="uvicorn" ROUNDS=3 scripts/bench-serve.sh
#
# Knobs: DURATION (per wrk run), CPUS, SERVERS, CONNECTIONS (the grid's
# concurrency, 16), ROUNDS (every configuration's container runs at once, and
# each round loads each of them in turn, starting one further on each time,
# so a burst of load from elsewhere hits one round, not one configuration;
# RSS is measured in the last),
# LOAD_CONNECTIONS ("64 256"; "" skips those runs; they warm up at CONNECTIONS
# and wait LOAD_TIMEOUT, wrk's default 2s, before counting a time-out), LIMIT (cpuset: the
# container gets the last N CPUs with `--cpuset-cpus` and wrk the others, when
# any are left; quota: `--cpus N`, CFS quota, wrk unpinned), IMAGE_PREFIX
# (warpdrive-bench/serve: the images are IMAGE_PREFIX-SERVER), REUSE_IMAGES=1
# (use those images when they exist and keep them; default: build, then remove),
# WARMUP (2s: a wrk run on the page once each container answers, not counted,
# so every process has served its first, slow requests), PRIORITY (1: the
# container gets --cpu-shares 16384 and wrk nice -10, so builds running
# beside the benchmark take less from it; 0: neither).
#
# wrk runs on the host (apt-get install wrk) against the container's own
# address (no docker-proxy in between). The summary compares the medians over
# the rounds: the derived default against the grid's best req/s, and its p99
# against that configuration's p99.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
need_docker
command -v wrk >/dev/null || die "wrk is not installed." "Install it: apt-get install wrk"

DURATION="${DURATION:-3s}"
WARMUP="${WARMUP:-2s}"
CPUS="${CPUS:-1 2}"
SERVERS="${SERVERS:-mod_wsgi gunicorn uvicorn}"
CONNECTIONS="${CONNECTIONS:-16}"
ROUNDS="${ROUNDS:-5}"
LOAD_CONNECTIONS="${LOAD_CONNECTIONS-64 256}"
LOAD_TIMEOUT="${LOAD_TIMEOUT:-2s}"
LIMIT="${LIMIT:-cpuset}"
IMAGE_PREFIX="${IMAGE_PREFIX:-warpdrive-bench/serve}"
REUSE_IMAGES="${REUSE_IMAGES:-0}"
PRIORITY="${PRIORITY:-1}"
PAGE=/admin/login/
STATIC=/static/admin/css/base.css
HOST_CPUS="$(nproc)"
[[ $LIMIT == cpuset || $LIMIT == quota ]] || die "LIMIT=$LIMIT: use cpuset or quota"
[[ $REUSE_IMAGES == 1 ]] || "$WARPDRIVE_ROOT/scripts/setup.sh" >&2

work="$(mktemp -d)"
app="$work/mydjangosite"
cp -r "$WARPDRIVE_ROOT/samples/mydjangosite" "$app"
containers=()
cleanup() {
  for c in "${containers[@]+"${containers[@]}"}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
  if [[ $REUSE_IMAGES != 1 ]]; then
    for s in $SERVERS; do docker rmi -f "$IMAGE_PREFIX-$s" >/dev/null 2>&1 || true; done
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# grid SERVER CPUS: the hand-set configurations, as docker run -e arguments.
grid() {
  case $1 in
    mod_wsgi)
      local p t
      for pt in 1x2 1x5 1x10 2x2 2x5 3x5 4x5; do
        p=${pt%x*} t=${pt#*x}
        printf '%s\n' "-e MOD_WSGI_PROCESSES=$p -e MOD_WSGI_THREADS=$t"
      done ;;
    gunicorn)
      printf '%s\n' "-e WEB_CONCURRENCY=1" "-e WEB_CONCURRENCY=2" "-e WEB_CONCURRENCY=3" "-e WEB_CONCURRENCY=5" \
        "-e WEB_CONCURRENCY=1 -e GUNICORN_CMD_ARGS=--threads=4" "-e WEB_CONCURRENCY=2 -e GUNICORN_CMD_ARGS=--threads=4" ;;
    *) printf '%s\n' "-e WEB_CONCURRENCY=1" "-e WEB_CONCURRENCY=2" "-e WEB_CONCURRENCY=3" "-e WEB_CONCURRENCY=5" ;;
  esac
}

# placement CPUS: sets run_cpu (docker run flags) and wrk_cmd (how wrk runs).
placement() {
  local n=$1
  wrk_cmd=(wrk) run_cpu=()
  if [[ $PRIORITY == 1 ]]; then
    wrk_cmd=(nice -n -10 wrk) run_cpu=(--cpu-shares 16384)
  fi
  if [[ $LIMIT == quota ]]; then
    run_cpu+=(--cpus "$n")
  elif ((n < HOST_CPUS)); then
    run_cpu+=(--cpuset-cpus "$((HOST_CPUS - n))-$((HOST_CPUS - 1))")
    wrk_cmd=(taskset -c "0-$((HOST_CPUS - n - 1))" "${wrk_cmd[@]}")
  else
    run_cpu+=(--cpuset-cpus "0-$((HOST_CPUS - 1))")
  fi
}

# warm URL CONNECTIONS: an uncounted wrk run.
warm() {
  [[ $WARMUP == 0 || $WARMUP == 0s ]] || "${wrk_cmd[@]}" -t1 -c"$2" -d"$WARMUP" -H "Host: localhost" "$1" >/dev/null 2>&1 || true
}

# load URL CONNECTIONS [wrk flags...]: one wrk run; prints
# "req/s p50 p99 socket-errors non-2xx connect read write timeout requests".
load() {
  local out url=$1 conns=$2; shift 2
  out="$("${wrk_cmd[@]}" -t1 -c"$conns" -d"$DURATION" --latency -H "Host: localhost" "$@" "$url" 2>&1)" \
    || { echo "wrk failed: $out" >&2; echo "- - - - - - - - - -"; return; }
  awk '
    /Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = $2 }
    $1 == "99%" { p99 = $2 }
    /Socket errors:/ { gsub(",", ""); c = $4; r = $6; w = $8; t = $10 }
    /Non-2xx or 3xx responses:/ { non2xx = $5 }
    / requests in / { n = $1 }
    END { printf "%s %s %s %d %d %d %d %d %d %d\n", rps, p50, p99, c + r + w + t, non2xx, c, r, w, t, n }' <<<"$out"
}

# start NAME [docker run args...]: runs the image's web process; sets addr.
start() {
  local name=$1; shift
  containers+=("$name")
  docker run -d --name "$name" "${run_cpu[@]}" --memory 1g "$@" >/dev/null
  local ip
  ip="$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$name")"
  addr="http://$ip:8080"
  for _ in $(seq 1 120); do
    curl -fsS -o /dev/null -H "Host: localhost" "$addr$PAGE" 2>/dev/null && return 0
    sleep 0.5
  done
  docker logs "$name" >&2
  die "$name did not answer $PAGE (log above)"
}

stop() { docker rm -f "$1" >/dev/null; }

# cpu_ns NAME: the CPU time the container has used, in ns (cgroup v1 or v2).
cpu_ns() {
  docker exec "$1" sh -c 'cat /sys/fs/cgroup/cpuacct/cpuacct.usage 2>/dev/null ||
    awk "/^usage_usec/ { print \$2 * 1000 }" /sys/fs/cgroup/cpu.stat' 2>/dev/null || echo 0
}

# cpu_per_request NS_BEFORE NS_AFTER REQUESTS: CPU ms per request.
cpu_per_request() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { if (n > 0) printf "%.2f", (b - a) / 1e6 / n; else print "-" }'; }

rss() { docker stats --no-stream --format '{{.MemUsage}}' "$1" | cut -d/ -f1 | tr -d ' '; }

# derived NAME: what the startup log says warpdrive chose.
derived() {
  docker logs "$1" 2>&1 | sed -n 's/^-----> Concurrency: \([^(]*\) (.*/\1/p' | head -n1 | sed 's/ *$//'
}

seq_id=0
for server in $SERVERS; do
  image="$IMAGE_PREFIX-$server"
  if [[ $REUSE_IMAGES == 1 ]] && docker image inspect "$image" >/dev/null 2>&1; then
    step "Reusing $image"
  else
    step "Building the sample app for $server"
    "$WARPDRIVE_ROOT/scripts/pack-build.sh" "$image" "$app" --env "WARPDRIVE_SERVER_TYPE=$server" >"$work/build-$server.log" 2>&1 \
      || { cat "$work/build-$server.log" >&2; die "the $server build failed (log above)"; }
  fi
  for cpus in $CPUS; do
    placement "$cpus"
    mapfile -t configs < <(echo default; grid "$server")
    # Every configuration's container runs at once (the idle ones use no
    # CPU), so the rounds can interleave them closely: a burst of load from
    # elsewhere then hits every configuration alike.
    names=() addrs=() labels=()
    step "$server, $cpus CPU: starting ${#configs[@]} containers"
    for config in "${configs[@]}"; do
      env_args=()
      [[ $config == default ]] || read -r -a env_args <<<"$config"
      seq_id=$((seq_id + 1))
      name="warpdrive-serve-grid-$$-$seq_id"
      start "$name" ${env_args[@]+"${env_args[@]}"} "$image"
      names+=("$name") addrs+=("$addr")
      if [[ $config == default ]]; then labels+=("derived: $(derived "$name")"); else labels+=("${config//-e /}"); fi
    done
    for i in "${!names[@]}"; do warm "${addrs[$i]}$PAGE" "$CONNECTIONS"; done
    for round in $(seq 1 "$ROUNDS"); do
      step "$server, $cpus CPU, round $round of $ROUNDS"
      # Each round starts one configuration further on, so none is always
      # the first (or the last) to be loaded.
      for j in "${!names[@]}"; do
        i=$(((j + round - 1) % ${#names[@]}))
        name="${names[$i]}" addr="${addrs[$i]}"
        load1="$(cut -d' ' -f1 /proc/loadavg)"
        cpu0="$(cpu_ns "$name")"
        read -r prps pp50 pp99 perr pnon _ _ _ _ preqs <<<"$(load "$addr$PAGE" "$CONNECTIONS")"
        pcpu="$(cpu_per_request "$cpu0" "$(cpu_ns "$name")" "$preqs")"
        read -r srps sp50 sp99 serr snon _ <<<"$(load "$addr$STATIC" "$CONNECTIONS")"
        mem=-
        ((round < ROUNDS)) || mem="$(rss "$name")"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
          "$server" "$cpus" "$round" "${labels[$i]}" "$prps" "$pp50" "$pp99" "$perr" "$pnon" "$srps" "$sp50" "$sp99" "$serr" "$snon" "$mem" "$load1" "$pcpu" >>"$work/rows"
      done
    done
    for name in "${names[@]}"; do stop "$name"; done
    for conns in $LOAD_CONNECTIONS; do
      step "$server, $cpus CPU, derived default, $conns connections"
      seq_id=$((seq_id + 1))
      name="warpdrive-serve-grid-$$-$seq_id"
      start "$name" "$image"
      warm "$addr$PAGE" "$CONNECTIONS"
      read -r rps p50 p99 err non c r w t _ <<<"$(load "$addr$PAGE" "$conns" --timeout "$LOAD_TIMEOUT")"
      mem="$(rss "$name")"
      full="$(docker logs "$name" 2>&1 | grep -c 'MaxRequestWorkers' || true)"
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$server" "$cpus" "$conns" "$(derived "$name")" "$rps" "$p50" "$p99" "$err" "$c/$r/$w/$t" "$non" "$full" "$mem" >>"$work/conns"
      stop "$name"
    done
  done
done

if [[ $LIMIT == cpuset ]]; then
  where="container --cpuset-cpus (the last N of $HOST_CPUS CPUs) --memory 1g; wrk pinned to the other CPUs when N < $HOST_CPUS"
else
  where="container --cpus N --memory 1g; wrk unpinned"
fi
[[ $PRIORITY == 1 ]] && where="$where; container --cpu-shares 16384, wrk nice -10"
printf '\nwrk -t1 -c%s -d%s --latency (after a %s warm-up per container); page %s, static %s; %s; %s round(s); cpu ms = the container'"'"'s CPU time per page request; load = the host'"'"'s 1-minute load average before the page run\n\n' \
  "$CONNECTIONS" "$DURATION" "$WARMUP" "$PAGE" "$STATIC" "$where" "$ROUNDS"
printf '| %-9s | %s | %s | %-52s | %8s | %8s | %8s | %4s | %4s | %6s | %8s | %8s | %8s | %4s | %4s | %9s | %5s |\n' \
  server cpu "#" configuration "page r/s" "p50" "p99" "err" "!2xx" "cpu ms" "static" "p50" "p99" "err" "!2xx" "RSS" load
printf '|%s|\n' "-----------|-----|---|------------------------------------------------------|----------|----------|----------|------|------|--------|----------|----------|----------|------|------|-----------|-------"
awk -F'\t' '{ printf "| %-9s | %3s | %s | %-52s | %8s | %8s | %8s | %4s | %4s | %6s | %8s | %8s | %8s | %4s | %4s | %9s | %5s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $17, $10, $11, $12, $13, $14, $15, $16 }' "$work/rows"

# Summary per configuration over the rounds (page): req/s median, best and
# spread ((max - min) / median: how noisy the machine was), p99 median and
# best, CPU time per request, RSS; then the derived default against each
# configuration, paired by round (the median over the rounds of derived ÷
# configuration, each pair measured seconds apart). The verdict compares
# the derived default with the grid's best configuration by median req/s.
printf '\nSummary (page, %s rounds): "paired" = median over the rounds of derived ÷ this configuration\n\n' "$ROUNDS"
printf '| %-9s | %s | %-52s | %7s | %7s | %6s | %7s | %7s | %6s | %9s | %-16s |\n' server cpu configuration "r/s med" "r/s max" spread "p99 med" "p99 min" "cpu ms" RSS "paired: r/s, p99"
printf '|%s|\n' "-----------|-----|------------------------------------------------------|---------|---------|--------|---------|---------|--------|-----------|------------------"
awk -F'\t' -v out="$work/verdict" '
  function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v + 0 }
  function sorted(list, a,   n, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
    return n
  }
  function median(list,   a, n) { n = sorted(list, a); return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  function lo(list,   a) { sorted(list, a); return a[1] + 0 }
  function hi(list,   a, n) { n = sorted(list, a); return a[n] + 0 }
  {
    key = $1 SUBSEP $2; label = $4
    if (label ~ /^derived/) label = "derived"
    id = key SUBSEP label
    if (!(id in rps)) { order[++n] = id; name[id] = $4 }
    rps[id] = rps[id] " " $5; p99[id] = p99[id] " " ms($7); cpu[id] = cpu[id] " " $17
    if ($15 != "-") mem[id] = $15
    r[id, $3] = $5; q[id, $3] = ms($7); rounds[id] = rounds[id] " " $3
  }
  END {
    for (i = 1; i <= n; i++) {
      id = order[i]; split(id, k, SUBSEP); b = k[1] SUBSEP k[2]
      mr[id] = median(rps[id])
      if (k[3] != "derived" && mr[id] > best[b]) { best[b] = mr[id]; bestid[b] = id }
    }
    for (i = 1; i <= n; i++) {
      id = order[i]; split(id, k, SUBSEP); b = k[1] SUBSEP k[2]; d = b SUBSEP "derived"
      pr = ""; pq = ""; m = split(rounds[id], rs, " ")
      for (j = 1; j <= m; j++) if ((d, rs[j]) in r && r[id, rs[j]] > 0 && q[id, rs[j]] > 0) {
        pr = pr " " r[d, rs[j]] / r[id, rs[j]]; pq = pq " " q[d, rs[j]] / q[id, rs[j]]
      }
      paired[id] = pr == "" ? "-" : sprintf("%.3f, %.2f", median(pr), median(pq))
      printf "| %-9s | %3s | %-52s | %7.1f | %7.1f | %5.0f%% | %7.1f | %7.1f | %6.2f | %9s | %-16s |\n", k[1], k[2], (k[3] == "derived" ? name[id] : k[3]),
        mr[id], hi(rps[id]), 100 * (hi(rps[id]) - lo(rps[id])) / mr[id], median(p99[id]), lo(p99[id]), median(cpu[id]), (id in mem ? mem[id] : "-"),
        (k[3] == "derived" ? "" : paired[id])
      if (k[3] != "derived") pv[id] = paired[id]
    }
    for (b in best) {
      split(b, k, SUBSEP); split(pv[bestid[b]], v, ", ")
      split(bestid[b], bk, SUBSEP)
      printf "%s, %s CPU: the best grid row is %s; derived ÷ it, paired: r/s %.3f (target >= 0.97: %s), p99 %.2f (target <= 1.2: %s)\n",
        k[1], k[2], bk[3], v[1], (v[1] >= 0.97 ? "holds" : "does not hold"), v[2], (v[2] <= 1.2 ? "holds" : "does not hold") > out
    }
  }' "$work/rows"
printf '\n'
sort "$work/verdict"

if [[ -s $work/conns ]]; then
  printf '\nThe derived default under more connections: wrk -t1 -cN -d%s --latency --timeout %s (page); errors are connect/read/write/timeout; "full" counts Apache'"'"'s "reached MaxRequestWorkers" log lines\n\n' "$DURATION" "$LOAD_TIMEOUT"
  printf '| %-9s | %s | %5s | %-32s | %8s | %8s | %8s | %4s | %-13s | %5s | %4s | %9s |\n' server cpu conns derived "r/s" p50 p99 err "c/r/w/t" "!2xx" full RSS
  printf '|%s|\n' "-----------|-----|-------|----------------------------------|----------|----------|----------|------|---------------|-------|------|-----------"
  awk -F'\t' '{ printf "| %-9s | %3s | %5s | %-32s | %8s | %8s | %8s | %4s | %-13s | %5s | %4s | %9s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 }' "$work/conns"
fi
