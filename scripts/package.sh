#!/usr/bin/env bash
# Packages the buildpack into a .cnb file with `pack buildpack package`.
#
#   scripts/package.sh [--arch ARCH] [--output FILE] [--python-manifest TSV --python-base-url URL]
#
# --python-manifest replaces buildpack.toml's CPython dependencies with the
# artifacts a manifest lists (lines: version, arch, file name, sha256), served
# at --python-base-url: how the offline tests use CPython built on this machine.
# The product's buildpack.toml keeps the python-build-standalone URLs.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

arch="$(go env GOARCH)"
output=""
manifest=""
base_url=""
while (($#)); do
  case $1 in
    --arch) arch=$2; shift 2 ;;
    --output) output=$2; shift 2 ;;
    --python-manifest) manifest=$2; shift 2 ;;
    --python-base-url) base_url=$2; shift 2 ;;
    *) die "unknown option $1" "usage: scripts/package.sh [--arch ARCH] [--output FILE] [--python-manifest TSV --python-base-url URL]" ;;
  esac
done
version="$(sed -n 's/^  version = "\(.*\)"/\1/p' "$WARPDRIVE_ROOT/buildpack.toml" | head -1)"
output="${output:-$WARPDRIVE_ROOT/out/warpdrive-$version-$arch.cnb}"
pack="${PACK:-$("$WARPDRIVE_ROOT/scripts/harness/tools.sh")/pack}"

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
"$WARPDRIVE_ROOT/scripts/build.sh" "$stage" "$arch" >/dev/null
root="$stage/$arch"
cp "$WARPDRIVE_ROOT/README.md" "$WARPDRIVE_ROOT/LICENSE" "$root/"

if [[ -n $manifest ]]; then
  [[ -f $manifest ]] || die "no Python manifest at $manifest" "Run scripts/harness/cpython.sh first."
  # Keep everything above the dependency list, then declare the local artifacts.
  sed '/# DEPENDENCIES:/,$d' "$WARPDRIVE_ROOT/buildpack.toml" > "$root/buildpack.toml"
  echo "  # Locally built CPython (scripts/harness/cpython.sh), for offline tests." >> "$root/buildpack.toml"
  while IFS=$'\t' read -r pyver pyarch file sha; do
    [[ -n $pyver ]] || continue
    cat >> "$root/buildpack.toml" <<TOML

  [[metadata.dependencies]]
    id = "cpython"
    name = "CPython"
    version = "$pyver"
    arch = "$pyarch"
    uri = "$base_url/$file"
    checksum = "sha256:$sha"
    purls = ["pkg:generic/python@$pyver?arch=$pyarch"]
    cpes = ["cpe:2.3:a:python:python:$pyver:*:*:*:*:*:*:*"]

    [[metadata.dependencies.licenses]]
      type = "PSF-2.0"
TOML
  done < "$manifest"
else
  cp "$WARPDRIVE_ROOT/buildpack.toml" "$root/"
fi
cat > "$root/package.toml" <<TOML
[buildpack]
  uri = "."

[[targets]]
  os = "linux"
  arch = "$arch"
TOML

mkdir -p "$(dirname "$output")"
partial="${output%.cnb}.partial.cnb"
"$pack" buildpack package "$partial" --config "$root/package.toml" --format file --target "linux/$arch" >&2 \
  || die "pack buildpack package failed (output above)."
mv "$partial" "$output"
info "packaged $output"
echo "$output"
