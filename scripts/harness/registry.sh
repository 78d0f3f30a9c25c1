#!/usr/bin/env bash
# registry.sh start|stop|status|builder
#
# A real OCI registry on loopback, for the tests of `pack build --publish`,
# `pack rebase` and the lifecycle run without pack (as kpack and Tekton run it):
# Debian's docker-registry package (the CNCF distribution registry), unpacked
# into $WARPDRIVE_CACHE/registry (no service is installed or started by apt),
# serving http://$WARPDRIVE_REGISTRY (127.0.0.1:7398 unless set). Docker, pack
# and the lifecycle all treat a 127.0.0.0/8 registry as plain HTTP.
#   start    no-op when the registry already answers; otherwise installs it if
#            needed, starts it detached and waits until /v2/ answers.
#   stop     stops the registry this script started (pidfile), if any.
#   status   exits 0 iff /v2/ answers.
#   builder  starts it, then publishes the build image, the run image and a
#            builder naming them to it (scripts/harness/builder.sh --registry);
#            prints the builder's name.
#   logfile  prints the path of the registry's log.
# Storage: $WARPDRIVE_CACHE/registry/data (kept, so a rerun pushes nothing).
# Pidfile and log (with the access log): $WARPDRIVE_CACHE/run/registry-<port>.{pid,log}
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

port="${WARPDRIVE_REGISTRY_PORT:-7398}"
host="127.0.0.1:$port"
[[ -n ${WARPDRIVE_REGISTRY:-} && $WARPDRIVE_REGISTRY != "$host" ]] \
  && die "WARPDRIVE_REGISTRY=$WARPDRIVE_REGISTRY: set WARPDRIVE_REGISTRY_PORT instead (the registry listens on 127.0.0.1)."
home="$WARPDRIVE_CACHE/registry"
run="$WARPDRIVE_CACHE/run"
pidfile="$run/registry-$port.pid"
logfile="$run/registry-$port.log"
config="$run/registry-$port.yml"
START_TIMEOUT="${WARPDRIVE_SERVE_TIMEOUT:-15}"

answering() { curl -fsS -o /dev/null --max-time 3 "http://$host/v2/" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
our_pid() {
  local pid
  [[ -f $pidfile ]] || return 1
  pid="$(<"$pidfile")"
  [[ $pid =~ ^[0-9]+$ ]] && [[ -r /proc/$pid/cmdline ]] || return 1
  [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" == *"docker-registry serve $config "* ]] || return 1
  echo "$pid"
}

# registry_binary: prints the path of docker-registry, unpacking Debian's
# package into $home/<version> the first time (apt-get download needs no root
# and runs no maintainer script, so nothing is started as a system service).
registry_binary() {
  if command -v docker-registry >/dev/null; then command -v docker-registry; return; fi
  local version dir work
  version="$(apt-cache policy docker-registry 2>/dev/null | sed -n 's/^ *Candidate: //p')"
  [[ -n $version && $version != "(none)" ]] || die "Debian's docker-registry package is not in apt's lists." \
    "Run apt-get update (the package is in bookworm's main), then this again."
  dir="$home/$version"
  if [[ ! -x $dir/usr/bin/docker-registry ]]; then
    step "Installing docker-registry $version (Debian's package, unpacked into $dir)"
    work="$(mktemp -d)"
    (cd "$work" && apt-get download "docker-registry=$version" >&2) \
      || { rm -rf "$work"; die "apt-get download docker-registry=$version failed (output above)."; }
    mkdir -p "$dir"
    dpkg-deb -x "$work"/docker-registry_*.deb "$dir"
    rm -rf "$work"
  fi
  echo "$dir/usr/bin/docker-registry"
}

cmd_status() {
  if answering; then info "registry answering at http://$host/v2/"; return 0; fi
  info "registry not answering at http://$host/v2/"
  return 1
}

cmd_start() {
  if answering; then info "registry already answering at http://$host/v2/"; return 0; fi
  if pid="$(our_pid)"; then
    terminate "$pid" || true
  fi
  port_open && die "port $port on 127.0.0.1 is taken by something that is not a registry." \
    "See what holds it: ss -ltnp 'sport = :$port'" "or choose another port: export WARPDRIVE_REGISTRY_PORT=..."
  local bin
  bin="$(registry_binary)"
  mkdir -p "$home/data" "$run"
  # Access log on (the tests read it to prove a republish uploads no layer);
  # deletes on, so tests can remove what they pushed.
  cat >"$config" <<YAML
version: 0.1
log:
  level: info
  formatter: text
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $home/data
  delete:
    enabled: true
http:
  addr: $host
YAML
  rm -f "$pidfile"
  setsid bash -c 'echo $$ >"$1"; exec "$2" serve "$3" ' _ "$pidfile" "$bin" "$config" </dev/null >>"$logfile" 2>&1 &
  local deadline=$((SECONDS + START_TIMEOUT))
  until answering; do
    if ((SECONDS >= deadline)) || { [[ -f $pidfile ]] && ! kill -0 "$(<"$pidfile")" 2>/dev/null; }; then
      tail -n 20 "$logfile" >&2 || true
      die "the registry did not start on $host (log above: $logfile)."
    fi
    sleep 0.1
  done
  info "registry serving at http://$host (pid $(<"$pidfile"), data $home/data, log $logfile)"
}

cmd_stop() {
  local pid
  if ! pid="$(our_pid)"; then
    rm -f "$pidfile"
    info "registry not running (or not started by registry.sh)"
    return 0
  fi
  terminate "$pid" || kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  info "registry stopped (pid $pid)"
}

cmd_builder() {
  cmd_start
  "$WARPDRIVE_ROOT/scripts/setup.sh" >&2
  "$WARPDRIVE_ROOT/scripts/harness/builder.sh" --registry "$host"
  echo "$host/$WARPDRIVE_BUILDER"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  builder) cmd_builder ;;
  logfile) echo "$logfile" ;;
  *) die "usage: $0 start|stop|status|builder|logfile" ;;
esac
