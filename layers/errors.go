package layers

import (
	"fmt"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/app"
)

// RuntimeInstallError: the CPython archive could not be fetched or installed.
type RuntimeInstallError struct {
	Version, URI string
	Err          error
}

func (e RuntimeInstallError) Error() string {
	return fmt.Sprintf("installing CPython %s from %s failed: %s", e.Version, e.URI, e.Err)
}

func (e RuntimeInstallError) Unwrap() error { return e.Err }

// PipInstallError: pip could not install the application's requirements.
type PipInstallError struct {
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

func (e PipInstallError) Error() string {
	return fmt.Sprintf("pip install failed: %s", strings.Join(e.Errors, "; "))
}

// VenvError: the virtual environment could not be created.
type VenvError struct {
	Output []string
	Err    error
}

func (e VenvError) Error() string {
	return fmt.Sprintf("creating the virtual environment failed: %s", e.Err)
}

// ApacheMissingError: mod_wsgi is the server but the builder has no Apache
// development files (apxs) to compile it against.
type ApacheMissingError struct{ LookedFor []string }

func (e ApacheMissingError) Error() string {
	return fmt.Sprintf("mod_wsgi needs Apache's apxs to compile, and none was found (looked for %s)", strings.Join(e.LookedFor, ", "))
}

// ModWSGIBuildError: pip could not build mod_wsgi.
type ModWSGIBuildError struct {
	Version string
	Tail    []string
	Err     error
}

func (e ModWSGIBuildError) Error() string {
	return fmt.Sprintf("building mod_wsgi %s failed: %s", e.Version, e.Err)
}

// DjangoSettingsError: importing the Django settings failed.
type DjangoSettingsError struct {
	SettingsModule string
	Tail           []string
	Err            error
}

func (e DjangoSettingsError) Error() string {
	return fmt.Sprintf("importing the Django settings %s failed: %s", e.SettingsModule, e.Err)
}

// CollectstaticError: manage.py collectstatic failed.
type CollectstaticError struct {
	Tail []string
	Err  error
}

func (e CollectstaticError) Error() string { return fmt.Sprintf("collectstatic failed: %s", e.Err) }

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
