#!/usr/bin/env bash
# Builds the CNB tools this project tests with from their Go module sources (no
# GitHub downloads here): `pack` and the lifecycle (`lifecycle`, `launcher`),
# then assembles the lifecycle tarball that `pack builder create` accepts.
#
# Outputs (cached, keyed by version and this script):
#   $WARPDRIVE_CACHE/tools/<key>/pack
#   $WARPDRIVE_CACHE/tools/<key>/lifecycle.tgz
# Prints the tools directory on stdout.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

key="$(recipe_key "${BASH_SOURCE[0]}" -- "$PACK_VERSION" "$LIFECYCLE_VERSION" "$(go env GOVERSION)")"
out="$WARPDRIVE_CACHE/tools/$key"

if [[ -x $out/pack && -f $out/lifecycle.tgz ]]; then
  info "pack $PACK_VERSION and lifecycle $LIFECYCLE_VERSION: reusing $out"
  echo "$out"
  exit 0
fi

command -v go >/dev/null || die "go is not installed." "Install Go 1.24 or newer (https://go.dev/doc/install)."

start=$(date +%s)
mkdir -p "$WARPDRIVE_CACHE"
work="$(mktemp -d "$WARPDRIVE_CACHE/tools-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# A throwaway module per tool: the proxy refuses version lists and some checksum
# look-ups, so pin exact versions and skip the checksum database.
build_in_scratch_module() { # name module@version package output ldflags [env...]
  local name=$1 modver=$2 pkg=$3 output=$4 ldflags=$5; shift 5
  local dir="$work/$name"
  mkdir -p "$dir"
  (cd "$dir" && printf 'module scratch/%s\n\ngo 1.24\n' "$name" > go.mod \
    && GOSUMDB=off GOFLAGS=-mod=mod go get "$modver" >"$dir/get.log" 2>&1 \
    && env GOSUMDB=off GOFLAGS=-mod=mod "$@" go build -trimpath -ldflags "-s -w $ldflags" -o "$output" "$pkg" >"$dir/build.log" 2>&1) \
    || { cat "$dir"/*.log >&2; die "building $name ($modver) from the Go module proxy failed (log above)." \
           "Check that the Go module proxy is reachable: go env GOPROXY"; }
}

mkdir -p "$work/out/lifecycle"
step "Building pack $PACK_VERSION from source"
build_in_scratch_module pack "github.com/buildpacks/pack@$PACK_VERSION" github.com/buildpacks/pack "$work/out/pack" \
  "-X github.com/buildpacks/pack/pkg/client.Version=${PACK_VERSION#v}" CGO_ENABLED=0
info "pack built ($(elapsed "$start"))"

step "Building lifecycle $LIFECYCLE_VERSION (lifecycle, launcher) from source"
lc="github.com/buildpacks/lifecycle"
for bin in lifecycle launcher; do
  # The version is stamped into the binaries, as a release build does.
  build_in_scratch_module "lifecycle-$bin" "$lc@$LIFECYCLE_VERSION" "$lc/cmd/$bin" "$work/out/lifecycle/$bin" \
    "-X $lc/cmd.Version=${LIFECYCLE_VERSION#v}" CGO_ENABLED=0 GOOS=linux GOARCH=amd64
done
info "lifecycle built ($(elapsed "$start"))"

# The tarball layout pack expects: lifecycle.toml at the root, the binaries under
# lifecycle/, and one symlink to `lifecycle` per phase.
for phase in detector analyzer restorer builder exporter rebaser creator extender; do
  ln -s lifecycle "$work/out/lifecycle/$phase"
done
cat > "$work/out/lifecycle.toml" <<TOML
[apis]
[apis.buildpack]
  deprecated = []
  supported = ["0.7", "0.8", "0.9", "0.10", "0.11"]
[apis.platform]
  deprecated = []
  supported = ["0.7", "0.8", "0.9", "0.10", "0.11", "0.12", "0.13", "0.14"]

[lifecycle]
  version = "${LIFECYCLE_VERSION#v}"
TOML
tar -C "$work/out" --owner=0 --group=0 -czf "$work/out/lifecycle.tgz" lifecycle.toml lifecycle
rm -rf "$work/out/lifecycle" "$work/out/lifecycle.toml"

mkdir -p "$(dirname "$out")"
# Tools from older recipes are no longer used.
find "$(dirname "$out")" -mindepth 1 -maxdepth 1 -type d ! -name "$key" -exec rm -rf {} +
rm -rf "$out"
mv "$work/out" "$out"
info "tools ready in $out ($(elapsed "$start"))"
echo "$out"
