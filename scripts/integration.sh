#!/usr/bin/env bash
# Integration tests: sets up the offline world (cached), then runs the Go tests
# in integration/ that `pack build` fixture apps and `docker run` them.
#   scripts/integration.sh [go test flags, e.g. -run Django]
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
need_docker
cd "$WARPDRIVE_ROOT"
"$WARPDRIVE_ROOT/scripts/setup.sh"
go test -tags integration -count=1 -v -timeout 80m ./integration/ "$@"
