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

// VersionFileError says a version file exists but does not name exactly one
// version. pyenv reads one version per line and tries them in order, but the
// buildpack installs a single Python, and an empty file is more likely a
// mistake than a wish for the default.
type VersionFileError struct {
	// Path is the file, relative to the application, e.g. ".python-version".
	Path string
	// Versions are the lines it names: none, or several.
	Versions []string
}

func (e VersionFileError) Error() string {
	if len(e.Versions) == 0 {
		return fmt.Sprintf("%s names no Python version: it holds only blank lines and comments", e.Path)
	}
	return fmt.Sprintf("%s names several Python versions (%s), but the buildpack installs only one",
		e.Path, strings.Join(e.Versions, ", "))
}

// RequestedPythonVersion finds the Python version, in order: the
// BP_PYTHON_VERSION environment variable, `.python-version` (exactly one
// non-comment line, else a VersionFileError), `runtime.txt` (`python-3.12.4`,
// first non-comment line), else def.
func RequestedPythonVersion(dir string, lookupEnv func(string) (string, bool), def string) (VersionRequest, error) {
	if v, ok := lookupEnv("BP_PYTHON_VERSION"); ok && strings.TrimSpace(v) != "" {
		return checked(VersionRequest{Version: strings.TrimSpace(v), Source: "BP_PYTHON_VERSION"})
	}
	if vs, ok, err := versionLines(filepath.Join(dir, ".python-version")); err != nil {
		return VersionRequest{}, err
	} else if ok && len(vs) != 1 {
		return VersionRequest{}, VersionFileError{Path: ".python-version", Versions: vs}
	} else if ok {
		return checked(VersionRequest{Version: vs[0], Source: ".python-version"})
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

// firstLine returns the first line of path that is neither blank nor a
// comment; ok is false when there is none or no file.
func firstLine(path string) (string, bool, error) {
	lines, _, err := versionLines(path)
	if err != nil || len(lines) == 0 {
		return "", false, err
	}
	return lines[0], true, nil
}

// versionLines returns the lines of path that are neither blank nor a comment,
// without trailing comments; exists is false when there is no such file.
func versionLines(path string) (lines []string, exists bool, err error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("unable to read %s\n%w", path, err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	if err := s.Err(); err != nil {
		return nil, false, fmt.Errorf("unable to read %s\n%w", path, err)
	}
	return lines, true, nil
}
