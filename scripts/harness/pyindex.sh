#!/usr/bin/env bash
# Builds the local Python package index (PEP 503 "simple" layout) that builds and
# tests install from, since PyPI is out of reach: real distributions made from
# Debian's packages (deb.debian.org is reachable), trixie first, bookworm as the
# fallback.
#   - pure-Python projects: py3-none-any wheels assembled from the binary .deb
#     (usr/lib/python3/dist-packages + the Debian .dist-info/.egg-info metadata);
#   - cryptography: a cp311-abi3-linux_x86_64 wheel assembled the same way from
#     bookworm's .deb, its stable-ABI extensions kept: built by bookworm for
#     CPython 3.11 against bookworm's libssl3 (OpenSSL 3.0), the run image's;
#     loads on 3.11 and every later CPython (building it from source needs Rust
#     and its crates, which the build image lacks);
#   - setuptools: sdist from the orig tarball plus the wheel it builds of itself
#     (Debian's python3-setuptools-whl is patched for Debian's install_layout and
#     breaks `setup.py` builds elsewhere); the sdist lets pip's build isolation
#     work even under --no-binary :all:;
#   - wheel: the upstream wheel Debian ships in python3-wheel-whl; pip likewise
#     (python3-pip-whl): a venv whose bundled pip is older than 23.2 upgrades it;
#   - mod_wsgi, uwsgi, psycopg2, cffi: sdists repacked from Debian's orig
#     tarballs (pip compiles them; they need setuptools from this index to build;
#     cffi's _cffi_backend is per CPython version and needs libffi-dev, which the
#     build image has, and libffi8 on the run image).
# pyindex.py does the assembling and checks that the index is closed (every
# requirement resolvable inside it for CPython 3.11-3.13).
#
# Outputs (cached, keyed by this script, pyindex.py and the package list; built in
# a temporary directory and swapped in only when complete):
#   $WARPDRIVE_CACHE/www/simple/              index.html + <project>/index.html
#   $WARPDRIVE_CACHE/www/packages/<key>/      the wheels and sdists
# Downloads are kept in $WARPDRIVE_CACHE/apt-index/ (private apt state; /etc/apt is
# not touched). Serve with scripts/harness/serve.sh. Prints the table of the index.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MIRROR="${WARPDRIVE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITES=(trixie bookworm)

