#!/usr/bin/env bash
# Builds the buildpack's binary for each target (static, no cgo) and links
# bin/detect and bin/build to it, the layout libcnb dispatches on.
#   scripts/build.sh                 # bin/ for the host architecture
#   scripts/build.sh OUT_DIR ARCH... # OUT_DIR/<arch>/bin for each ARCH
set -euo pipefail
cd "$(dirname "$0")/.."

build_one() { # dir arch
  local dir=$1 arch=$2
  mkdir -p "$dir/bin"
  GOOS=linux GOARCH="$arch" CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$dir/bin/main" ./cmd/main
  ln -sf main "$dir/bin/detect"
  ln -sf main "$dir/bin/build"
}

if (($# == 0)); then
  build_one . "$(go env GOARCH)"
  echo "built bin/main for linux/$(go env GOARCH)"
  exit 0
fi
out=$1; shift
for arch in "$@"; do
  build_one "$out/$arch" "$arch"
  echo "built $out/$arch/bin/main"
done
