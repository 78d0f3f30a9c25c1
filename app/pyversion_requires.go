package app

import (
	"fmt"

	pep440 "github.com/aquasecurity/go-pep440-version"
)

// RequiresPythonError says the Python version the build chose is outside
// what the project declares it supports: uv, Poetry and Pipenv
// (`install --deploy`) refuse to install into such an interpreter.
type RequiresPythonError struct {
	// Request chose the version; Version is the one chosen.
	Request VersionRequest
	Version string
	// Declared is the project's constraint that Version does not satisfy.
	Declared VersionRequest
}

func (e RequiresPythonError) Error() string {
	return fmt.Sprintf("%s asks for Python %s (the build would use %s), but %s is %q, which excludes it",
		e.Request.Source, e.Request.Version, e.Version, e.Declared.Source, e.Declared.Version)
}

// CheckRequiresPython returns a RequiresPythonError when version, chosen by
// req, does not satisfy a Python constraint the project files in dir
// declare (requires-python, the Pipfile's [requires], Poetry's python).
// When none of those chose the version it was picked to satisfy the first
// of them (RequestedPythonVersion), so only a request that overrides them
// (BP_PYTHON_VERSION, .python-version, runtime.txt) or constraints that
// disagree with each other can fail.
func CheckRequiresPython(dir string, req VersionRequest, version string) error {
	declared, err := declaredVersions(dir, 0)
	if err != nil {
		return err
	}
	v, err := pep440.Parse(version)
	if err != nil {
		return nil // not a version the buildpack provides; resolution reports it
	}
	for _, d := range declared {
		if d.Source == req.Source {
			continue
		}
		if !satisfies(d, v) {
			return RequiresPythonError{Request: req, Version: version, Declared: d}
		}
	}
	return nil
}

// satisfies: v is within the constraint. One that this buildpack cannot
// read is passed over: it was not asked for (it would be a VersionError if
// it were), and refusing a build over a reading warpdrive lacks would
// promise more than it knows.
func satisfies(constraint VersionRequest, v pep440.Version) bool {
	spec, err := parseRequest(constraint)
	if err != nil {
		return true
	}
	ss, err := pep440.NewSpecifiers(spec.String(), pep440.WithPreRelease(true))
	if err != nil {
		return true
	}
	return ss.Check(v)
}