# kind  Debian package           project          version expected   flags
# deb: wheel from a binary package; abi3: wheel from a binary package whose
# extensions all use CPython's stable ABI (*.abi3.so), tagged for the CPython of
# its suite (bookworm: cp311-abi3); whl: the upstream wheel a python3-*-whl
# package carries; src: sdist from the source package's orig tarball.
# drop-ext: drop compiled extensions (pure-Python fallback exists).
# links-from-src=SRC: the .deb symlinks bundled files to other Debian packages
# (Django's admin jQuery -> libjs-jquery); take them from SRC's orig tarball.
# self-wheel: also build the wheel from the sdist with its own backend.
# suite=SUITE: take the package from that suite only (trixie's h2 needs a newer
# hyperframe and hpack than trixie ships).
# python=SPEC: a CPython the project fails on that its Requires-Python does not
# say (a specifier without commas); pip there finds nothing (nor anything needing it) instead of installing
# what fails at import. The table names what is off which CPython.
# requires=R+R: declare requirements Debian's metadata lost (bookworm's h2,
# pyOpenSSL, pydantic, cryptography declare none), the upstream ones, PEP 508
# with specifiers; last in the flags: its commas are its own.
PACKAGES=(
  "deb  python3-django           Django           ==4.2.*          links-from-src=python-django"
  "deb  python3-asgiref          asgiref          >=3.6,<4         -"
  "deb  python3-sqlparse         sqlparse         >=0.3.1          -"
  "deb  python3-gunicorn         gunicorn         >=23,<24         -"
  "deb  python3-packaging        packaging        >=24             -"
  "deb  python3-waitress         waitress         >=3              -"
  "deb  python3-whitenoise       whitenoise       >=6              -"
  "deb  python3-dj-database-url  dj-database-url  *                -"
  "deb  python3-dotenv           python-dotenv    >=1              -"
  "deb  python3-flask            Flask            >=3              -"
  "deb  python3-werkzeug         Werkzeug         >=3.1            -"
  "deb  python3-jinja2           Jinja2           >=3.1.2          -"
  "deb  python3-markupsafe       MarkupSafe       >=2.1.1          drop-ext"
  "deb  python3-itsdangerous     itsdangerous     >=2.2            -"
  "deb  python3-click            click            >=8.1.3          -"
  "deb  python3-blinker          blinker          >=1.9            -"
  "deb  python3-pastedeploy      PasteDeploy      >=3              -"
  "deb  flit                     flit_core        >=3.9            part=flit_core"
  "deb  python3-hatchling        hatchling        >=1.26           -"
  "deb  python3-pathspec         pathspec         >=0.10.1         -"
  "deb  python3-pluggy           pluggy           >=1              -"
  "deb  python3-trove-classifiers trove-classifiers *               -"
  "deb  python3-poetry-core      poetry-core      >=2              -"
  "deb  python3-uvicorn          uvicorn          >=0.30           -"
  "deb  python3-h11              h11              >=0.14           -"
  "deb  python3-starlette        starlette        >=0.40           -"
  "deb  python3-anyio            anyio            >=4              -"
  "deb  python3-idna             idna             >=3              -"
  "deb  python3-sniffio          sniffio          >=1.1            -"
  "deb  python3-typing-extensions typing_extensions >=4.5          -"
  "deb  python3-hypercorn        hypercorn        >=0.17           -"
  "deb  python3-h2               h2               ==4.1.*          suite=bookworm,requires=hyperframe+hpack"
  "deb  python3-hpack            hpack            >=4              -"
  "deb  python3-hyperframe       hyperframe       >=6              -"
  "deb  python3-priority         priority         >=2              -"
  "deb  python3-wsproto          wsproto          >=1.2            -"
  # Daphne (Django's ASGI server, on Twisted) and twisted[tls]. cryptography is
  # compiled (Rust + a cffi module, both abi3): bookworm's, linked against the run
  # image's libssl3 3.0 (trixie's 43.0 is built against OpenSSL 3.5's headers;
  # OpenSSL only promises that what was built against an older 3.x runs on a newer
  # one); pyOpenSSL follows it to bookworm (trixie's 25.0 needs
  # cryptography>=41.0.5,<45, bookworm's 23.0 pins >=38,<40).
  "deb  python3-daphne           daphne           >=4.1            -"
  "deb  python3-twisted          Twisted          >=24.7           -"
  "deb  python3-autobahn         autobahn         >=22.4.2         -"
  "deb  python3-txaio            txaio            >=21.2.1         -"
  "deb  python3-zope.interface   zope.interface   >=5.2            drop-ext"
  "deb  python3-attr             attrs            >=22.2           -"
  "deb  python3-automat          Automat          >=24.8           -"
  "deb  python3-constantly       constantly       >=15.1           -"
  "deb  python3-hyperlink        hyperlink        >=21             -"
  "deb  python3-incremental      incremental      >=24.7           -"
  "deb  python3-openssl          pyOpenSSL        ==23.0.*         suite=bookworm,requires=cryptography>=38.0.0,<40"
  "deb  python3-service-identity service-identity >=18.1           -"
  "deb  python3-pyasn1           pyasn1           >=0.4.6,<0.7     -"
  "deb  python3-pyasn1-modules   pyasn1_modules   >=0.2.1          -"
  "abi3 python3-cryptography     cryptography     ==38.0.*         suite=bookworm,requires=cffi>=1.12"
  # cffi: cryptography's _openssl.abi3.so imports _cffi_backend, which is built per
  # CPython version: the sdist. Bookworm's 1.15.1, as trixie's orig tarball (1.17.1)
  # is not on the mirror; 1.15.1 compiles on 3.13 but cannot load there
  # (_PyErr_WriteUnraisableMsg is gone; 3.13 support came in cffi 1.17), so
  # cryptography, pyOpenSSL, twisted[tls] and daphne are 3.11/3.12 only until
  # 1.17's source is reachable. Debian's pycparser imports Debian's ply instead of
  # its bundled copy and ships a stray top-level ast.pickle.
  "src  python-cffi              cffi             ==1.15.1         suite=bookworm,python=<3.13"
  "deb  python3-pycparser        pycparser        >=2.20           part=pycparser,requires=ply"
  "deb  python3-ply              ply              ==3.11           -"
  # FastAPI: trixie's pydantic 2 needs pydantic-core, compiled (Rust) for CPython
  # 3.13 only and against trixie's glibc (GLIBC_2.38; bookworm has 2.36), and its
  # source needs Rust and crates; bookworm's pydantic 1.10 is pure Python and
  # fastapi 0.115 still supports it (pydantic>=1.7.4,<3). 1.10.4 calls
  # ForwardRef._evaluate() without recursive_guard, required since CPython
  # 3.12.4 and 3.13 (fixed in pydantic 1.10.16): FastAPI is 3.11 (and 3.12 before
  # 3.12.4) only here.
  "deb  python3-fastapi          fastapi          >=0.115,<0.116   -"
  "deb  python3-pydantic         pydantic         ==1.10.*         suite=bookworm,python=<3.12.4,requires=typing-extensions>=4.2.0"
  "src  setuptools               setuptools       >=70.1           self-wheel"
  "whl  python3-wheel-whl        wheel            *                -"
  "whl  python3-pip-whl          pip              >=23.2           -"
  "src  mod-wsgi                 mod_wsgi         ==5.0.2          -"
  "src  uwsgi                    uwsgi            ==2.0.28         -"
  "src  psycopg2                 psycopg2         ==2.9.10         -"
)

