package pep508

import (
	"maps"
	"slices"
	"strings"
)

// Environment is the marker environment of one target.
type Environment struct {
	// Values are the marker variables: python_version, python_full_version, os_name,
	// sys_platform, platform_system, platform_machine, platform_release, platform_version,
	// implementation_name, implementation_version, platform_python_implementation.
	Values map[string]string
	// Extras are the extras requested (the `extra` variable: `extra == "x"` is true when
	// normalized x is among them; PEP 751's `'x' in extras` set test too).
	Extras []string
	// Groups are PEP 751's dependency_groups (`'dev' in dependency_groups`).
	Groups []string
}

// machines maps Go's GOARCH to what platform.machine() reports on Linux
// (uname -m), which is what wheels and markers are written against.
var machines = map[string]string{
	"amd64":   "x86_64",
	"arm64":   "aarch64",
	"386":     "i686",
	"arm":     "armv7l",
	"ppc64le": "ppc64le",
	"s390x":   "s390x",
	"riscv64": "riscv64",
}

// Target is the environment of a Linux CPython image: pythonFullVersion like
// "3.13.5" (python_version "3.13"), goarch "amd64" -> platform_machine
// "x86_64", "arm64" -> "aarch64" (other GOARCH values map to uname -m's name,
// or pass through unchanged). platform_release and platform_version are the
// build host's kernel, unknowable for the run image, so they are left empty.
func Target(pythonFullVersion, goarch string) Environment {
	machine, ok := machines[goarch]
	if !ok {
		machine = goarch
	}
	return Environment{Values: map[string]string{
		"python_version":                 pythonVersion(pythonFullVersion),
		"python_full_version":            pythonFullVersion,
		"os_name":                        "posix",
		"sys_platform":                   "linux",
		"platform_system":                "Linux",
		"platform_machine":               machine,
		"platform_release":               "",
		"platform_version":               "",
		"implementation_name":            "cpython",
		"implementation_version":         pythonFullVersion,
		"platform_python_implementation": "CPython",
	}}
}

// pythonVersion is python_version for a full version: its MajorMinor, or
// the version as given when it has no minor number.
func pythonVersion(full string) string {
	if mm, ok := MajorMinor(full); ok {
		return mm
	}
	return full
}

// MajorMinor is the "X.Y" of a Python version, as python_version is of
// python_full_version: "3.13.5" -> "3.13"; a pre-release "3.14.0rc1", or
// "3.14rc1" -> "3.14" (PEP 440 reads 3.14rc1 as a pre-release of release
// 3.14, and CPython's platform.python_version_tuple() ends the minor number
// at its first non-digit). ok is false when there is no numeric major and
// minor: "3", "3.x", an epoch's "1!3.14".
func MajorMinor(version string) (string, bool) {
	major, rest, _ := strings.Cut(version, ".")
	minor := rest[:len(rest)-len(strings.TrimLeft(rest, "0123456789"))]
	if !allDigits(major) || minor == "" {
		return "", false
	}
	return major + "." + minor, true
}

func allDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// WithExtras returns a copy of e with extras added. The copy shares nothing
// with e, so one base environment can fan out to several requests safely.
func (e Environment) WithExtras(extras ...string) Environment {
	c := e.clone()
	c.Extras = append(c.Extras, extras...)
	return c
}

// WithGroups returns a copy of e with dependency groups added.
func (e Environment) WithGroups(groups ...string) Environment {
	c := e.clone()
	c.Groups = append(c.Groups, groups...)
	return c
}

func (e Environment) clone() Environment {
	return Environment{
		Values: maps.Clone(e.Values),
		Extras: slices.Clone(e.Extras),
		Groups: slices.Clone(e.Groups),
	}
}

// hasName reports whether the normalized name is among names, compared as
// PEP 685 says: both sides PEP 503-normalized.
func hasName(names []string, normalized string) bool {
	return slices.ContainsFunc(names, func(n string) bool { return NormalizeName(n) == normalized })
}
