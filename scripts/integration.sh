#!/usr/bin/env bash
# Integration tests: sets up the offline world (cached), then runs the Go tests
# in integration/ that `pack build` fixture apps and `docker run` them.
#   scripts/integration.sh [go test flags, e.g. -run Django]
# Two tests run at once (WARPDRIVE_TEST_PARALLEL, 1 for one at a time); the
# ones reading a shared log or timing the lifecycle run alone, first.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
need_docker
cd "$WARPDRIVE_ROOT"
"$WARPDRIVE_ROOT/scripts/setup.sh"
go test -tags integration -count=1 -v -timeout 80m -parallel "${WARPDRIVE_TEST_PARALLEL:-2}" ./integration/ "$@"
