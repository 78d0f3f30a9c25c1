package layers

import (
	"fmt"
	"strings"
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
