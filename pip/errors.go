package pip

import (
	"fmt"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/app"
)

// InstallError: pip could not install the application's requirements.
type InstallError struct {
	// Files are the requirement files pip read.
	Files []app.RequirementFile
	// Errors are pip's own ERROR lines.
	Errors []string
	// Tail is the end of pip's output.
	Tail []string
	// Locations are the requirement lines that name the packages pip complained about.
	Locations []app.RequirementLocation
	// Python is the interpreter's version, e.g. 3.13.5.
	Python string
	// SkippedForPython: pip ignored versions whose Requires-Python excludes
	// Python (its "Ignored the following versions that require a different
	// python version" line), so what it lacked may exist for another Python.
	SkippedForPython bool
	Err              error
}

func (e InstallError) Error() string {
	return fmt.Sprintf("pip install failed: %s", strings.Join(e.Errors, "; "))
}

// LockHashError: a file pip downloaded for a lock's pin does not have the
// hash the lock records.
type LockHashError struct {
	File, Package string
	// Expected are the lock's hashes for the file, Got what pip computed.
	Expected []string
	Got      string
	// Tail is the end of pip's output.
	Tail []string
}

func (e LockHashError) Error() string {
	return fmt.Sprintf("%s: the downloaded %s does not match the lock's hash (expected %s, got %s)",
		e.File, e.Package, strings.Join(e.Expected, " or "), e.Got)
}

// LockPinUnavailableError: the index has no release of a pin's exact version.
type LockPinUnavailableError struct {
	File, Package, Version string
	// Available is pip's "(from versions: ...)" list, "none" when empty.
	Available string
	// Tail is the end of pip's output.
	Tail []string
}

func (e LockPinUnavailableError) Error() string {
	return fmt.Sprintf("%s pins %s %s, which the package index does not have (it has: %s)", e.File, e.Package, e.Version, e.Available)
}

// BuildBackendError: pip could not install the build backend pyproject.toml
// names, so the project cannot be built.
type BuildBackendError struct {
	Backend string
	Errors  []string
	Tail    []string
}

func (e BuildBackendError) Error() string {
	return fmt.Sprintf("the build backend %s could not be installed: %s", e.Backend, strings.Join(e.Errors, "; "))
}

// ProjectBuildError: pip could not build the application's own package
// (`pip install .`), after its build backend was installed.
type ProjectBuildError struct {
	// Input is the file the plan chose (pyproject.toml, setup.py, a lock).
	Input   string
	Backend string
	Errors  []string
	Tail    []string
}

func (e ProjectBuildError) Error() string {
	return fmt.Sprintf("pip could not build the application as a package with %s: %s", e.Backend, strings.Join(e.Errors, "; "))
}
