#!/usr/bin/env bash
# Sets up the offline world this project builds and tests with, every step
# cached outside the repository ($WARPDRIVE_CACHE) and skipped when its recipe
# is unchanged:
#   pack and the lifecycle, built from their Go modules   (tools.sh)
#   Debian 12 build and run images, from Debian packages  (base-images.sh)
#   CPython 3.13 and 3.11, built from upstream sources    (cpython.sh)
#   a local Python package index, from Debian packages    (pyindex.sh, serve.sh)
#   the builder with the buildpack from this working tree (builder.sh)
# First run: about 10 minutes on 2 cores; then seconds.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
need_docker
start=$(date +%s)
h="$WARPDRIVE_ROOT/scripts/harness"
"$h/tools.sh" >/dev/null
"$h/base-images.sh"
"$h/cpython.sh"
"$h/pyindex.sh"
"$h/serve.sh" start
"$h/builder.sh"
info "offline world ready ($(elapsed "$start"))"
