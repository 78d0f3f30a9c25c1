package app

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// VersionRequest is the Python version an application asks for, and where the
// request came from (the build log says which source won).
type VersionRequest struct {
	// Version is what was asked for: "3.12", "3.12.4", or the default.
	Version string
	// Source names where it came from, e.g. ".python-version" or "BP_PYTHON_VERSION".
	Source string
}

// Constraint turns the request into a semver constraint for the dependency
// resolver: "3.12" means any 3.12.x, "3.12.4" exactly that release.
func (r VersionRequest) Constraint() string {
	if strings.Count(r.Version, ".") == 1 {
		return r.Version + ".*"
	}
	return r.Version
}

var versionPattern = regexp.MustCompile(`^3\.\d+(\.\d+)?$`)

// VersionError says a version source holds something that is not a Python
// version this buildpack understands.
type VersionError struct {
	Source string
	Value  string
}

func (e VersionError) Error() string {
	return fmt.Sprintf("%s asks for Python %q, which is not a version of the form 3.X or 3.X.Y", e.Source, e.Value)
}

// RequestedPythonVersion finds the Python version, in order: the
// BP_PYTHON_VERSION environment variable, `.python-version` (first non-comment
// line), `runtime.txt` (`python-3.12.4`), else def.
func RequestedPythonVersion(dir string, lookupEnv func(string) (string, bool), def string) (VersionRequest, error) {
	if v, ok := lookupEnv("BP_PYTHON_VERSION"); ok && strings.TrimSpace(v) != "" {
		return checked(VersionRequest{Version: strings.TrimSpace(v), Source: "BP_PYTHON_VERSION"})
	}
	if v, ok, err := firstLine(filepath.Join(dir, ".python-version")); err != nil {
		return VersionRequest{}, err
	} else if ok {
		return checked(VersionRequest{Version: v, Source: ".python-version"})
	}
	if v, ok, err := firstLine(filepath.Join(dir, "runtime.txt")); err != nil {
		return VersionRequest{}, err
	} else if ok {
		return checked(VersionRequest{Version: strings.TrimPrefix(v, "python-"), Source: "runtime.txt"})
	}
	return VersionRequest{Version: def, Source: "the buildpack default"}, nil
}

func checked(r VersionRequest) (VersionRequest, error) {
	if !versionPattern.MatchString(r.Version) {
		return VersionRequest{}, VersionError{Source: r.Source, Value: r.Version}
	}
	return r, nil
}

// firstLine returns the first line of path that is neither blank nor a comment.
func firstLine(path string) (string, bool, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return "", false, nil
	} else if err != nil {
		return "", false, fmt.Errorf("unable to read %s\n%w", path, err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if i := strings.Index(line, "#"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if line != "" {
			return line, true, nil
		}
	}
	return "", false, s.Err()
}
