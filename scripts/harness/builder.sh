#!/usr/bin/env bash
# Creates the builder warpdrive/builder:bookworm: the build and run images from
# base-images.sh, the lifecycle from tools.sh, and the buildpack packaged from
# the working tree with the locally built CPython as its Python dependency.
#
# Reused while the buildpack's sources, the images, the lifecycle and the
# CPython artifacts are unchanged; otherwise rebuilt (about 20 s).
#
#   scripts/harness/builder.sh                  # warpdrive/builder:bookworm
#   scripts/harness/builder.sh --without-apache # warpdrive/builder-noapache:bookworm
#
# The second is the same builder with Apache's development files (apxs) removed
# from its build image: the tests use it to check what a user of a builder
# without Apache is told.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
need_docker

build_image="$WARPDRIVE_BUILD_IMAGE"
builder="$WARPDRIVE_BUILDER"
if [[ ${1:-} == --without-apache ]]; then
  "$WARPDRIVE_ROOT/scripts/harness/builder.sh" # the variant derives from the same inputs
  build_image="${WARPDRIVE_BUILD_IMAGE%%:*}-noapache:bookworm"
  builder="${WARPDRIVE_BUILDER%%:*}-noapache:bookworm"
  base_id="$(docker image inspect --format '{{.Id}}' "$WARPDRIVE_BUILD_IMAGE")"
  if [[ "$(image_label "$build_image" dev.warpdrive.base)" != "$base_id" ]]; then
    step "Deriving $build_image (no apxs) from $WARPDRIVE_BUILD_IMAGE"
    # No network needed: FROM a local image, and a RUN that only deletes files.
    docker build -q -t "$build_image" --label "dev.warpdrive.base=$base_id" - >/dev/null <<DOCKERFILE
FROM $WARPDRIVE_BUILD_IMAGE
USER 0:0
RUN rm -f /usr/bin/apxs /usr/bin/apxs2 /usr/sbin/apxs /usr/sbin/apxs2
USER 1000:1000
DOCKERFILE
  fi
fi

tools="$("$WARPDRIVE_ROOT/scripts/harness/tools.sh")"
manifest="$WARPDRIVE_CACHE/www/python/manifest.tsv"
[[ -f $manifest ]] || die "no CPython artifacts ($manifest is missing)." "Run scripts/harness/cpython.sh first."
for image in "$build_image" "$WARPDRIVE_RUN_IMAGE"; do
  docker image inspect "$image" >/dev/null 2>&1 || die "the image $image is missing." "Run scripts/harness/base-images.sh first."
done

# Everything the builder is made of.
sources=$(cd "$WARPDRIVE_ROOT" && git ls-files -co --exclude-standard -- '*.go' go.mod go.sum buildpack.toml README.md LICENSE scripts/package.sh scripts/build.sh 2>/dev/null \
  || find . -name '*.go' -o -name go.mod -o -name go.sum -o -name buildpack.toml)
key="$(cd "$WARPDRIVE_ROOT" && recipe_key "${BASH_SOURCE[0]}" $(echo "$sources" | sort) "$manifest" "$tools/lifecycle.tgz" -- \
  "$(docker image inspect --format '{{.Id}}' "$build_image")" "$(image_label "$WARPDRIVE_RUN_IMAGE" dev.warpdrive.recipe)" \
  "$WARPDRIVE_INDEX_URL" "$builder")"
stamp="$WARPDRIVE_CACHE/builder/$key"
if [[ -f $stamp ]] && [[ "$(docker image inspect --format '{{.Id}}' "$builder" 2>/dev/null)" == "$(cat "$stamp")" ]]; then
  info "builder $builder: reusing (recipe $key)"
  exit 0
fi

start=$(date +%s)
step "Creating the builder $builder (recipe $key)"
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
  image = "$build_image"

[[run.images]]
  image = "$WARPDRIVE_RUN_IMAGE"

[lifecycle]
  uri = "$tools/lifecycle.tgz"

[[targets]]
  os = "linux"
  arch = "amd64"
TOML

tmp="${builder%%:*}:building-$$"
"$tools/pack" builder create "$tmp" --config "$work/builder.toml" --pull-policy never >&2 \
  || die "pack builder create failed (output above)."
docker tag "$tmp" "$builder"
docker rmi "$tmp" >/dev/null
mkdir -p "$(dirname "$stamp")"
docker image inspect --format '{{.Id}}' "$builder" > "$stamp"
info "builder $builder ready ($(elapsed "$start"))"
