#!/usr/bin/env bash
# The project's test command: unit tests, then the integration tests, which
# build real applications with `pack build` and run them with `docker run`.
#   scripts/test.sh               # everything
#   scripts/test.sh -run Django   # integration tests matching a pattern
# First run on a fresh machine: about 55 minutes (it builds the offline world,
# 13 to 19 minutes); then about 30 minutes, two integration tests at a time.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$WARPDRIVE_ROOT"

step "Unit tests"
# Some unit tests run Python (the build's probes, the generated modules) and
# fail without python3 rather than skip: install it where it is missing and
# this runs as root (CI).
if ! command -v python3 >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    info "python3 is missing: installing it with apt-get (the unit tests run Python)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 >/dev/null
  else
    die "python3 is needed by the unit tests: install it (apt-get install python3)"
  fi
fi
# The migrate test starts a PostgreSQL server of Debian's, as the tests start
# the package index and the registry.
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  info "PostgreSQL's server is missing: installing Debian's postgresql with apt-get (the migrate test runs one)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
go vet ./...
go vet -tags integration ./integration/
go test ./...

step "Buildpack binaries for linux/amd64 and linux/arm64 (static)"
bins="$(mktemp -d)"
trap 'rm -rf "$bins"' EXIT
"$WARPDRIVE_ROOT/scripts/build.sh" "$bins" amd64 arm64

step "Integration tests"
"$WARPDRIVE_ROOT/scripts/integration.sh" "$@"
