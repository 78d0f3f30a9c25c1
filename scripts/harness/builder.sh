#!/usr/bin/env bash
# Creates the builder warpdrive/builder:bookworm: the build and run images from
# base-images.sh, the lifecycle from tools.sh, and the buildpack packaged from
# the working tree with the locally built CPython as its Python dependency.
#
# Reused while the buildpack's sources, the images, the lifecycle and the
# CPython artifacts are unchanged; otherwise rebuilt (about 20 s).
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
need_docker

tools="$("$WARPDRIVE_ROOT/scripts/harness/tools.sh")"
manifest="$WARPDRIVE_CACHE/www/python/manifest.tsv"
[[ -f $manifest ]] || die "no CPython artifacts ($manifest is missing)." "Run scripts/harness/cpython.sh first."
for image in "$WARPDRIVE_BUILD_IMAGE" "$WARPDRIVE_RUN_IMAGE"; do
  docker image inspect "$image" >/dev/null 2>&1 || die "the image $image is missing." "Run scripts/harness/base-images.sh first."
done

# Everything the builder is made of.
sources=$(cd "$WARPDRIVE_ROOT" && git ls-files -co --exclude-standard -- '*.go' go.mod go.sum buildpack.toml README.md LICENSE scripts/package.sh scripts/build.sh 2>/dev/null \
  || find . -name '*.go' -o -name go.mod -o -name go.sum -o -name buildpack.toml)
key="$(cd "$WARPDRIVE_ROOT" && recipe_key "${BASH_SOURCE[0]}" $(echo "$sources" | sort) "$manifest" "$tools/lifecycle.tgz" -- \
  "$(image_label "$WARPDRIVE_BUILD_IMAGE" dev.warpdrive.recipe)" "$(image_label "$WARPDRIVE_RUN_IMAGE" dev.warpdrive.recipe)" \
  "$WARPDRIVE_INDEX_URL")"
stamp="$WARPDRIVE_CACHE/builder/$key"
if [[ -f $stamp ]] && [[ "$(docker image inspect --format '{{.Id}}' "$WARPDRIVE_BUILDER" 2>/dev/null)" == "$(cat "$stamp")" ]]; then
  info "builder $WARPDRIVE_BUILDER: reusing (recipe $key)"
  exit 0
fi

start=$(date +%s)
step "Creating the builder $WARPDRIVE_BUILDER (recipe $key)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cnb="$(PACK="$tools/pack" "$WARPDRIVE_ROOT/scripts/package.sh" --arch amd64 --output "$work/warpdrive.cnb" \
  --python-manifest "$manifest" --python-base-url "$WARPDRIVE_INDEX_URL/python")"
version="$(sed -n 's/^  version = "\(.*\)"/\1/p' "$WARPDRIVE_ROOT/buildpack.toml" | head -1)"

cat > "$work/builder.toml" <<TOML
description = "warpdrive: Debian 12 with Apache httpd and build tools, for Python web applications"

[[buildpacks]]
  uri = "$cnb"

[[order]]
  [[order.group]]
    id = "warpdrive"
    version = "$version"

[build]
  image = "$WARPDRIVE_BUILD_IMAGE"

[[run.images]]
  image = "$WARPDRIVE_RUN_IMAGE"

[lifecycle]
  uri = "$tools/lifecycle.tgz"

[[targets]]
  os = "linux"
  arch = "amd64"
TOML

tmp="${WARPDRIVE_BUILDER%%:*}:building-$$"
"$tools/pack" builder create "$tmp" --config "$work/builder.toml" --pull-policy never >&2 \
  || die "pack builder create failed (output above)."
docker tag "$tmp" "$WARPDRIVE_BUILDER"
docker rmi "$tmp" >/dev/null
mkdir -p "$(dirname "$stamp")"
docker image inspect --format '{{.Id}}' "$WARPDRIVE_BUILDER" > "$stamp"
info "builder $WARPDRIVE_BUILDER ready ($(elapsed "$start"))"