key="$(recipe_key "${BASH_SOURCE[0]}" "$here/pyindex.py" -- "$MIRROR" "${SUITES[@]}" "${PACKAGES[@]}")"
www="$WARPDRIVE_CACHE/www"
stamp="$www/simple/.pyindex-key"

show_table() { cat "$www/simple/.pyindex-table.txt"; }

if [[ -f $stamp && $(<"$stamp") == "$key" && -d $www/packages/$key ]]; then
  info "package index $key: reusing $www/simple"
  show_table
  exit 0
fi

for tool in apt-get dpkg-deb curl python3 flock sha256sum; do
  command -v "$tool" >/dev/null || die "$tool is not installed." "This script needs a Debian host (apt, dpkg, curl, python3 >= 3.11)."
done
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || die "python3 is older than 3.11 (pyindex.py needs tomllib)."

mkdir -p "$www" "$WARPDRIVE_CACHE/apt-index"
exec 9>"$WARPDRIVE_CACHE/apt-index/lock"
flock -w 600 9 || die "another pyindex.sh run holds $WARPDRIVE_CACHE/apt-index/lock."
# The other run may have just built this very recipe.
if [[ -f $stamp && $(<"$stamp") == "$key" && -d $www/packages/$key ]]; then
  info "package index $key: reusing $www/simple"
  show_table
  exit 0
fi

start=$(date +%s)
work="$(mktemp -d "$www/.pyindex-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# --- A private apt: own sources, lists and caches; /etc/apt stays as it is. ---
apt_dir="$WARPDRIVE_CACHE/apt-index"
mkdir -p "$apt_dir"/{lists/partial,cache/archives/partial,debs,src}
: >"$apt_dir/status"
{ for suite in "${SUITES[@]}"; do
    for type in deb deb-src; do
      printf '%s [target=Packages,Sources signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
        "$type" "$MIRROR" "$suite"
    done
  done; } >"$apt_dir/sources.list"
APT_OPTS=(
  -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
  -o Dir::Cache::pkgcache=pkgcache.bin -o Dir::Cache::srcpkgcache=srcpkgcache.bin
  -o "Dir::State::status=$apt_dir/status"
  -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
  -o APT::Architecture=amd64 -o APT::Sandbox::User=root
)

step "Updating the private apt lists (${SUITES[*]}) from $MIRROR"
apt-get "${APT_OPTS[@]}" -qq update >"$work/apt-update.log" 2>&1 \
  || { cat "$work/apt-update.log" >&2; die "apt-get update failed for $MIRROR (log above)." \
         "Check that the Debian mirror is reachable: curl -I $MIRROR/dists/trixie/InRelease"; }
if grep -q '^[WE]:' "$work/apt-update.log"; then
  cat "$work/apt-update.log" >&2
  die "apt-get update could not fetch every index from $MIRROR (log above)." \
    "Check that the Debian mirror is reachable: curl -I $MIRROR/dists/trixie/InRelease"
fi

# fetch URL FILE SIZE SHA256: download into the cache unless it is already there.
fetch() {
  local url=$1 dest=$2 size=$3 sum=$4
  if [[ -f $dest ]] && [[ $(stat -c %s "$dest") == "$size" ]] \
     && sha256sum -c --status <<<"$sum  $dest"; then
    return 0
  fi
  curl -fsSL --retry 3 --connect-timeout 20 -o "$dest.part" "$url" \
    || die "downloading $url failed." "Check that the Debian mirror is reachable: curl -I $MIRROR/"
  sha256sum -c --status <<<"$sum  $dest.part" \
    || { rm -f "$dest.part"; die "$url does not match the SHA256 of the signed Debian index."; }
  mv "$dest.part" "$dest"
}

