package build

import (
	"errors"
	"fmt"
	"strings"
)

// explainbuildlayers explains the errors of Python for later buildpacks.
func explainbuildlayers(err error) (Message, bool) {
	var later LaterVersionError
	if !errors.As(err, &later) {
		return Message{}, false
	}
	asked := "version " + later.Constraint
	if later.VersionSource != "" {
		asked += " (version-source " + later.VersionSource + ")"
	}
	if later.Unreadable != nil {
		return Message{Title: "A later buildpack's Python version is not readable",
			Detail: []string{fmt.Sprintf("A buildpack after warpdrive requires cpython %s in its build plan: %v.", asked, later.Unreadable),
				"warpdrive reads it as a semver constraint, as Paketo's Python buildpacks do (3.12, 3.12.*, >=3.11,<3.14)."},
			Fix: []string{"Write the version of that buildpack's cpython requirement as such a constraint (or \"default\"),",
				"or choose the version with BP_PYTHON_VERSION and drop it from the requirement."}}, true
	}
	detail := []string{fmt.Sprintf("A buildpack after warpdrive requires cpython %s in its build plan,", asked),
		fmt.Sprintf("but warpdrive installs Python %s (%s asks for %s); that buildpack would run another Python than it asked for.",
			later.Installed, later.Request.Source, later.Request.Version)}
	if len(later.Fits) == 0 {
		return Message{Title: "A later buildpack needs a Python version warpdrive does not provide",
			Detail: append(detail, "This buildpack provides: "+strings.Join(later.Available, ", ")+"."),
			Fix: []string{"Change that buildpack's cpython requirement to one of those versions,",
				"or use a builder whose warpdrive provides the version it needs."}}, true
	}
	return Message{Title: "A later buildpack needs another Python version",
		Detail: detail,
		Fix: []string{fmt.Sprintf("Ask warpdrive for a version that fits (this buildpack provides %s): `pack build --env BP_PYTHON_VERSION=%s`",
			strings.Join(later.Fits, ", "), later.Fits[len(later.Fits)-1]),
			"(BP_PYTHON_VERSION wins over every other version source), or change that buildpack's cpython requirement to match " + later.Installed + "."}}, true
}
