#!/usr/bin/env bash
# Runs the pack CLI this project builds from source (tools.sh), e.g.
#   scripts/pack.sh inspect IMAGE
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
exec "$("$WARPDRIVE_ROOT/scripts/harness/tools.sh")/pack" "$@"
