#!/usr/bin/python3
"""Writes packaging_table.json: what Python's `packaging` (the library pip
vendors) says about each marker and requirement line below, in a few
environments. pep508's TestPackagingTableMarkers and
TestPackagingTableRequirements evaluate every row with the Go
code and compare.

Regenerate (Debian: apt-get install python3-packaging) with:

    /usr/bin/python3 pep508/testdata/gen.py > pep508/testdata/packaging_table.json

and add rows here, not in the JSON.
"""
import json
import sys

import packaging
from packaging.markers import Marker
from packaging.requirements import Requirement


def linux(full, machine="x86_64", extra=""):
    major_minor = ".".join(full.split(".")[:2])
    return {
        "implementation_name": "cpython",
        "implementation_version": full,
        "os_name": "posix",
        "platform_machine": machine,
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": "Linux",
        "platform_version": "",
        "python_full_version": full,
        "python_version": major_minor,
        "sys_platform": "linux",
        "extra": extra,
    }


ENVIRONMENTS = {
    "linux-3.13.5-x86_64": linux("3.13.5"),
    "linux-3.9.18-aarch64": linux("3.9.18", "aarch64"),
    "linux-3.10.14-x86_64-extra-socks": linux("3.10.14", extra="Socks"),
    "linux-3.14.0rc1-x86_64": linux("3.14.0rc1"),
    "windows-3.12.4-amd64": dict(linux("3.12.4", "AMD64"), os_name="nt", sys_platform="win32",
                                 platform_system="Windows", platform_release="10",
                                 platform_version="10.0.19045"),
}

MARKERS = [
    "",
    'python_version < "3.11"',
    'python_version > "3.10"',
    "python_version>='3.8'",
    'python_version >= "3.*"',
    'python_version == "3.13.*"',
    'python_version != "3.13.*"',
    'python_version == "3.13.0"',
    'python_version ~= "3.9"',
    'python_version === "3.13"',
    'python_version in "3.9 3.10 3.11"',
    'python_version not in "3.12 3.13"',
    '"3.10" < python_version',
    '"3.13" == python_version',
    'python_full_version >= "3.8.1"',
    'python_full_version < "3.14"',
    'python_full_version >= "3.14.0b1"',
    'python_full_version == "3.13.5"',
    'python_full_version ~= "3.13.0"',
    'python_full_version < "3.10.14.post1"',
    'implementation_version >= "3.12"',
    'sys_platform == "linux"',
    "sys_platform == 'win32'",
    'sys_platform != "darwin"',
    'sys_platform < "win32"',
    '"linux" in sys_platform',
    '"win" not in sys_platform',
    'os_name == "nt"',
    'platform_system == "Windows" or sys_platform == "win32"',
    'platform_machine == "x86_64"',
    'platform_machine in "x86_64 AMD64"',
    'platform_machine not in "arm64 aarch64"',
    'platform_machine == "aarch64" and python_version >= "3.9"',
    'platform_release >= "20.0"',
    'platform_version == ""',
    "implementation_name == 'cpython'",
    'platform_python_implementation != "PyPy"',
    'extra == "socks"',
    'extra == "Socks"',
    "extra == 'so-cks'",
    'extra != "socks"',
    '(os_name == "nt" or python_version < "3.10") and extra == "socks"',
    'os_name == "nt" or python_version < "3.10" and extra == "socks"',
    '((python_version >= "3.9"))',
    'python_version >= "3.9" and (sys_platform == "linux" or sys_platform == "darwin")',
    "python_version<'3.11'and os_name=='posix'",
    'python_version >= "3"',
    'python_version == "3.1"',
    'python_version < "3.13.1"',
    'python_version === "3.13.0"',
    'python_version ~= "3"',
    'python_version < "3.*"',
    'python_full_version > "3.13"',
    'python_full_version == "3.13"',
    'python_full_version >= "3.14"',
    'python_full_version > "3.14.0a1"',
    'python_full_version != "3.14.0rc1"',
    'python_full_version == "3.14.*"',
    'implementation_name == "CPython"',
    'platform_machine == "X86_64"',
    "'socks' == extra",
    'extra == "SOCKS" or extra == "http"',
    'extra in "socks"',
    'os_name == "posix" and not_a_word == "x"',
    # Not markers: packaging rejects them.
    "python_version",
    'python_version >= 3.9',
    'python_version >= "3.9" and',
    'python_version >= "3.9" andos_name == "posix"',
    'foo == "bar"',
    '"a" == "b"',
    'python_version = "3.9"',
    'python_version ~ "3.9"',
    '(python_version >= "3.9"',
    'python_version >= "3.9")',
    "python_version >= '3.9\"",
]

