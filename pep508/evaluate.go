package pep508

import (
	"fmt"
	"strings"

	pep440 "github.com/aquasecurity/go-pep440-version"
)

func (c *comparison) eval(env Environment) (bool, error) {
	switch c.variable {
	case "extra":
		// Environment holds a set of extras where packaging evaluates once
		// per extra; as uv does, `extra == "x"` asks whether x is requested
		// and `extra != "x"` whether it is not.
		return hasName(env.Extras, c.value) == (c.op == "=="), nil
	case "extras":
		return hasName(env.Extras, c.value) == (c.op == "in"), nil
	case "dependency_groups":
		return hasName(env.Groups, c.value) == (c.op == "in"), nil
	}
	v, ok := env.Values[c.variable]
	if !ok {
		return false, fmt.Errorf("marker variable %s is not set in the environment", c.variable)
	}
	lhs, rhs := v, c.value
	if c.valueFirst {
		lhs, rhs = c.value, v
	}
	return compare(lhs, c.op, rhs)
}

// compare applies op to two strings the way PEP 508 says: as PEP 440
// versions when the left side is a version and op with the right side is a
// version specifier, otherwise as strings (packaging's _eval_op does the
// same); only ~= between non-versions is an error.
func compare(lhs, op, rhs string) (bool, error) {
	switch op {
	case "in":
		return strings.Contains(rhs, lhs), nil
	case "not in":
		return !strings.Contains(rhs, lhs), nil
	case "===":
		// Arbitrary equality is a plain (case-insensitive) string test,
		// whether or not the sides are versions.
		return strings.EqualFold(lhs, rhs), nil
	}
	if matched, ok := compareVersions(lhs, op, rhs); ok {
		return matched, nil
	}
	switch op {
	case "==":
		return lhs == rhs, nil
	case "!=":
		return lhs != rhs, nil
	}
	// Values that are not versions (an empty platform_release, a kernel
	// string such as "6.1.0-13-amd64") are ordered as strings, as
	// packaging's markers do: an unusual marker must not fail a build.
	switch op {
	case "<":
		return lhs < rhs, nil
	case "<=":
		return lhs <= rhs, nil
	case ">":
		return lhs > rhs, nil
	case ">=":
		return lhs >= rhs, nil
	}
	return false, fmt.Errorf("undefined comparison %q %s %q: %s needs PEP 440 versions on both sides", lhs, op, rhs, op)
}

// compareVersions evaluates `lhs op rhs` as packaging does: rhs with op is a
// specifier ("==3.*" included) and lhs the version tested against it. ok is
// false when either side is not a version.
func compareVersions(lhs, op, rhs string) (matched, ok bool) {
	v, err := pep440.Parse(lhs)
	if err != nil {
		return false, false
	}
	spec, ok := versionSpecifier(op, rhs)
	if !ok {
		return false, false
	}
	return spec.Check(v), true
}

// versionSpecifier is op followed by version as a PEP 440 specifier, for the
// operators other than === (which takes any string). ok is false when they
// do not form one: a version that is not PEP 440, a wildcard other than after
// == or !=, a one-part ~=. The library's own parser accepts lists like
// "3.8,<4", so the version is checked alone first.
func versionSpecifier(op, version string) (spec pep440.Specifiers, ok bool) {
	base, wildcard := strings.CutSuffix(version, ".*")
	if wildcard && op != "==" && op != "!=" {
		return pep440.Specifiers{}, false
	}
	if _, err := pep440.Parse(base); err != nil {
		return pep440.Specifiers{}, false
	}
	spec, err := pep440.NewSpecifiers(op + version)
	return spec, err == nil
}
