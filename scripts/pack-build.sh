#!/usr/bin/env bash
# Builds an application directory into a local image with the offline builder,
# setting up whatever is missing on first use.
#
#   scripts/pack-build.sh IMAGE APP_DIR [pack build flags...]
#
# pip installs only from the local package index (PIP_INDEX_URL, a trusted
# host), which the build reaches over loopback (--network host).
# WARPDRIVE_PIP_INDEX_ENV=0 leaves both unset, for apps whose lock file names
# the index itself.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

(($# >= 2)) || die "usage: scripts/pack-build.sh IMAGE APP_DIR [pack build flags...]"
image=$1 app=$2; shift 2
[[ -d $app ]] || die "no application directory at $app"

# PIP_TRUSTED_HOST: pip caches downloads only from HTTPS or trusted hosts, and
# this index is plain HTTP; with it, pip's cache works as it does against PyPI.
index_env=(--env "PIP_INDEX_URL=$WARPDRIVE_INDEX_URL/simple/" --env "PIP_TRUSTED_HOST=127.0.0.1:$WARPDRIVE_INDEX_PORT")
[[ ${WARPDRIVE_PIP_INDEX_ENV:-1} == 0 ]] && index_env=()

"$WARPDRIVE_ROOT/scripts/setup.sh" >&2
pack="$("$WARPDRIVE_ROOT/scripts/harness/tools.sh")/pack"
exec "$pack" build "$image" --path "$app" --builder "$WARPDRIVE_BUILDER" \
  --pull-policy never --trust-builder --network host \
  "${index_env[@]}" "$@"
