// Package pep508 parses and evaluates Python dependency specifiers (PEP 508):
// environment markers ("python_version >= '3.9' and sys_platform == 'win32'")
// and requirement lines ("flask[dotenv]>=3; python_version < '4'"). Lock
// files (uv.lock, poetry.lock, Pipfile.lock, pylock.toml) carry markers on
// their packages and dependency edges; warpdrive evaluates them for the
// image's Python and platform (see Target), with no Python at hand.
//
// Markers follow packaging.markers: a tokenizer and a recursive-descent
// parser ("and" binds tighter than "or"), the legacy dotted variable names,
// PEP 685 normalization of extra names, and PEP 751's "'x' in extras" and
// "'g' in dependency_groups" set tests. A comparison whose left side is a
// PEP 440 version and whose operator and right side form a PEP 440 specifier
// is a version comparison (github.com/aquasecurity/go-pep440-version), so
// python_version > "3.10" holds on 3.13 and python_version == "3.*" is a
// prefix match. Otherwise == and != compare strings, in and not in test for
// substrings, and ordering operators are an evaluation error.
package pep508
