#!/usr/bin/env bash
# The demo: sets up the offline world (first run about 12 minutes, then
# seconds), builds the sample Django app in samples/mydjangosite with the
# warpdrive builder, and runs it on http://127.0.0.1:8080/.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
need_docker
start=$(date +%s)
image="warpdrive-demo/mydjangosite"
name="warpdrive-demo"
port="${WARPDRIVE_DEMO_PORT:-8080}"

"$WARPDRIVE_ROOT/scripts/pack-build.sh" "$image" "$WARPDRIVE_ROOT/samples/mydjangosite"

docker rm -f "$name" >/dev/null 2>&1 || true
docker run -d --name "$name" -p "127.0.0.1:$port:8080" "$image" >/dev/null
for _ in $(seq 1 120); do
  if curl -fs -o /dev/null "http://127.0.0.1:$port/admin/login/"; then
    step "The sample Django app is running ($(elapsed "$start") in all)"
    info "Admin login page: http://127.0.0.1:$port/admin/login/"
    info "Its stylesheet:   http://127.0.0.1:$port/static/admin/css/base.css"
    info "Server log:       docker logs -f $name"
    info "Stop it:          docker rm -f $name"
    exit 0
  fi
  [[ "$(docker inspect --format '{{.State.Status}}' "$name")" == running ]] || break
  sleep 0.5
done
docker logs "$name" >&2
die "the demo container did not answer on 127.0.0.1:$port (its log is above)."