# uris KIND PACKAGE: prints "SUITE URL FILE SIZE SHA256" of the .deb (or orig tarball)
# from the first suite that has it.
uris() { # kind package [suite...]: the suites to try, default all
  local kind=$1 pkg=$2 suite line url file size sum
  local suites=("${@:3}")
  ((${#suites[@]})) || suites=("${SUITES[@]}")
  for suite in "${suites[@]}"; do
    if [[ $kind == src ]]; then
      line="$(apt-get "${APT_OPTS[@]}" -qq source --print-uris "$pkg/$suite" 2>/dev/null \
              | grep -E "\.orig\.tar\.(gz|xz|bz2)' " | head -n1)" || true
    else
      line="$(apt-get "${APT_OPTS[@]}" -qq download --print-uris "$pkg/$suite" 2>/dev/null | head -n1)" || true
    fi
    [[ -n $line ]] || continue
    read -r url file size sum <<<"$line"
    printf '%s %s %s %s %s\n' "$suite" "${url//\'/}" "$file" "$size" "${sum#SHA256:}"
    return 0
  done
  return 1
}

urldecode() { local s="${1//+/ }"; printf '%b' "${s//%/\\x}"; }

step "Fetching ${#PACKAGES[@]} Debian packages"
: >"$work/manifest"
for entry in "${PACKAGES[@]}"; do
  read -r kind pkg project spec flags <<<"$entry"
  only=()
  [[ $flags == *suite=* ]] && { only="${flags#*suite=}"; only=("${only%%,*}"); }
  found="$(uris "$kind" "$pkg" "${only[@]}")" || {
    [[ $kind == src ]] && what="source package $pkg (its orig tarball)" || what="binary package $pkg"
    die "Debian $what was not found in ${SUITES[*]} on $MIRROR." \
      "Check the name (https://packages.debian.org/$pkg) and fix PACKAGES in $0."
  }
  read -r suite url file size sum <<<"$found"
  file="$(urldecode "$file")"
  if [[ $kind == src ]]; then
    dest="$apt_dir/src/$file"
    fetch "$url" "$dest" "$size" "$sum"
    path="$dest"
    debver="${file#*_}"; debver="${debver%.orig.tar.*}"
  else
    dest="$apt_dir/debs/$file"
    fetch "$url" "$dest" "$size" "$sum"
    path="$work/x/$pkg"
    mkdir -p "$path"
    dpkg-deb -x "$dest" "$path" || die "dpkg-deb could not unpack $dest."
    debver="$(dpkg-deb -f "$dest" Version)"
  fi
  if [[ $kind == abi3 ]]; then
    # The CPython the suite builds its packages for (bookworm: 3.11): the oldest
    # its stable-ABI extensions are known to load on. First in the flags
    # (requires= stays last).
    pyver="$(apt-cache "${APT_OPTS[@]}" show "python3/$suite" 2>/dev/null | awk '/^Version:/ {print $2; exit}')"
    [[ $pyver =~ ^(3\.[0-9]+)\. ]] || die "no python3 version found for Debian $suite (for $pkg)."
    if [[ $flags == - ]]; then flags="cpython=${BASH_REMATCH[1]}"
    else flags="cpython=${BASH_REMATCH[1]},$flags"; fi
  fi
  if ((${#only[@]})); then info "$pkg: taken from $suite (its suite= flag)"
  elif [[ $suite != "${SUITES[0]}" ]]; then info "$pkg: not in ${SUITES[0]}, taken from $suite"; fi
  if [[ $flags == *links-from-src=* ]]; then
    src="${flags#*links-from-src=}"; src="${src%%,*}"
    found="$(uris src "$src")" || die "Debian source package $src (for $pkg) was not found in ${SUITES[*]}."
    read -r _ url file size sum <<<"$found"
    fetch "$url" "$apt_dir/src/$(urldecode "$file")" "$size" "$sum"
    flags="${flags/links-from-src=$src/links-from=$apt_dir/src/$(urldecode "$file")}"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$project" "$spec" "$path" "$pkg $debver ($suite)" "$flags" \
    >>"$work/manifest"
done

step "Assembling the index"
python3 "$here/pyindex.py" --manifest "$work/manifest" --out "$work/out" --key "$key" \
  || die "assembling the package index failed (message above); the previous index is untouched."
printf '%s\n' "$key" >"$work/out/simple/.pyindex-key"

# Swap in: the files first (a new directory, so pages being served stay valid),
# then the pages with the stamp. An interrupted swap leaves no valid stamp, so the
# next run rebuilds.
mkdir -p "$www/packages"
rm -rf "${www:?}/packages/$key"
mv "$work/out/packages" "$www/packages/$key"
[[ -e $www/simple ]] && mv "$www/simple" "$work/old-simple"
mv "$work/out/simple" "$www/simple"
for old in "$www/packages"/*; do
  [[ $old == "$www/packages/$key" ]] || rm -rf "$old"
done

info "package index $key built in $(elapsed "$start"): $www/simple"
show_table
