#!/usr/bin/env bash
# serve.sh start|stop|status
#
# Serves $WARPDRIVE_CACHE/www (the package index under /simple/, CPython artifacts
# under /python/) on http://127.0.0.1:$WARPDRIVE_INDEX_PORT with python3's
# http.server and PyPI's Cache-Control headers (indexserver.py), detached from
# the caller (it outlives the script that started it).
#   start   no-op when the index already answers; otherwise starts the server and
#           waits until /simple/ answers. Fails if the port is held by something else.
#   stop    stops the server this script started (pidfile), if any.
#   status  exits 0 iff $WARPDRIVE_INDEX_URL/simple/ answers.
# Pidfile and log: $WARPDRIVE_CACHE/run/index-server-<port>.{pid,log}
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
shopt -s extglob

www="$WARPDRIVE_CACHE/www"
run="$WARPDRIVE_CACHE/run"
pidfile="$run/index-server-$WARPDRIVE_INDEX_PORT.pid"
logfile="$run/index-server-$WARPDRIVE_INDEX_PORT.log"
START_TIMEOUT="${WARPDRIVE_SERVE_TIMEOUT:-15}"

answering() { # PATH: true iff the server returns 200 for it
  curl -fsS -o /dev/null --max-time 3 "$WARPDRIVE_INDEX_URL$1" 2>/dev/null
}
port_open() { # true iff something accepts TCP connections on the port
  (exec 3<>"/dev/tcp/127.0.0.1/$WARPDRIVE_INDEX_PORT") 2>/dev/null
}
# our_pid: prints the pid from the pidfile if that process is our http.server.
our_pid() {
  local pid
  [[ -f $pidfile ]] || return 1
  pid="$(<"$pidfile")"
  [[ $pid =~ ^[0-9]+$ ]] && [[ -r /proc/$pid/cmdline ]] || return 1
  # (http.server: the server before indexserver.py, replaced at the next start)
  [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" == *@(indexserver.py|http.server)" --bind 127.0.0.1 --directory $www $WARPDRIVE_INDEX_PORT "* ]] \
    || return 1
  echo "$pid"
}
# The page that proves the index is served: /simple/ once pyindex.sh has built it.
probe_path() { if [[ -f $www/simple/index.html ]]; then echo /simple/; else echo /; fi; }

cmd_status() {
  if answering /simple/; then
    info "package index answering at $WARPDRIVE_INDEX_URL/simple/ (pid $(our_pid || echo '?, not started by serve.sh'))"
    return 0
  fi
  info "package index not answering at $WARPDRIVE_INDEX_URL/simple/"
  return 1
}

# current: the index answers with PyPI's caching headers (indexserver.py).
current() {
  curl -fsSI --max-time 3 "$WARPDRIVE_INDEX_URL/simple/" 2>/dev/null | grep -qi '^cache-control:'
}

cmd_start() {
  if answering /simple/ && { current || ! our_pid >/dev/null; }; then
    info "package index already answering at $WARPDRIVE_INDEX_URL/simple/"
    return 0
  fi
  if pid="$(our_pid)" && answering / && ! answering /simple/; then
    info "index server running (pid $pid), but $www/simple has no index yet: run scripts/harness/pyindex.sh"
    return 0
  fi
  if pid="$(our_pid)"; then
    # Ours, but it does not answer: restart it.
    terminate "$pid" || true
  fi
  if port_open; then
    die "port $WARPDRIVE_INDEX_PORT on 127.0.0.1 is taken by something else (it does not serve /simple/)." \
      "See what holds it: ss -ltnp 'sport = :$WARPDRIVE_INDEX_PORT'" \
      "or choose another port: export WARPDRIVE_INDEX_PORT=..."
  fi
  command -v python3 >/dev/null || die "python3 is not installed (the index server is python3 -m http.server)."
  mkdir -p "$www" "$run"
  [[ -f $www/simple/index.html ]] || info "no package index in $www/simple yet: run scripts/harness/pyindex.sh"
  rm -f "$pidfile"
  # setsid: own session, so it survives the caller's terminal and process group.
  # The inner shell writes its own pid and execs the server, so the pidfile is the server.
  setsid bash -c 'echo $$ >"$1"; exec python3 "$4" --bind 127.0.0.1 --directory "$2" "$3"' \
    _ "$pidfile" "$www" "$WARPDRIVE_INDEX_PORT" "$WARPDRIVE_ROOT/scripts/harness/indexserver.py" </dev/null >"$logfile" 2>&1 &
  local probe deadline=$((SECONDS + START_TIMEOUT))
  probe="$(probe_path)"
  until answering "$probe"; do
    if ((SECONDS >= deadline)); then
      tail -n 20 "$logfile" >&2 || true
      die "the index server did not answer $WARPDRIVE_INDEX_URL$probe within ${START_TIMEOUT}s (log above: $logfile)."
    fi
    if [[ -f $pidfile ]] && ! kill -0 "$(<"$pidfile")" 2>/dev/null; then
      tail -n 20 "$logfile" >&2 || true
      die "the index server exited at start (log above: $logfile)." \
        "If the port is taken: ss -ltnp 'sport = :$WARPDRIVE_INDEX_PORT'"
    fi
    sleep 0.1
  done
  info "serving $www at $WARPDRIVE_INDEX_URL (pid $(<"$pidfile"), log $logfile)"
}

cmd_stop() {
  local pid
  if ! pid="$(our_pid)"; then
    rm -f "$pidfile"
    if answering /simple/; then
      info "an index on port $WARPDRIVE_INDEX_PORT answers, but serve.sh did not start it: left alone"
    else
      info "index server not running"
    fi
    return 0
  fi
  terminate "$pid" || kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  info "index server stopped (pid $pid)"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) die "usage: $0 start|stop|status" ;;
esac
