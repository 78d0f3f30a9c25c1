#!/usr/bin/env bash
# Builds the two Cloud Native Buildpacks base images of the offline test world from
# Debian 12 (bookworm) packages, without any registry:
#   warpdrive/build:bookworm  toolchain, apxs, -dev headers; user cnb 1000:1000
#   warpdrive/run:bookworm    runtime libraries, Apache; user app 1001:1000
#
# How: debootstrap a minbase rootfs on the host, `apt-get install` the packages in a
# chroot (the host has the network; no container ever needs it), then
# `tar | docker import` with the CNB labels, ENV and USER.
#
# Cached: each image carries the label dev.warpdrive.recipe=<key> (this script +
# its package list). An image whose label matches is reused; a second run takes
# seconds.
# shellcheck source=SCRIPTDIR/../lib/common.sh
source "$(dirname "$0")/../lib/common.sh"

SUITE=bookworm
DEBIAN_MIRROR="${WARPDRIVE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SECURITY_MIRROR="${WARPDRIVE_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
STACK_ID=io.buildpacks.stacks.bookworm
IMAGE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

COMMON_PKGS=(ca-certificates media-types tzdata procps)
# apache2-bin as well as apache2-dev: mod_wsgi compiles against apxs and its
# configure looks for the httpd binary too.
BUILD_PKGS=(build-essential pkg-config apache2-dev apache2-bin patchelf
  libssl-dev libffi-dev libpq-dev libxml2-dev libxslt1-dev zlib1g-dev libsqlite3-dev
  libbz2-dev liblzma-dev libreadline-dev libncurses-dev libgdbm-dev uuid-dev libexpat1-dev
  git xz-utils "${COMMON_PKGS[@]}")
# The runtime halves of the -dev packages above, so C extensions built on the build
# image (and the CPython from cpython.sh) load on the run image.
RUN_PKGS=(apache2-bin
  libssl3 libffi8 libpq5 libxml2 libxslt1.1 zlib1g libsqlite3-0 libbz2-1.0 liblzma5
  libreadline8 libncursesw6 libgdbm6 libuuid1 libexpat1 "${COMMON_PKGS[@]}")

# Keyed by the script's content, not its path, so the key is the same whichever
# directory it is run from.
image_key() { # kind
  local pkgs
  if [[ $1 == build ]]; then pkgs="${BUILD_PKGS[*]}"; else pkgs="${RUN_PKGS[*]}"; fi
  (cd "$(dirname "$0")" && recipe_key base-images.sh -- "$1" "$SUITE" "$pkgs")
}

# chroot with a clean environment: nothing of the host's env leaks into maintainer scripts.
in_root() { # rootfs cmd...
  local root=$1; shift
  chroot "$root" /usr/bin/env -i PATH="$IMAGE_PATH" HOME=/root LC_ALL=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true "$@"
}

# Unmount everything below a directory, deepest first. Returns non-zero if
# something stays mounted (then the caller must not delete the directory).
unmount_below() { # dir
  local dir m
  dir="$(readlink -f "$1")"
  for m in $(findmnt -rn -o TARGET | grep -F "$dir/" | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  ! findmnt -rn -o TARGET | grep -qF "$dir/"
}

# build_rootfs KIND ROOT PKGS...: runs in a background subshell, logging to a file.
build_rootfs() {
  local kind=$1 root=$2; shift 2
  local pkgs=("$@") t0 missing=() p cand
  t0=$(date +%s)
  # shellcheck disable=SC2064 # expand now: $root is local
  trap "unmount_below '$root' || true" EXIT

  step "[$kind] debootstrap $SUITE (minbase) from $DEBIAN_MIRROR"
  debootstrap --variant=minbase --components=main --keyring="$KEYRING" \
      "$SUITE" "$root" "$DEBIAN_MIRROR" \
    || die "[$kind] debootstrap of Debian $SUITE failed." \
           "Is $DEBIAN_MIRROR reachable? See the debootstrap output above" \
           "(and $root/debootstrap/debootstrap.log if it is still there)."
  info "[$kind] base system ready ($(elapsed "$t0"))"

  # Full bookworm package set, with point-release and security updates, so both
  # images carry the same (current) versions of shared libraries.
  cat > "$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $DEBIAN_MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: $KEYRING

Types: deb
URIs: $SECURITY_MIRROR
Suites: $SUITE-security
Components: main
Signed-By: $KEYRING
EOF
  rm -f "$root/etc/apt/sources.list"
  # Smaller images: no manuals, docs or message translations (copyright files stay).
  cat > "$root/etc/dpkg/dpkg.cfg.d/01-warpdrive-nodoc" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
  # No daemons may start inside the chroot during package installation.
  printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
  # No pty for dpkg (the chroot has no /dev/pts); removed again below.
  echo 'Dpkg::Use-Pty "0";' > "$root/etc/apt/apt.conf.d/99-warpdrive-build"

  # dpkg maintainer scripts want /proc and working device nodes (debootstrap may
  # have made /dev a symlink or left it sparse when run inside a container).
  [[ -L $root/dev ]] && { rm -f "$root/dev"; mkdir -p "$root/dev"; }
  mkdir -p "$root/proc" "$root/dev"
  mount -t proc proc "$root/proc"
  mount --bind /dev "$root/dev"

  step "[$kind] apt-get update ($SUITE, $SUITE-updates, $SUITE-security)"
  in_root "$root" apt-get update -q \
    || die "[$kind] apt-get update failed in the $SUITE chroot." \
           "Are $DEBIAN_MIRROR and $SECURITY_MIRROR reachable?"

  for p in "${pkgs[@]}"; do
    cand="$(in_root "$root" apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')"
    [[ -n $cand && $cand != "(none)" ]] || missing+=("$p")
  done
  ((${#missing[@]} == 0)) || die "[$kind] Debian $SUITE has no package named: ${missing[*]}" \
    "Fix the package list in scripts/harness/base-images.sh."

  step "[$kind] downloading ${#pkgs[@]} packages and their dependencies"
  in_root "$root" apt-get install -y -q --no-install-recommends --download-only "${pkgs[@]}" \
    || die "[$kind] could not download the Debian packages (apt output above names the missing ones)." \
           "Requested: ${pkgs[*]}"
  step "[$kind] installing"
  in_root "$root" apt-get install -y -q --no-install-recommends "${pkgs[@]}" \
    || die "[$kind] apt-get install failed in the chroot (output above)."
  # Point-release/security updates for what debootstrap installed from plain bookworm.
  in_root "$root" apt-get upgrade -y -q --no-install-recommends \
    || die "[$kind] apt-get upgrade failed in the chroot (output above)."
  info "[$kind] packages installed ($(elapsed "$t0"))"

  # Users. group 1000 is `cnb` in both images, so files the build wrote as
  # 1000:1000 stay group-readable for the run user.
  in_root "$root" groupadd -g 1000 cnb
  if [[ $kind == build ]]; then
    in_root "$root" useradd -u 1000 -g 1000 -m -d /home/cnb -s /bin/bash cnb
  else
    in_root "$root" useradd -u 1001 -g 1000 -m -d /home/app -s /bin/bash app
  fi

  # Clean up what must not end up in the image.
  in_root "$root" apt-get clean
  { umount "$root/dev" && umount "$root/proc"; } || die "[$kind] could not unmount $root/dev or $root/proc"
  rm -f "$root/usr/sbin/policy-rc.d" "$root/etc/apt/apt.conf.d/99-warpdrive-build"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/debconf/*-old \
         "$root"/var/lib/dpkg/*-old "$root"/var/log/apt/* "$root"/tmp/* "$root"/var/tmp/* \
         "$root/debootstrap"
  find "$root/var/log" -type f -exec truncate -s 0 {} +
  if [[ $kind == run ]]; then
    # No setuid or setgid programs (su, passwd, mount, ...): nothing in the
    # running app can gain another user's rights through them.
    find "$root" -xdev -type f -perm /6000 -exec chmod ug-s {} +
  fi
  # Docker bind-mounts these at run time; don't ship the host's copies.
  : > "$root/etc/resolv.conf"; : > "$root/etc/hostname"
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$root/etc/hosts"
  info "[$kind] rootfs ready ($(du -sh --one-file-system "$root" | cut -f1), $(elapsed "$t0"))"
}

# import_image KIND ROOT TAG KEY: tar | docker import under a temporary tag, then
# retag, so the final name never points at a half-built image.
import_image() {
  local kind=$1 root=$2 tag=$3 key=$4 tmp old changes=()
  tmp="warpdrive-tmp/$kind:$key-$$"
  changes+=(--change "ENV PATH=$IMAGE_PATH")
  if [[ $kind == build ]]; then
    changes+=(--change "ENV CNB_USER_ID=1000" --change "ENV CNB_GROUP_ID=1000"
      --change "ENV HOME=/home/cnb" --change "USER 1000:1000" --change "WORKDIR /home/cnb")
  else
    changes+=(--change "ENV HOME=/home/app" --change "USER 1001:1000" --change "WORKDIR /home/app")
  fi
  changes+=(--change "LABEL io.buildpacks.base.distro.name=debian"
    --change "LABEL io.buildpacks.base.distro.version=12"
    --change "LABEL io.buildpacks.stack.id=$STACK_ID"
    --change "LABEL dev.warpdrive.recipe=$key")
  tar -C "$root" --numeric-owner -cf - . \
    | docker import "${changes[@]}" --message "warpdrive $kind image ($key)" - "$tmp" >/dev/null \
    || die "[$kind] docker import failed."
  [[ $(image_label "$tmp" dev.warpdrive.recipe) == "$key" ]] \
    || die "[$kind] the imported image lacks its labels (docker import --change LABEL unsupported?)"
  old="$(docker image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)"
  docker tag "$tmp" "$tag"
  docker rmi "$tmp" >/dev/null
  # The superseded image, unless something else still uses or tags it (then rmi refuses).
  [[ -z $old ]] || docker rmi "$old" >/dev/null 2>&1 || true
}

main() {
  local start kind key tag pkgs todo=() failed=() i
  pids=()
  start=$(date +%s)
  need_docker

  for kind in build run; do
    key="$(image_key "$kind")"
    if [[ $kind == build ]]; then tag=$WARPDRIVE_BUILD_IMAGE; else tag=$WARPDRIVE_RUN_IMAGE; fi
    if [[ $(image_label "$tag" dev.warpdrive.recipe) == "$key" ]]; then
      info "$tag: reusing (recipe $key)"
    else
      todo+=("$kind")
    fi
  done
  if ((${#todo[@]} == 0)); then
    step "Base images up to date ($(elapsed "$start"))"
    return 0
  fi

  local missing_tools=()
  command -v debootstrap >/dev/null || missing_tools+=(debootstrap)
  [[ -f $KEYRING ]] || missing_tools+=(debian-archive-keyring)
  command -v findmnt >/dev/null || missing_tools+=(util-linux)
  if ((${#missing_tools[@]})); then
    step "Installing ${missing_tools[*]} on the host"
    # A fresh host may have no package lists yet: update and retry once.
    { apt-get install -y -q "${missing_tools[@]}" || { apt-get update -q && apt-get install -y -q "${missing_tools[@]}"; }; } >/dev/null \
      || die "could not install ${missing_tools[*]} on the host (apt-get install failed)."
  fi

  # Work directory on a real disk (debootstrap makes device nodes; /tmp may be nodev tmpfs).
  mkdir -p "$WARPDRIVE_CACHE/tmp"
  WORK="$(mktemp -d "$WARPDRIVE_CACHE/tmp/base-images.XXXXXX")"
  cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    for p in $(docker images -q --filter "reference=warpdrive-tmp/*:*-$$" 2>/dev/null); do
      docker rmi -f "$p" >/dev/null 2>&1 || true
    done
    if unmount_below "$WORK"; then
      rm -rf --one-file-system "$WORK"
    else
      printf 'WARNING: something is still mounted below %s; not deleting it.\n' "$WORK" >&2
    fi
  }
  trap cleanup EXIT
  trap 'exit 130' INT TERM

  # Both images in parallel: the time is spent downloading packages.
  for kind in "${todo[@]}"; do
    key="$(image_key "$kind")"
    if [[ $kind == build ]]; then tag=$WARPDRIVE_BUILD_IMAGE; pkgs=("${BUILD_PKGS[@]}")
    else tag=$WARPDRIVE_RUN_IMAGE; pkgs=("${RUN_PKGS[@]}"); fi
    step "Building $tag (recipe $key), log: $WORK/$kind.log"
    ( build_rootfs "$kind" "$WORK/$kind" "${pkgs[@]}"
      step "[$kind] docker import -> $tag"
      import_image "$kind" "$WORK/$kind" "$tag" "$key"
      rm -rf --one-file-system "${WORK:?}/$kind"
    ) >"$WORK/$kind.log" 2>&1 &
    pids+=($!)
  done
  for i in "${!todo[@]}"; do
    if wait "${pids[$i]}"; then
      info "${todo[$i]} image done ($(elapsed "$start"))"
    else
      failed+=("${todo[$i]}")
      printf '\n--- last lines of the %s log ---\n' "${todo[$i]}" >&2
      tail -n 25 "$WORK/${todo[$i]}.log" >&2
    fi
  done
  pids=()
  ((${#failed[@]} == 0)) || die "building the ${failed[*]} image(s) failed (log tail above)." \
    "Fix the cause and run this script again (an image is only tagged once it is complete)."

  for tag in "$WARPDRIVE_BUILD_IMAGE" "$WARPDRIVE_RUN_IMAGE"; do
    info "$tag: $(docker image inspect --format '{{.Size}}' "$tag" | numfmt --to=iec) (recipe $(image_label "$tag" dev.warpdrive.recipe))"
  done
  step "Base images ready ($(elapsed "$start"))"
}

main "$@"
