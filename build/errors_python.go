package build

import (
	"errors"
	"fmt"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/layers"
)

// Explanations of the Python version and runtime errors.

func explainVersion(e app.VersionError) Message {
	return Message{Title: "Invalid Python version",
		Detail: []string{e.Error() + "."},
		Fix:    []string{fmt.Sprintf("Write a version such as 3.13 or 3.13.5, or a PEP 440 range such as >=3.11,<3.14, in %s.", e.Source)}}
}

func explainUnavailable(e app.UnavailableVersionError) Message {
	return Message{Title: "Requested Python version is not available",
		Detail: []string{fmt.Sprintf("%s asks for Python %s, but this buildpack provides: %s.",
			e.Request.Source, e.Request.Version, strings.Join(e.Available, ", "))},
		Fix: []string{fmt.Sprintf("Change %s to one of those versions or a range that includes one (a minor version such as %s picks its newest release).",
			e.Request.Source, minorOf(e.Available))}}
}

func explainVersionFile(e app.VersionFileError) Message {
	return Message{Title: "Invalid .python-version",
		Detail: []string{e.Error() + "."},
		Fix: []string{fmt.Sprintf("Write exactly one version, such as 3.13 or 3.13.5, in %s", e.Path),
			"(or remove the file to use the next source: runtime.txt, pyproject.toml's requires-python, the Pipfile, Poetry's python, then the buildpack's default)."}}
}

func explainRuntime(e layers.RuntimeInstallError) Message {
	return Message{Title: "Unable to install Python",
		Detail: []string{e.Error()},
		Fix: []string{"Check that the builder can reach the download (or configure BP_DEPENDENCY_MIRROR),",
			"then build again."}}
}

func explainRequiresPython(e app.RequiresPythonError) Message {
	return Message{Title: "Python version outside requires-python",
		Detail: []string{e.Error() + ".",
			"uv, Poetry and Pipenv refuse to install a project into a Python it does not support, and so does warpdrive."},
		Fix: []string{fmt.Sprintf("Change %s to a version that %s allows (%s),", e.Request.Source, e.Declared.Source, e.Declared.Version),
			fmt.Sprintf("or widen %s to include Python %s (then lock again if the project has a lock).", e.Declared.Source, e.Version)}}
}

// The cases of a LaterVersionError, each with its own title.
var (
	laterUnreadable  = func(e LaterVersionError) bool { return e.Unreadable != nil }
	laterUnavailable = func(e LaterVersionError) bool { return e.Unreadable == nil && len(e.Fits) == 0 }
	laterOther       = func(e LaterVersionError) bool { return e.Unreadable == nil && len(e.Fits) > 0 }
)

// laterVersion adapts explain to a family for one case of a
// LaterVersionError: the cases have their own titles.
func laterVersion(applies func(LaterVersionError) bool, explain func(LaterVersionError) Message) func(error) (Message, bool) {
	return func(err error) (Message, bool) {
		var later LaterVersionError
		if !errors.As(err, &later) || !applies(later) {
			return Message{}, false
		}
		return explain(later), true
	}
}

// laterAsked is the later buildpack's request as the messages quote it.
func laterAsked(e LaterVersionError) string {
	asked := "version " + e.Constraint
	if e.VersionSource != "" {
		asked += " (version-source " + e.VersionSource + ")"
	}
	return asked
}

// laterDetail says which Python the later buildpack asked for and which one
// warpdrive installs.
func laterDetail(e LaterVersionError) []string {
	return []string{fmt.Sprintf("A buildpack after warpdrive requires cpython %s in its build plan,", laterAsked(e)),
		fmt.Sprintf("but warpdrive installs Python %s (%s asks for %s); that buildpack would run another Python than it asked for.",
			e.Installed, e.Request.Source, e.Request.Version)}
}

func explainLaterUnreadable(e LaterVersionError) Message {
	return Message{Title: "A later buildpack's Python version is not readable",
		Detail: []string{fmt.Sprintf("A buildpack after warpdrive requires cpython %s in its build plan: %v.", laterAsked(e), e.Unreadable),
			"warpdrive reads it as a semver constraint, as Paketo's Python buildpacks do (3.12, 3.12.*, >=3.11,<3.14)."},
		Fix: []string{"Write the version of that buildpack's cpython requirement as such a constraint (or \"default\"),",
			"or choose the version with BP_PYTHON_VERSION and drop it from the requirement."}}
}

func explainLaterUnavailable(e LaterVersionError) Message {
	return Message{Title: "A later buildpack needs a Python version warpdrive does not provide",
		Detail: append(laterDetail(e), "This buildpack provides: "+strings.Join(e.Available, ", ")+"."),
		Fix: []string{"Change that buildpack's cpython requirement to one of those versions,",
			"or use a builder whose warpdrive provides the version it needs."}}
}

func explainLaterOther(e LaterVersionError) Message {
	return Message{Title: "A later buildpack needs another Python version",
		Detail: laterDetail(e),
		Fix: []string{fmt.Sprintf("Ask warpdrive for a version that fits (this buildpack provides %s): `pack build --env BP_PYTHON_VERSION=%s`",
			strings.Join(e.Fits, ", "), e.Fits[len(e.Fits)-1]),
			"(BP_PYTHON_VERSION wins over every other version source), or change that buildpack's cpython requirement to match " + e.Installed + "."}}
}
