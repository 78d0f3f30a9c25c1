#!/usr/bin/env python3
"""Assembles the local PEP 503 package index from Debian's packages (stdlib only).

Driven by pyindex.sh, which downloads the Debian files and writes a manifest, one
entry per line, tab-separated:

    kind  project  spec  path  origin  flags

kind    deb   a binary .deb already extracted (with dpkg-deb -x) at `path`: a
              py3-none-any wheel is assembled from usr/lib/python3/dist-packages
              and the Debian .dist-info/.egg-info metadata.
        abi3  a binary .deb (extracted) whose compiled extensions all use
              CPython's stable ABI (*.abi3.so): assembled like deb, extensions
              kept, tagged cpXY-abi3-linux_x86_64, X.Y the CPython of the suite
              the .deb was built with (flag cpython=X.Y, set by pyindex.sh): a
              stable-ABI extension loads on that CPython and every later one.
        whl   an upstream wheel shipped inside an extracted .deb (python3-*-whl,
              usr/share/python-wheels/): copied as it is.
        src   a Debian orig tarball at `path`: repacked as the sdist
              <name>-<version>.tar.gz with top directory <name>-<version>/ and a
              PKG-INFO when the tarball has none.
spec    the version the recipe expects (PEP 440 specifier, "*" for any).
origin  where it came from (Debian package, version and suite), for the table.
flags   comma-separated, "-" for none.
        drop-ext         (deb) drop compiled extensions: only for packages with a
                         pure-Python fallback (MarkupSafe).
        links-from=ORIG  (deb) symlinks out of the package (Debian links bundled
                         files to libjs-* packages) are replaced by the file at
                         the same path in the upstream orig tarball ORIG.
        requires=R[+R]   (deb, abi3) Debian's metadata lost the requirements
                         (bookworm's h2, pyOpenSSL and pydantic egg-info, its
                         cryptography dist-info: none but extras' ones), or
                         Debian's code needs a project upstream bundles
                         (pycparser imports Debian's ply instead of its own):
                         declare these requirements (PEP 508, specifiers
                         allowed) as Requires-Dist. Comes last: its value runs
                         to the end of the flags, commas included.
        part=TOP[+TOP]   (deb) the .deb holds several projects (Debian's flit
                         holds flit and flit_core) or stray files (pycparser's
                         ast.pickle): take only the recipe's project's metadata
                         and these top-level names.
        cpython=X.Y      (abi3) the CPython the .deb was built with.
        python=SPEC      (deb, abi3, src) a known incompatibility upstream's
                         Requires-Python does not state (no commas): added to
                         it, in the wheel's METADATA and on the index page
                         (data-requires-python, which pip filters on), so pip
                         on an excluded CPython finds nothing instead of
                         installing what fails at import. What needs the
                         project is then off that CPython too; the table says
                         so.
        self-wheel       (src) also build the wheel, with the project's own
                         in-tree backend and a stdlib-only interpreter (for
                         setuptools, which builds itself).

Writes OUT/simple/ (index.html per project, PEP 503 with #sha256= fragments,
data-requires-python and PEP 658 metadata) and OUT/packages/ (the files; pages
link to them as ../../packages/<key>/<file>), checks that the index is closed
(every Requires-Dist of every distribution, markers evaluated for each of
CPython 3.11-3.13 on Linux, the requirements of every extra asked for, and every
sdist's build requirements resolve inside the index to a version that satisfies
it; every distribution installs on each of those CPythons unless a python= flag
says otherwise) and prints the table of what it holds.

The checks use `packaging` from the index's own packaging entry (Debian's
python3-packaging), so nothing outside the stdlib has to be installed.
"""

import argparse
import base64
import email.parser
import gzip
import hashlib
import html
import io
import os
import re
import shutil
import stat
import sys
import tarfile
import warnings
import zipfile

PYTHONS = ("3.11", "3.12", "3.13")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed, so the same inputs give the same files
DIST_PACKAGES = "usr/lib/python3/dist-packages"
PYTHON_WHEELS = "usr/share/python-wheels"


class Fail(Exception):
    pass


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def escaped(name):
    """Project name as it appears in wheel/sdist file names."""
    return re.sub(r"[-_.]+", "_", name).lower()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def parse_metadata(text):
    return email.parser.HeaderParser().parsestr(text)


# ---------------------------------------------------------------- wheels from .debs

