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
#   scripts/harness/builder.sh --registry HOST  # HOST/warpdrive/builder:bookworm
#
# The second is the same builder with Apache's development files (apxs) removed
# from its build image: the tests use it to check what a user of a builder
# without Apache is told. The third publishes the builder, its build image and
# its run image to the registry HOST (scripts/harness/registry.sh starts one on
# loopback) and names the registry's run image, as a builder for kpack, Tekton
# or `pack build --publish` must: the exporter reads the run image from there.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
need_docker

# add_run_status: the build image carries the run image's dpkg status at
# /usr/share/warpdrive/run-image/dpkg-status, so the buildpack installs the
# Debian packages an Aptfile asks for with the dependencies the run image
# lacks (the build image has many the run image does not). A layer on top of
# base-images.sh's image (whose recipe label it keeps), labelled with the
# status's digest: redone when the run image changes.
add_run_status() {
  local ctx sum
  ctx="$(mktemp -d)"
  docker run --rm --user 0 --entrypoint cat "$WARPDRIVE_RUN_IMAGE" /var/lib/dpkg/status >"$ctx/dpkg-status" \
    || die "could not read the dpkg status of $WARPDRIVE_RUN_IMAGE."
  sum="$(sha256sum "$ctx/dpkg-status" | cut -c1-16)"
  if [[ $(image_label "$WARPDRIVE_BUILD_IMAGE" dev.warpdrive.run-status) != "$sum" ]]; then
    step "Giving $WARPDRIVE_BUILD_IMAGE the run image's package list (run-status $sum)"
    chmod 644 "$ctx/dpkg-status"
    # No network needed: FROM a local image, and a COPY.
    docker build -q -t "$WARPDRIVE_BUILD_IMAGE" --label "dev.warpdrive.run-status=$sum" -f - "$ctx" >/dev/null <<DOCKERFILE \
      || die "could not add the run image's package list to $WARPDRIVE_BUILD_IMAGE (docker build failed)."
FROM $WARPDRIVE_BUILD_IMAGE
COPY dpkg-status /usr/share/warpdrive/run-image/dpkg-status
DOCKERFILE
  fi
  rm -rf "$ctx"
}
for image in "$WARPDRIVE_BUILD_IMAGE" "$WARPDRIVE_RUN_IMAGE"; do
  docker image inspect "$image" >/dev/null 2>&1 || die "the image $image is missing." "Run scripts/harness/base-images.sh first."
done
add_run_status

build_image="$WARPDRIVE_BUILD_IMAGE"
run_image="$WARPDRIVE_RUN_IMAGE"
builder="$WARPDRIVE_BUILDER"
registry=""
if [[ ${1:-} == --registry ]]; then
  registry="${2:?usage: builder.sh --registry HOST:PORT}"
  "$WARPDRIVE_ROOT/scripts/harness/builder.sh" # the same inputs, built and checked locally first
  build_image="$registry/$WARPDRIVE_BUILD_IMAGE"
  run_image="$registry/$WARPDRIVE_RUN_IMAGE"
  builder="$registry/$WARPDRIVE_BUILDER"
elif [[ ${1:-} == --without-apache ]]; then
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
local_build_image="$build_image"
[[ -n $registry ]] && local_build_image="$WARPDRIVE_BUILD_IMAGE"
for image in "$local_build_image" "$WARPDRIVE_RUN_IMAGE"; do
  docker image inspect "$image" >/dev/null 2>&1 || die "the image $image is missing." "Run scripts/harness/base-images.sh first."
done

# Everything the builder is made of.
sources=$(cd "$WARPDRIVE_ROOT" && git ls-files -co --exclude-standard -- '*.go' go.mod go.sum buildpack.toml README.md LICENSE scripts/package.sh scripts/build.sh 2>/dev/null \
  || find . -name '*.go' -o -name go.mod -o -name go.sum -o -name buildpack.toml)
key="$(cd "$WARPDRIVE_ROOT" && recipe_key "${BASH_SOURCE[0]}" $(echo "$sources" | sort) "$manifest" "$tools/lifecycle.tgz" -- \
  "$(docker image inspect --format '{{.Id}}' "$local_build_image")" "$(image_label "$WARPDRIVE_RUN_IMAGE" dev.warpdrive.recipe)" \
  "$WARPDRIVE_INDEX_URL" "$builder")"
stamp="$WARPDRIVE_CACHE/builder/$key"
# current_id: the builder's image ID in the daemon, or its manifest digest in the registry.
current_id() {
  if [[ -n $registry ]]; then
    curl -fsSI -H 'Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
      "http://$registry/v2/${WARPDRIVE_BUILDER%%:*}/manifests/${WARPDRIVE_BUILDER##*:}" 2>/dev/null \
      | tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p'
  else
    docker image inspect --format '{{.Id}}' "$builder" 2>/dev/null
  fi
}
id="$(current_id || true)"
if [[ -f $stamp && -n $id && $id == "$(cat "$stamp")" ]]; then
  info "builder $builder: reusing (recipe $key)"
  exit 0
fi
if [[ -n $registry ]]; then
  # The build and run images go first: `pack builder create --publish` reads them from the registry.
  for image in "$WARPDRIVE_BUILD_IMAGE" "$WARPDRIVE_RUN_IMAGE"; do
    step "Pushing $image to $registry"
    docker tag "$image" "$registry/$image"
    docker push -q "$registry/$image" >&2 || die "docker push $registry/$image failed (output above)."
  done
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
  image = "$run_image"

[lifecycle]
  uri = "$tools/lifecycle.tgz"

[[targets]]
  os = "linux"
  arch = "amd64"
TOML

if [[ -n $registry ]]; then
  "$tools/pack" builder create "$builder" --config "$work/builder.toml" --publish >&2 \
    || die "pack builder create --publish $builder failed (output above)."
else
  tmp="${builder%%:*}:building-$$"
  "$tools/pack" builder create "$tmp" --config "$work/builder.toml" --pull-policy never >&2 \
    || die "pack builder create failed (output above)."
  docker tag "$tmp" "$builder"
  docker rmi "$tmp" >/dev/null
fi
mkdir -p "$(dirname "$stamp")"
current_id > "$stamp"
info "builder $builder ready ($(elapsed "$start"))"
