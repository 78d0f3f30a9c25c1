package build

import (
	"fmt"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/detect"
	"github.com/warpdrive-buildpack/warpdrive/layers"
	"github.com/warpdrive-buildpack/warpdrive/reuse"
)

// laterBuild says which of warpdrive's layers the buildpacks after it in
// the group run in their own build, as their build plan requirements ask.
type laterBuild struct {
	// python: the CPython layer is a build layer (its bin/ on PATH).
	python bool
	// packages: the venv is a build layer too (its bin/ first on PATH,
	// VIRTUAL_ENV set), so `python` imports the app's packages; and so is
	// mod_wsgi's layer, when warpdrive compiled it there, which the venv
	// imports through a .pth file.
	packages bool
}

// readLaterBuild reads the buildpack plan. The lifecycle hands a provider
// every requirement of the names it provides, one entry each, with the
// requirer's metadata; by the CNB convention (Paketo's cpython and
// pip-install buildpacks read it the same way) `build = true` asks for the
// dependency in the build of later buildpacks. warpdrive's own requirement
// asks for launch only (see detect), so such an entry is another buildpack's.
func readLaterBuild(plan libcnb.BuildpackPlan) laterBuild {
	var u laterBuild
	for _, e := range plan.Entries {
		if build, ok := e.Metadata["build"].(bool); !ok || !build {
			continue
		}
		switch e.Name {
		case detect.CPython:
			u.python = true
		case detect.SitePackages:
			u.packages = true
		}
	}
	// The venv's python is a link to the runtime's interpreter: it runs
	// only if the runtime is there too.
	u.python = u.python || u.packages
	return u
}

// wants reports whether the snapshot-backed layer d is one later buildpacks use at build.
func (u laterBuild) wants(s *step, d *reuse.SnapshotBackedLayer) bool {
	switch {
	case d == s.python:
		return u.python
	case d == s.venvLayer, d.Layer.Name == layers.ModWSGILayer:
		return u.packages
	}
	return false
}

// logBuildLayers says which layers later buildpacks get at build, or
// nothing when none.
func logBuildLayers(logger log.Logger, names []string) {
	if len(names) == 0 {
		return
	}
	logger.Headerf("For later buildpacks (their build plan requires Python at build): %s made build layers too, on their PATH",
		strings.Join(names, ", "))
}

// LaterVersionError: a buildpack after warpdrive requires a CPython version
// (a requirement's `version`, a semver constraint by the convention Paketo's
// Python buildpacks follow) that the one warpdrive installs does not meet.
type LaterVersionError struct {
	// Constraint is the requirement's version, and VersionSource its
	// version-source (the file it was read from), when given.
	Constraint, VersionSource string
	// Installed is the version warpdrive resolved, from Request.
	Installed string
	Request   app.VersionRequest
	// Available are the versions this buildpack provides; Fits those
	// that meet the constraint.
	Available, Fits []string
	// Unreadable, when set, is why the constraint does not parse.
	Unreadable error
}

func (e LaterVersionError) Error() string {
	if e.Unreadable != nil {
		return fmt.Sprintf("a later buildpack requires cpython version %q, which is not a version constraint: %v", e.Constraint, e.Unreadable)
	}
	return fmt.Sprintf("a later buildpack requires cpython version %s, but warpdrive installs Python %s", e.Constraint, e.Installed)
}

// checkLaterVersions fails when a cpython requirement in the plan names a
// version the installed one does not meet: the later buildpack would run
// another Python than it asked for. "default" (Paketo's word for "whatever
// the provider picks") and an empty version ask for nothing.
func checkLaterVersions(plan libcnb.BuildpackPlan, installed string, req app.VersionRequest, available []string) error {
	v, err := semver.NewVersion(installed)
	if err != nil {
		return err
	}
	for _, e := range plan.Entries {
		constraint, _ := e.Metadata["version"].(string)
		constraint = strings.TrimSpace(constraint)
		if e.Name != detect.CPython || constraint == "" || constraint == "default" {
			continue
		}
		source, _ := e.Metadata["version-source"].(string)
		fail := LaterVersionError{Constraint: constraint, VersionSource: source, Installed: installed, Request: req, Available: available}
		c, err := semver.NewConstraint(constraint)
		if err != nil {
			fail.Unreadable = err
			return fail
		}
		if c.Check(v) {
			continue
		}
		for _, a := range available {
			if av, err := semver.NewVersion(a); err == nil && c.Check(av) {
				fail.Fits = append(fail.Fits, a)
			}
		}
		return fail
	}
	return nil
}