REQUIREMENTS = [
    "flask",
    "  flask  ",
    "zope.interface",
    "Django-Rest_framework.x",
    "requests==2.32.3",
    "requests >= 2.0",
    'flask[dotenv,async] >=3.0, <4 ; python_version >= "3.9"',
    "flask[ dotenv ]",
    "flask[]",
    "requests[Socks]>=2;extra=='Socks'",
    "name (>=1.0, <2)",
    "name(>=1.0)  ;  os_name == 'posix'",
    "django ~= 4.2.0",
    "django == 4.2.*",
    "torch == 2.3.0+cpu",
    "legacy === 1.0-weird_build",
    "epoch >= 1!2.0",
    "pre >= 1.0rc1, != 1.0.post1, < 2.0.dev0",
    "name @ https://x/y.whl",
    "name@ file:///a/b",
    "name@https://x/y.whl#sha256=abc",
    "name[x] @ git+https://github.com/o/r.git@v1.0 ; sys_platform == 'linux'",
    "name @ https://x/y.whl ;python_version<'3.11'",
    "pywin32; sys_platform == 'win32'",
    'colorama ; platform_system == "Windows" or sys_platform == "win32"',
    'pysocks ; extra == "socks"',
    # Not requirements: packaging rejects them.
    "",
    "-flask",
    "flask==",
    "flask >= 1.0 <2",
    "flask[dotenv",
    "flask[dot env]",
    "flask ; ",
    "flask ; python_version",
    "flask == 1.0.*.post1",
    "name @ ",
    "flask !! 1.0",
]


# Where the Go code departs from packaging 23.0 (Debian bookworm's) on
# purpose, the row's "departure" says why and what the Go code does instead:
#   - "trailing": packaging 23.0 stops reading a marker at the first token
#     that cannot continue it and ignores the rest; PEP 508's grammar has
#     the marker end there, so the text is not a marker.
#   - "string fallback": PEP 508 says a version comparison whose sides do
#     not parse as versions compares them as Python strings; packaging 23.0
#     raises InvalidVersion instead (pip did the same: platform_release
#     markers on kernels such as "6.1.0-rpi7-rpi-v8" failed installs).
#   - "extra with in": packaging tests the requested extra's name as a
#     substring (true with no extra, as "" is in every string), which says
#     nothing about a lock; warpdrive compares extra only with == and !=
#     (PEP 685's comparisons) and rejects the marker with a titled error.
TRAILING = {
    'python_version >= "3.9" andos_name == "posix"',
    'python_version >= "3.9")',
}
STRING_FALLBACK = {
    'platform_release >= "20.0"': ("platform_release", ">=", "20.0"),
}
MEANINGLESS = {
    'extra in "socks"',
}
STRING_OPS = {"<": str.__lt__, "<=": str.__le__, ">": str.__gt__, ">=": str.__ge__}


def evaluate(marker):
    results = {}
    for env_name, env in ENVIRONMENTS.items():
        try:
            results[env_name] = marker.evaluate(dict(env))
        except Exception as e:  # packaging's own error for this environment
            results[env_name] = "error: " + type(e).__name__
    return results


def marker_row(text):
    try:
        marker = Marker(text) if text else None
    except Exception as e:
        return {"marker": text, "invalid": type(e).__name__}
    if marker is None:
        return {"marker": text, "results": {name: True for name in ENVIRONMENTS}}
    row = {"marker": text, "normalized": str(marker), "results": evaluate(marker)}
    if text in TRAILING:
        row["departure"] = {"reason": "packaging 23.0 ignores what follows " + str(marker), "invalid": True}
    if text in MEANINGLESS:
        row["departure"] = {"reason": "extra compared with in", "invalid": True}
    if text in STRING_FALLBACK:
        var, op, literal = STRING_FALLBACK[text]
        results = {}
        for name, env in ENVIRONMENTS.items():
            result = row["results"][name]
            if isinstance(result, str) and result.startswith("error"):
                result = STRING_OPS[op](env[var], literal)
            results[name] = result
        row["departure"] = {"reason": "PEP 508's string comparison where packaging 23.0 raises", "results": results}
    return row


def requirement_row(text):
    try:
        req = Requirement(text)
    except Exception as e:
        return {"requirement": text, "invalid": type(e).__name__}
    row = {
        "requirement": text,
        "name": req.name,
        "extras": sorted(req.extras),
        "specifiers": sorted(str(s) for s in req.specifier),
        "url": req.url or "",
        "marker": str(req.marker) if req.marker else "",
    }
    if req.marker:
        row["results"] = evaluate(req.marker)
    return row


json.dump({
    "generator": "pep508/testdata/gen.py with packaging " + packaging.__version__,
    "environments": ENVIRONMENTS,
    "markers": [marker_row(m) for m in MARKERS],
    "requirements": [requirement_row(r) for r in REQUIREMENTS],
}, sys.stdout, indent=1, sort_keys=True)
sys.stdout.write("\n")
