package pip

import (
	"regexp"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/internal/command"
)

// pipCheckMissing is pip check's line for a dependency that is not
// installed: "flask 3.1.0 requires blinker, which is not installed."
var pipCheckMissing = regexp.MustCompile(`^(\S+) \S+ requires (\S+), which is not installed\.$`)

// checkLockClosed runs `pip check` in the venv a lock was installed into.
// The pins go in with --no-deps, and Pipfile.lock and pylock.toml record
// no dependency edges to check before: pip reads every installed
// distribution's Requires-Dist, markers evaluated in this interpreter, and
// names what is missing. A missing dependency is a LockIncompleteError
// quoting pip; any other complaint (a version conflict) is only logged,
// since the lock's tool chose those versions.
func (p Installer) checkLockClosed() error {
	out, err := (command.Command{Path: p.Python, Args: []string{"-m", "pip", "check", "--disable-pip-version-check"},
		Dir: p.Home, Quiet: true, Executor: p.Executor}).Run(nil)
	if err == nil {
		return nil
	}
	missing := pipCheckMissingDependencies(out.String())
	if len(missing) == 0 {
		p.Logger.Body("WARNING: pip check reports, for the locked packages:")
		for _, l := range out.Tail(20) {
			p.Logger.Body("  " + l)
		}
		return nil
	}
	return app.LockIncompleteError{File: p.Plan.File, Missing: missing, RefreshCommand: p.Plan.Lock.RefreshCommand, Output: out.Tail(20)}
}

// pipCheckMissingDependencies reads pip check's "requires X, which is not
// installed" lines.
func pipCheckMissingDependencies(output string) []app.MissingDependency {
	var missing []app.MissingDependency
	for _, line := range strings.Split(output, "\n") {
		if m := pipCheckMissing.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			missing = append(missing, app.MissingDependency{Name: m[2], RequiredBy: m[1]})
		}
	}
	return missing
}
