#!/usr/bin/env bash
# Shared helpers for the warpdrive scripts. Source it; do not run it.
#
# Everything expensive (base images, CPython builds, the package index, pack and
# the lifecycle) is cached outside the repository under $WARPDRIVE_CACHE, keyed by
# the recipe that produced it, so a second run of any script takes seconds.

set -euo pipefail

WARPDRIVE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WARPDRIVE_CACHE="${WARPDRIVE_CACHE:-$HOME/.cache/warpdrive}"
# The loopback HTTP server that serves the local package index (/simple/) and the
# CPython artifacts (/python/) to builds running with `pack build --network host`.
WARPDRIVE_INDEX_PORT="${WARPDRIVE_INDEX_PORT:-7399}"
WARPDRIVE_INDEX_URL="http://127.0.0.1:${WARPDRIVE_INDEX_PORT}"

# Image names of the offline world.
WARPDRIVE_BUILD_IMAGE="${WARPDRIVE_BUILD_IMAGE:-warpdrive/build:bookworm}"
WARPDRIVE_RUN_IMAGE="${WARPDRIVE_RUN_IMAGE:-warpdrive/run:bookworm}"
WARPDRIVE_BUILDER="${WARPDRIVE_BUILDER:-warpdrive/builder:bookworm}"

PACK_VERSION="v0.38.2"
LIFECYCLE_VERSION="v0.20.11"

export WARPDRIVE_CACHE

step() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
info() { printf '    %s\n' "$*" >&2; }
die() {
  printf '\033[31mERROR: %s\033[0m\n' "$1" >&2
  shift
  for line in "$@"; do printf '       %s\n' "$line" >&2; done
  exit 1
}

# recipe_key FILE... [-- STRING...]: a short content hash of the given files and
# strings. Caches are keyed by it, so changing a recipe invalidates its output.
recipe_key() {
  local files=() strings=()
  while (($#)); do
    if [[ $1 == -- ]]; then shift; strings=("$@"); break; fi
    files+=("$1"); shift
  done
  { for f in "${files[@]}"; do printf '%s\n' "$(basename "$f")"; cat "$f"; done
    printf '%s\n' "${strings[@]+"${strings[@]}"}"; } | sha256sum | cut -c1-16
}

need_docker() {
  command -v docker >/dev/null 2>&1 || die "docker is not installed." \
    "Install Docker Engine (Debian: apt-get install docker.io) and start it."
  docker info >/dev/null 2>&1 || die "the Docker engine is not running (docker info failed)." \
    "Start it (systemctl start docker, or dockerd &) and run this again."
}

# image_label IMAGE LABEL: prints the label's value, or nothing if the image is absent.
image_label() {
  docker image inspect --format "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true
}

# terminate PID: SIGTERM, then up to 5 s for the process to exit; fails if it
# has not (the caller decides whether to SIGKILL it).
terminate() {
  kill "$1" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  return 1
}

# elapsed START: seconds since START (from `date +%s`).
elapsed() { echo "$(( $(date +%s) - $1 ))s"; }
