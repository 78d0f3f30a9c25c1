package build

import (
	"strings"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/detect"
	"github.com/warpdrive-buildpack/warpdrive/layers"
)

// laterBuild says which of warpdrive's layers the buildpacks after it in
// the group run in their own build, as their build plan requirements ask.
type laterBuild struct {
	// python: the CPython layer is a build layer (its bin/ on PATH).
	python bool
	// packages: the venv is a build layer too (its bin/ first on PATH,
	// VIRTUAL_ENV set), so `python` imports the app's packages.
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

// wants reports whether the deferred layer d is one later buildpacks use at build.
func (u laterBuild) wants(s *step, d *layers.Deferred) bool {
	switch d {
	case s.python:
		return u.python
	case s.venvLayer:
		return u.packages
	}
	return false
}

// log says which layers later buildpacks get at build, or nothing when none.
func (u laterBuild) log(logger log.Logger) {
	var what []string
	if u.python {
		what = append(what, "CPython (python)")
	}
	if u.packages {
		what = append(what, "the packages (venv, VIRTUAL_ENV)")
	}
	if len(what) == 0 {
		return
	}
	logger.Headerf("For later buildpacks: %s at build, as their build plan requires (build = true)", strings.Join(what, " and "))
}