def requires_txt_to_dist(text):
    """setuptools' egg-info requires.txt -> Requires-Dist values and extras."""
    reqs, extras, section = [], [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            extra = section.partition(":")[0]
            if extra and extra not in extras:
                extras.append(extra)
            continue
        extra, _, marker = section.partition(":")
        req, _, inline = line.partition(";")
        conds = [f"({m.strip()})" for m in (inline, marker) if m.strip()]
        if extra:
            conds.append(f'extra == "{extra}"')
        reqs.append(req.strip() + ("; " + " and ".join(conds) if conds else ""))
    return reqs, extras


def egg_info_to_metadata(egg):
    """PKG-INFO (+ requires.txt) -> a core metadata 2.1 METADATA text."""
    with open(os.path.join(egg, "PKG-INFO"), encoding="utf-8") as f:
        text = f.read().replace("\r\n", "\n")
    head, sep, body = text.partition("\n\n")
    lines = head.split("\n")
    if not lines[0].startswith("Metadata-Version:"):
        raise Fail(f"{egg}/PKG-INFO does not start with Metadata-Version")
    msg = parse_metadata(text)
    if tuple(int(p) for p in msg["Metadata-Version"].split(".")) < (2, 1):
        lines[0] = "Metadata-Version: 2.1"
    req_file = os.path.join(egg, "requires.txt")
    if os.path.exists(req_file) and not msg.get_all("Requires-Dist"):
        with open(req_file, encoding="utf-8") as f:
            reqs, extras = requires_txt_to_dist(f.read())
        have = set(msg.get_all("Provides-Extra") or [])
        lines += [f"Provides-Extra: {e}" for e in extras if e not in have]
        lines += [f"Requires-Dist: {r}" for r in reqs]
    return "\n".join(lines) + "\n" + ("\n" + body if sep else "")


def record_line(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{arcname},sha256={digest},{len(data)}"


def write_zip(path, files):
    """files: [(arcname, bytes, executable)] in order; deterministic output."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for arcname, data, executable in files:
            info = zipfile.ZipInfo(arcname, date_time=ZIP_DATE)
            info.external_attr = (stat.S_IFREG | (0o755 if executable else 0o644)) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def resolve_link(entry, full, rel, replaced):
    """Content for a symlink in a .deb: its target when that is in the same package,
    else the file at the same path in the upstream orig tarball (flag links-from=PATH;
    Debian replaces bundled files such as Django's jQuery with links to libjs-*)."""
    target = os.path.realpath(full)
    if os.path.isfile(target) and target.startswith(os.path.realpath(entry["path"]) + os.sep):
        with open(target, "rb") as f:
            return f.read()
    orig = next((f[len("links-from="):] for f in entry["flags"] if f.startswith("links-from=")), None)
    if orig is None:
        raise Fail(f"{entry['origin']}: {rel} is a symlink to {os.readlink(full)}, outside the "
                   "package; give the entry a links-from-src=<source package> flag")
    with tarfile.open(orig, "r:*") as t:
        for m in t:
            if m.isfile() and m.name.split("/", 1)[-1] == rel:
                replaced.append(os.path.basename(rel))
                return t.extractfile(m).read()
    raise Fail(f"{entry['origin']}: {rel} is a symlink out of the package and "
               f"{os.path.basename(orig)} has no {rel}")


def flag_value(entry, name):
    return next((f[len(name) + 1:] for f in entry["flags"] if f.startswith(name + "=")), None)


ELF_X86_64 = 62  # e_machine


def check_abi3_extension(entry, full, rel):
    """A compiled extension an abi3 wheel may carry: stable-ABI name, x86-64 ELF."""
    if not rel.endswith(".abi3.so"):
        raise Fail(f"{entry['origin']}: {rel} is not a stable-ABI extension (*.abi3.so); "
                   "an abi3 wheel cannot hold it (a cpython-3XY extension loads on one "
                   "CPython only)")
    with open(full, "rb") as f:
        head = f.read(20)
    if head[:4] != b"\x7fELF" or head[4] != 2 or int.from_bytes(head[18:20], "little") != ELF_X86_64:
        raise Fail(f"{entry['origin']}: {rel} is not an x86-64 ELF shared object")


def limit_python(entry, metadata):
    """Adds the python= flag's specifier to the metadata's Requires-Python."""
    limit = flag_value(entry, "python")
    if not limit:
        return metadata
    head, sep, body = metadata.partition("\n\n")
    old = parse_metadata(metadata).get("Requires-Python")
    if old:
        head = re.sub(r"^Requires-Python:.*$", lambda _: f"Requires-Python: {old.strip()}, {limit}",
                      head, count=1, flags=re.M)
    else:
        head += f"\nRequires-Python: {limit}"
    return head + "\n" + (sep + body if sep else "")


def wheel_from_deb(entry, pkgs_dir):
    abi3 = entry["kind"] == "abi3"
    cpython = flag_value(entry, "cpython")
    if abi3 and not re.fullmatch(r"3\.\d+", cpython or ""):
        raise Fail(f"{entry['origin']}: an abi3 entry needs the flag cpython=3.N "
                   "(the CPython its suite built it with)")
    root = os.path.join(entry["path"], DIST_PACKAGES)
    if not os.path.isdir(root):
        raise Fail(f"{entry['origin']}: no {DIST_PACKAGES} in the package")
    names = sorted(os.listdir(root))
    metas = [n for n in names if n.endswith((".dist-info", ".egg-info"))]
    part = next((f[len("part="):].split("+") for f in entry["flags"] if f.startswith("part=")), None)
    if part:
        # Metadata directories are named <name>-<version>.dist-info.
        metas = [m for m in metas if canonical(m.split("-")[0]) == canonical(entry["project"])]
        names = [n for n in names if n in part or n in metas]
    all_metas = metas
    if len(metas) == 2 and sum(m.endswith(".dist-info") for m in metas) == 1:
        # Both of one project (bookworm's cryptography: the wheel's dist-info and a
        # leftover <name>.egg-info of its build): the dist-info is what was installed.
        metas = [m for m in metas if m.endswith(".dist-info")]
    if len(metas) != 1:
        raise Fail(f"{entry['origin']}: expected one .dist-info/.egg-info, found {metas or 'none'}")
    meta_dir = os.path.join(root, metas[0])
    if metas[0].endswith(".dist-info"):
        with open(os.path.join(meta_dir, "METADATA"), encoding="utf-8") as f:
            metadata = f.read()
        how = "dist-info"
    else:
        if not os.path.isdir(meta_dir):
            raise Fail(f"{entry['origin']}: {metas[0]} is a file, not a directory")
        metadata = egg_info_to_metadata(meta_dir)
        how = "egg-info"
    requires = flag_value(entry, "requires")
    if requires:
        requires = requires.split("+")
        # Requirements of extras only ("...; extra == 'docs'") do not count.
        if [r for r in parse_metadata(metadata).get_all("Requires-Dist") or []
                if not re.search(r"\bextra\s*==", r)]:
            raise Fail(f"{entry['origin']} already declares requirements; drop its requires= flag")
        head, sep, body = metadata.partition("\n\n")
        metadata = head + "".join(f"\nRequires-Dist: {r}" for r in requires) + "\n" + (sep + body if sep else "")
    metadata = limit_python(entry, metadata)
    msg = parse_metadata(metadata)
    name, version = msg["Name"].strip(), msg["Version"].strip()

    payload, dropped, replaced, kept = [], [], [], []
    for top in names:
        if top in all_metas:
            continue
        top_path = os.path.join(root, top)
        walk = [(root, [], [top])] if os.path.isfile(top_path) else os.walk(top_path)
        for dirpath, dirnames, filenames in walk:
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for fn in sorted(filenames):
                full = os.path.join(dirpath, fn)
                rel = os.path.relpath(full, root).replace(os.sep, "/")
                if fn.endswith((".pyc", ".pyo")):
                    continue
                if fn.endswith(".so") or ".so." in fn:
                    if abi3:
                        check_abi3_extension(entry, full, rel)
                        kept.append(rel)
                        with open(full, "rb") as f:
                            payload.append((rel, f.read(), False))
                    else:
                        dropped.append(rel)
                    continue
                if os.path.islink(full):
                    payload.append((rel, resolve_link(entry, full, rel, replaced), False))
                    continue
                with open(full, "rb") as f:
                    payload.append((rel, f.read(), bool(os.stat(full).st_mode & 0o111)))
    if dropped and "drop-ext" not in entry["flags"]:
        raise Fail(f"{entry['origin']} ships compiled extensions ({', '.join(dropped)}); "
                   "a py3-none-any wheel cannot hold them. Add the drop-ext flag only if "
                   "the package has a pure-Python fallback; make it an abi3 entry if they "
                   "are all *.abi3.so.")
    if not payload:
        raise Fail(f"{entry['origin']}: no Python code in {DIST_PACKAGES}")
    if abi3 and not kept:
        raise Fail(f"{entry['origin']} has no compiled extension; make it a deb entry")
    tag = f"cp{cpython.replace('.', '')}-abi3-linux_x86_64" if abi3 else "py3-none-any"

    dist_info = f"{escaped(name)}-{version}.dist-info"
    meta_files = [("METADATA", metadata.encode())]
    for extra in ("entry_points.txt", "top_level.txt"):
        p = os.path.join(meta_dir, extra)
        if os.path.isfile(p):
            with open(p, "rb") as f:
                meta_files.append((extra, f.read()))
    meta_files.append(("WHEEL", (f"Wheel-Version: 1.0\nGenerator: warpdrive-pyindex\n"
                                 f"Root-Is-Purelib: {'false' if abi3 else 'true'}\n"
                                 f"Tag: {tag}\n").encode()))
    files = payload + [(f"{dist_info}/{n}", d, False) for n, d in meta_files]
    record = [record_line(a, d) for a, d, _ in files] + [f"{dist_info}/RECORD,,"]
    files.append((f"{dist_info}/RECORD", ("\n".join(record) + "\n").encode(), False))

    filename = f"{escaped(name)}-{version}-{tag}.whl"
    write_zip(os.path.join(pkgs_dir, filename), files)
    note = f"from {how}"
    if dropped:
        note += f"; dropped {', '.join(os.path.basename(d) for d in dropped)}"
    if requires:
        note += f"; declared {', '.join(requires)}"
    if kept:
        note += (f"; kept {', '.join(os.path.basename(k) for k in kept)} "
                 f"(built for CPython {cpython})")
    if replaced:
        note += f"; {', '.join(replaced)} from the orig tarball (Debian symlinks them)"
    return [dict(name=name, version=version, kind="wheel", filename=filename,
                 metadata=metadata, requires_python=msg.get("Requires-Python"),
                 abi3_cpython=cpython if abi3 else None, note=note,
                 py_files=[(a, d) for a, d, _ in payload if a.endswith(".py")])]


def wheel_from_whl_deb(entry, pkgs_dir):
    wheel_dir = os.path.join(entry["path"], PYTHON_WHEELS)
    wheels = sorted(os.listdir(wheel_dir)) if os.path.isdir(wheel_dir) else []
    wheels = [w for w in wheels if w.endswith(".whl")
              and canonical(w.split("-")[0]) == canonical(entry["project"])]
    if len(wheels) != 1:
        raise Fail(f"{entry['origin']}: expected one {entry['project']} wheel in {PYTHON_WHEELS}, "
                   f"found {wheels or 'none'}")
    filename = wheels[0]
    if not re.search(r"-py3(\.py\d+)*-none-any\.whl$|-py2\.py3-none-any\.whl$", filename):
        raise Fail(f"{entry['origin']}: {filename} is not a pure-Python wheel")
    src = os.path.join(wheel_dir, filename)
    with zipfile.ZipFile(src) as z:
        mds = [n for n in z.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)]
        if len(mds) != 1:
            raise Fail(f"{entry['origin']}: {filename} has {len(mds)} METADATA files")
        metadata = z.read(mds[0]).decode("utf-8")
    shutil.copyfile(src, os.path.join(pkgs_dir, filename))
    msg = parse_metadata(metadata)
    return [dict(name=msg["Name"].strip(), version=msg["Version"].strip(), kind="wheel",
                 filename=filename, metadata=metadata,
                 requires_python=msg.get("Requires-Python"),
                 note="upstream wheel as Debian ships it", py_files=[])]


# ---------------------------------------------------------------- sdists from orig tarballs

def sdist_from_orig(entry, pkgs_dir):
    base = os.path.basename(entry["path"])
    m = re.fullmatch(r"[^_]+_(?P<v>[^_]+)\.orig\.tar\.(gz|xz|bz2)", base)
    if not m:
        raise Fail(f"{entry['origin']}: {base} is not an orig tarball name")
    version = m["v"]
    if re.search(r"[+~]", version):
        raise Fail(f"{entry['origin']}: upstream version {version} looks repacked by Debian "
                   "(+dfsg/~); not a pristine sdist")
    name = entry["project"]
    top = f"{escaped(name)}-{version}"
    out_name = f"{top}.tar.gz"

    with tarfile.open(entry["path"], "r:*") as tin:
        members = tin.getmembers()
        tops = {mm.name.split("/", 1)[0] for mm in members}
        if len(tops) != 1:
            raise Fail(f"{entry['origin']}: {base} has {len(tops)} top-level entries, expected one")
        old_top = tops.pop()
        pkg_info = next((mm for mm in members if mm.name == f"{old_top}/PKG-INFO"), None)
        pyproject = next((mm for mm in members if mm.name == f"{old_top}/pyproject.toml"), None)
        if not any(mm.name in (f"{old_top}/setup.py", f"{old_top}/pyproject.toml") for mm in members):
            raise Fail(f"{entry['origin']}: {base} has neither setup.py nor pyproject.toml")
        if pkg_info is not None:
            msg = parse_metadata(tin.extractfile(pkg_info).read().decode("utf-8"))
            if canonical(msg["Name"]) != canonical(name) or msg["Version"].strip() != version:
                raise Fail(f"{entry['origin']}: its PKG-INFO says {msg['Name']} {msg['Version']}, "
                           f"expected {name} {version}")
            requires_python = msg.get("Requires-Python")
        build_requires = backend_path = None
        if pkg_info is None:
            requires_python = None
        if pyproject is not None:
            import tomllib
            data = tomllib.loads(tin.extractfile(pyproject).read().decode("utf-8"))
            build_requires = data.get("build-system", {}).get("requires")
            backend_path = data.get("build-system", {}).get("backend-path")

        mtime = max(mm.mtime for mm in members)
        buf = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as gz:
            with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tout:
                for mm in members:
                    if not (mm.isfile() or mm.isdir() or mm.issym() or mm.islnk()):
                        continue
                    if mm.name.startswith("/") or ".." in mm.name.split("/"):
                        raise Fail(f"{entry['origin']}: unsafe path {mm.name} in {base}")
                    new = tarfile.TarInfo(top + mm.name[len(old_top):])
                    new.type, new.mode, new.mtime = mm.type, mm.mode, mm.mtime
                    new.uid = new.gid = 0
                    new.uname = new.gname = "root"
                    if mm.islnk():
                        new.linkname = top + mm.linkname[len(old_top):]
                    elif mm.issym():
                        new.linkname = mm.linkname
                    if mm.isfile():
                        new.size = mm.size
                        tout.addfile(new, tin.extractfile(mm))
                    else:
                        tout.addfile(new)
                if pkg_info is None:
                    text = (f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
                            f"Summary: {name} {version} (from Debian's orig tarball)\n").encode()
                    info = tarfile.TarInfo(f"{top}/PKG-INFO")
                    info.size, info.mtime, info.mode = len(text), mtime, 0o644
                    info.uname = info.gname = "root"
                    tout.addfile(info, io.BytesIO(text))
        with open(os.path.join(pkgs_dir, out_name), "wb") as f:
            f.write(buf.getvalue())
    note = ("repacked orig tarball" + ("" if pkg_info is not None else " + PKG-INFO")
            + ("; pyproject.toml" if pyproject is not None else "; setup.py (legacy build)"))
    if flag_value(entry, "python"):
        # pip filters sdists on the page's data-requires-python; the tarball stays
        # upstream's.
        limit = flag_value(entry, "python")
        requires_python = f"{requires_python}, {limit}" if requires_python else limit
    sdist = dict(name=name, version=version, kind="sdist", filename=out_name,
                 metadata=None, requires_python=requires_python, note=note, py_files=[],
                 build_requires=build_requires)
    if "self-wheel" not in entry["flags"]:
        return [sdist]
    if build_requires != [] or not backend_path:
        raise Fail(f"{entry['origin']}: self-wheel needs a project that builds itself "
                   "(pyproject.toml: requires = [] and a backend-path)")
    return [sdist, self_built_wheel(entry, os.path.join(pkgs_dir, out_name), top, pkgs_dir)]


def self_built_wheel(entry, sdist_path, top, pkgs_dir):
    """Builds the wheel of a self-hosting project (setuptools) from its sdist with
    its own in-tree PEP 517 backend, as pip would, in an interpreter without
    site-packages (-I -S): nothing but the stdlib and the project itself."""
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory(prefix="pyindex-wheel-") as tmp:
        with tarfile.open(sdist_path) as t:
            if hasattr(tarfile, "data_filter"):
                t.extractall(tmp, filter="data")
            else:
                t.extractall(tmp)
        src, out = os.path.join(tmp, top), os.path.join(tmp, "out")
        os.makedirs(out)
        code = ("import sys, tomllib\n"
                "bs = tomllib.load(open('pyproject.toml', 'rb'))['build-system']\n"
                "sys.path[:0] = [__import__('os').path.abspath(p) for p in bs['backend-path']]\n"
                "mod, _, obj = bs['build-backend'].partition(':')\n"
                "backend = __import__('importlib').import_module(mod)\n"
                "for part in filter(None, obj.split('.')): backend = getattr(backend, part)\n"
                "print(backend.build_wheel(sys.argv[1]))\n")
        env = dict(os.environ, SOURCE_DATE_EPOCH="315532800")  # 1980-01-01: same bytes each build
        proc = subprocess.run([sys.executable, "-I", "-S", "-c", code, out], cwd=src, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0:
            raise Fail(f"{entry['origin']}: building its wheel with its own backend failed:\n"
                       + "\n".join(proc.stdout.splitlines()[-25:]))
        filename = proc.stdout.strip().splitlines()[-1]
        if not filename.endswith("-none-any.whl"):
            raise Fail(f"{entry['origin']}: its backend built {filename}, not a pure-Python wheel")
        shutil.copyfile(os.path.join(out, filename), os.path.join(pkgs_dir, filename))
    with zipfile.ZipFile(os.path.join(pkgs_dir, filename)) as z:
        mds = [n for n in z.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)]
        metadata = z.read(mds[0]).decode("utf-8")
    msg = parse_metadata(metadata)
    return dict(name=msg["Name"].strip(), version=msg["Version"].strip(), kind="wheel",
                filename=filename, metadata=metadata, requires_python=msg.get("Requires-Python"),
                note="built from the sdist by its own backend", py_files=[])


# ---------------------------------------------------------------- checks

def load_packaging(entries):
    for e in entries:
        if e["kind"] == "deb" and canonical(e["project"]) == "packaging":
            sys.path.insert(0, os.path.join(e["path"], DIST_PACKAGES))
            break
    else:
        raise Fail("the recipe must include packaging (a deb entry): it is used to check the index")
    for mod in [m for m in sys.modules if m == "packaging" or m.startswith("packaging.")]:
        del sys.modules[mod]
    import packaging.markers
    import packaging.requirements
    import packaging.specifiers
    import packaging.version
    return packaging


def environments():
    for py in PYTHONS:
        yield py, {"python_version": py, "python_full_version": py + ".0",
                   "implementation_name": "cpython", "implementation_version": py + ".0",
                   "platform_python_implementation": "CPython", "sys_platform": "linux",
                   "platform_system": "Linux", "os_name": "posix", "platform_machine": "x86_64",
                   "platform_release": "", "platform_version": "", "extra": ""}


def check_index(dists, packaging):
    Requirement = packaging.requirements.Requirement
    SpecifierSet = packaging.specifiers.SpecifierSet
    Version = packaging.version.Version
    by_name = {canonical(d["name"]): d for d in dists}  # all files of a project: one version
    problems = []
    missing = {}  # "X needs R" -> the CPythons it is needed on

    for d in dists:
        v = Version(d["version"])
        if str(v) != d["version"]:
            problems.append(f"{d['name']}: version {d['version']} is not normalized ({v})")
        if d["spec"] != "*" and v not in SpecifierSet(d["spec"]):
            problems.append(f"{d['name']} {d['version']} does not match the recipe's {d['spec']}")
        if d["requires_python"]:
            spec = SpecifierSet(d["requires_python"])
            bad = [py for py in PYTHONS if Version(py + ".0") not in spec]
            if bad and not d["python_flag"]:
                problems.append(f"{d['name']} {d['version']}: Requires-Python "
                                f"{d['requires_python']} excludes {', '.join(bad)}")
        if d.get("abi3_cpython"):
            low = Version(d["abi3_cpython"] + ".0")
            bad = [py for py in PYTHONS if Version(py + ".0") < low]
            if bad:
                problems.append(f"{d['filename']}: built for CPython {d['abi3_cpython']}, "
                                f"does not install on {', '.join(bad)}")
        reqs = []
        if d["metadata"]:
            reqs = [Requirement(r) for r in parse_metadata(d["metadata"]).get_all("Requires-Dist") or []]
        elif d["kind"] == "sdist":
            # What pip's build isolation installs for it: PEP 518 build-system.requires,
            # or setuptools>=40.8.0 for a legacy setup.py project.
            build_requires = d["build_requires"]
            if build_requires is None:
                build_requires = ["setuptools>=40.8.0"]
            reqs = [Requirement(r) for r in build_requires]
        d["needs"] = {py: set() for py in PYTHONS}  # canonical names, per CPython
        for py, env in environments():
            needed = [req for req in reqs if req.marker is None or req.marker.evaluate(env)]
            seen = set()
            for req in needed:  # grows with the requirements of extras asked for
                dep = by_name.get(canonical(req.name))
                if dep is None:
                    missing.setdefault(f"{d['name']} {d['version']} needs {req}", []).append(py)
                    continue
                if req.specifier and Version(dep["version"]) not in req.specifier:
                    problems.append(f"{d['name']} {d['version']} needs {req}: the index has "
                                    f"{dep['name']} {dep['version']}")
                d["needs"][py].add(canonical(dep["name"]))
                for extra in sorted(req.extras):
                    if (canonical(dep["name"]), extra) in seen:
                        continue
                    seen.add((canonical(dep["name"]), extra))
                    meta = parse_metadata(dep["metadata"] or "")
                    if canonical(extra) not in {canonical(e) for e in meta.get_all("Provides-Extra") or []}:
                        problems.append(f"{d['name']} {d['version']} needs {req}: {dep['name']} "
                                        f"{dep['version']} has no extra [{extra}]")
                        continue
                    # The extra's own requirements: those its marker selects with this
                    # extra and not without it (the unconditional ones are checked on dep).
                    needed += [r for r in map(Requirement, meta.get_all("Requires-Dist") or [])
                               if r.marker and r.marker.evaluate(dict(env, extra=extra))
                               and not r.marker.evaluate(env)]

    problems += [f"{what} (on Python {', '.join(pys)}): not in the index"
                 for what, pys in missing.items()]

    # Off a CPython: what a python= flag keeps off it, and whatever needs that.
    off = {py: {canonical(d["name"]) for d in dists if d["requires_python"]
                and Version(py + ".0") not in SpecifierSet(d["requires_python"])}
           for py in PYTHONS}
    changed = True
    while changed:
        changed = False
        for d in dists:
            for py in PYTHONS:
                if canonical(d["name"]) not in off[py] and d["needs"][py] & off[py]:
                    off[py].add(canonical(d["name"]))
                    changed = True
    for d in dists:
        pys = [py for py in PYTHONS if canonical(d["name"]) in off[py]]
        if pys:
            why = (f"Requires-Python {d['requires_python']}" if d["python_flag"] else
                   "needs " + ", ".join(sorted(by_name[n]["name"] for n in d["needs"][pys[0]]
                                               if n in off[pys[0]])))
            d["note"] += f"; not on CPython {', '.join(pys)} ({why})"

    # Syntax of every module of an assembled wheel under this interpreter.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for d in dists:
            for arcname, data in d["py_files"]:
                try:
                    compile(data, f"{d['filename']}/{arcname}", "exec", dont_inherit=True)
                except SyntaxError as exc:
                    problems.append(f"{d['filename']}: {arcname} does not compile on Python "
                                    f"{sys.version.split()[0]}: {exc}")
    if problems:
        problems = list(dict.fromkeys(problems))  # the same one found for each CPython
        raise Fail("the index is not consistent:\n" + "\n".join("  - " + p for p in problems))


# ---------------------------------------------------------------- pages

PAGE = """<!DOCTYPE html>
<html>
  <head>
    <meta name="pypi:repository-version" content="1.0">
    <title>{title}</title>
  </head>
  <body>
    <h1>{title}</h1>
{links}
  </body>
</html>
"""


def write_pages(dists, out, key):
    simple = os.path.join(out, "simple")
    os.makedirs(simple)
    projects = {}
    for d in dists:
        projects.setdefault(canonical(d["name"]), []).append(d)
    links = []
    for norm in sorted(projects):
        anchors = []
        for d in sorted(projects[norm], key=lambda d: d["filename"]):
            attrs = ""
            if d["requires_python"]:
                attrs += f' data-requires-python="{html.escape(d["requires_python"], quote=True)}"'
            if d["kind"] == "wheel":  # PEP 658/714: pip reads METADATA without the wheel
                meta = d["metadata"].encode("utf-8")
                with open(os.path.join(out, "packages", d["filename"] + ".metadata"), "wb") as f:
                    f.write(meta)
                mh = hashlib.sha256(meta).hexdigest()
                attrs += f' data-core-metadata="sha256={mh}" data-dist-info-metadata="sha256={mh}"'
            href = f"../../packages/{key}/{d['filename']}#sha256={d['sha256']}"
            anchors.append(f'    <a href="{html.escape(href, quote=True)}"{attrs}>'
                           f'{html.escape(d["filename"])}</a><br>')
        os.makedirs(os.path.join(simple, norm))
        with open(os.path.join(simple, norm, "index.html"), "w", encoding="utf-8") as f:
            f.write(PAGE.format(title=f"Links for {html.escape(norm)}", links="\n".join(anchors)))
        links.append(f'    <a href="{norm}/">{html.escape(norm)}</a><br>')
    with open(os.path.join(simple, "index.html"), "w", encoding="utf-8") as f:
        f.write(PAGE.format(title="Simple index", links="\n".join(links)))


def table(dists):
    rows = [("PROJECT", "VERSION", "KIND", "FROM (Debian)", "NOTES")]
    for d in sorted(dists, key=lambda d: canonical(d["name"])):
        rows.append((d["name"], d["version"], d["kind"], d["origin"], d["note"]))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return "".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[-1] + "\n"
                   for r in rows)


# ---------------------------------------------------------------- main

def read_manifest(path):
    entries = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 6:
                raise Fail(f"{path}:{n}: expected 6 tab-separated fields, got {len(parts)}")
            kind, project, spec, path_, origin, flags = parts
            if kind not in ("deb", "abi3", "whl", "src"):
                raise Fail(f"{path}:{n}: unknown kind {kind}")
            # requires= comes last and keeps its commas (version specifiers).
            flags, _, requires = flags.partition("requires=")
            flags = set(flags.split(",")) - {"-", ""}
            if requires:
                flags.add("requires=" + requires)
            entries.append(dict(kind=kind, project=project, spec=spec, path=path_, origin=origin,
                                flags=flags))
    return entries


def add_dist(dists, d, e, pkgs_dir):
    if canonical(d["name"]) != canonical(e["project"]):
        raise Fail(f"{e['origin']} holds {d['name']}, the recipe expects {e['project']}")
    # One version per project; at most one wheel and one sdist of it.
    for other in dists:
        if canonical(other["name"]) == canonical(d["name"]) and (
                other["kind"] == d["kind"] or other["version"] != d["version"]):
            raise Fail(f"{d['name']}: {other['kind']} {other['version']} from {other['origin']} "
                       f"and {d['kind']} {d['version']} from {e['origin']}; give each project "
                       "one version, at most one wheel and one sdist")
    d.update(spec=e["spec"], origin=e["origin"], python_flag=flag_value(e, "python"),
             sha256=sha256_file(os.path.join(pkgs_dir, d["filename"])))
    dists.append(d)
    print(f"    {d['kind']:5} {d['filename']}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--out", required=True, help="new directory: gets simple/ and packages/")
    ap.add_argument("--key", required=True, help="recipe key: the packages' URL directory")
    args = ap.parse_args()
    try:
        entries = read_manifest(args.manifest)
        packaging = load_packaging(entries)
        pkgs_dir = os.path.join(args.out, "packages")
        os.makedirs(pkgs_dir)
        build = {"deb": wheel_from_deb, "abi3": wheel_from_deb, "whl": wheel_from_whl_deb,
                 "src": sdist_from_orig}
        dists = []
        for e in entries:
            for d in build[e["kind"]](e, pkgs_dir):
                add_dist(dists, d, e, pkgs_dir)
        check_index(dists, packaging)
        write_pages(dists, args.out, args.key)
        with open(os.path.join(args.out, "simple", ".pyindex-table.txt"), "w") as f:
            f.write(table(dists))
    except Fail as exc:
        print(f"pyindex.py: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
