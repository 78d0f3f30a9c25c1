// Package detect passes for a Python web application.
package detect

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/app"
)

// Build plan entries, named as Paketo's Python buildpacks name them, so
// warpdrive composes with other buildpacks in a builder's order: a later
// buildpack may require the interpreter or the installed packages (with
// metadata build = true to run them in its own build), and an
// earlier one may provide Node.js for a build hook that builds front-end
// assets before collectstatic.
const (
	// CPython is the interpreter, on PATH at launch, and at build for the
	// buildpacks after warpdrive when one requires it there.
	CPython = "cpython"
	// SitePackages are the application's installed packages (the venv).
	SitePackages = "site-packages"
	// Node is Node.js, required at build time when the app has a package.json
	// and some buildpack in the group provides it.
	Node = "node"
)

// NoApplicationError says the source has Python files but nothing that says
// how to install or run them.
type NoApplicationError struct{ Why string }

func (e NoApplicationError) Error() string {
	return e.Why + ".\nAdd a requirements.txt (or pyproject.toml), and an entry point: a Procfile web process, " +
		"wsgi.py or main.py defining `application`/`app`, a Django manage.py, or WARPDRIVE_WSGI_APPLICATION=module:callable."
}

// Detector decides whether warpdrive builds the application.
type Detector struct {
	Logger log.Logger
}

// Detect passes when the application has any of the detect files
// (app.DetectFiles: requirements.txt, a Django manage.py, wsgi.py, app.py,
// app.sh, .warpdrive/ ...), else fails, which the lifecycle sees as exit 100.
func (d Detector) Detect(ctx libcnb.DetectContext) (libcnb.DetectResult, error) {
	found := app.FoundDetectFiles(ctx.ApplicationPath, os.LookupEnv)
	if len(found) == 0 {
		why := fmt.Sprintf("warpdrive: no Python web application found in %s; looked for %s", ctx.ApplicationPath, app.DetectFilePaths(os.LookupEnv))
		if !app.HasPythonFiles(ctx.ApplicationPath) || otherLanguage(ctx.ApplicationPath) {
			// Not a Python app (or another language's, with a helper
			// script): fail quietly, so a builder's other groups (Node.js,
			// Go ...) detect without noise.
			d.Logger.Debug(why)
			return libcnb.DetectResult{Pass: false}, nil
		}
		// Python files without any way to run them: the lifecycle shows a
		// failing detect's reason only at debug level, so this is an error,
		// which it prints.
		return libcnb.DetectResult{}, NoApplicationError{Why: why}
	}
	for _, m := range found {
		d.Logger.Debugf("warpdrive: found %s", m.Describe)
	}
	return libcnb.DetectResult{Pass: true, Plans: plans(ctx.ApplicationPath)}, nil
}

// plans are the alternatives the lifecycle tries in order: with Node.js at
// build time when the app has a package.json (taken only when a buildpack in
// the group provides it), then without.
func plans(dir string) []libcnb.BuildPlan {
	provides := []libcnb.BuildPlanProvide{{Name: CPython}, {Name: SitePackages}}
	// warpdrive's own requirement (a provision must be required) asks for
	// launch only: the build plan then has an entry with build = true only
	// when a later buildpack asks for Python at build, which is what makes
	// the layers build layers (see build/buildlayers.go).
	launchOnly := map[string]interface{}{"launch": true}
	requires := []libcnb.BuildPlanRequire{{Name: CPython, Metadata: launchOnly}, {Name: SitePackages, Metadata: launchOnly}}
	plain := libcnb.BuildPlan{Provides: provides, Requires: requires}
	if !app.FileExists(filepath.Join(dir, "package.json")) {
		return []libcnb.BuildPlan{plain}
	}
	withNode := libcnb.BuildPlan{Provides: provides,
		Requires: append(append([]libcnb.BuildPlanRequire{}, requires...), libcnb.BuildPlanRequire{Name: Node, Metadata: map[string]interface{}{"build": true}})}
	return []libcnb.BuildPlan{withNode, plain}
}

// otherLanguages are the files that say an app is another language's.
var otherLanguages = []string{"package.json", "go.mod", "Gemfile", "pom.xml", "build.gradle", "build.gradle.kts", "Cargo.toml", "composer.json", "mix.exs"}

func otherLanguage(dir string) bool {
	for _, f := range otherLanguages {
		if app.FileExists(filepath.Join(dir, f)) {
			return true
		}
	}
	return false
}
