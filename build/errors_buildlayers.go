package build

import (
	"errors"
	"fmt"
	"strings"
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

var (
	laterUnreadable  = func(e LaterVersionError) bool { return e.Unreadable != nil }
	laterUnavailable = func(e LaterVersionError) bool { return e.Unreadable == nil && len(e.Fits) == 0 }
	laterOther       = func(e LaterVersionError) bool { return e.Unreadable == nil && len(e.Fits) > 0 }
)

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
