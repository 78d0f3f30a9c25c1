package pip

import (
	"regexp"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/internal/command"
)

var (
	// pip, under --require-hashes: "    flask==3.1.0 from https://.../flask.whl#sha256=...:"
	hashPackage = regexp.MustCompile(`^\s+(\S+?)==(\S+) from \S+`)
	// "        Expected sha256 ab12...", then for each further hash of the
	// same kind "        Expected     or cd34..." (pip's hash_then_or).
	hashExpected = regexp.MustCompile(`^\s+Expected\s+(\w+) ([0-9a-f]+)`)
	// "             Got        ef56..."
	hashGot = regexp.MustCompile(`^\s+Got\s+([0-9a-f]+)`)
	// "ERROR: Could not find a version that satisfies the requirement flask==9.0 (from versions: 3.1.0)"
	noVersion = regexp.MustCompile(`Could not find a version that satisfies the requirement ([A-Za-z0-9._-]+)==(\S+) \(from versions: ([^)]*)\)`)
)

// explainPlan turns a failed step of a plan into the most specific error:
// a hash mismatch, a pinned version the index lacks, a build backend pip
// cannot install, else pip's own errors.
func (p Installer) explainPlan(step Step, out *command.Output, err error) error {
	text := out.String()
	if e, ok := hashMismatch(text); ok {
		e.File, e.Tail = p.Plan.File, out.Tail(25)
		return e
	}
	if InstallsProject([]Step{step}) && buildDependenciesFailed(text) {
		return BuildBackendError{Backend: backendName(p.Plan.Project), Errors: out.Lines("ERROR:"), Tail: out.Tail(25)}
	}
	if InstallsProject([]Step{step}) && p.Plan.Source == app.FromLock {
		// The pins are installed; what failed is building the app itself.
		return ProjectBuildError{Input: p.Plan.File, Backend: backendName(p.Plan.Project), Errors: out.Lines("ERROR:"), Tail: out.Tail(25)}
	}
	if m := noVersion.FindStringSubmatch(text); m != nil && p.Plan.Source == app.FromLock {
		if spec, ok := requiresPythonOf(text, m[2]); ok {
			return LockPinPythonError{File: p.Plan.File, Package: m[1], Version: m[2], RequiresPython: spec, Python: p.PythonVersion, Tail: out.Tail(25)}
		}
		available := strings.TrimSpace(m[3])
		if available == "" || available == "none" {
			available = "no version"
		}
		return LockPinUnavailableError{File: p.Plan.File, Package: m[1], Version: m[2], Available: available, Tail: out.Tail(25)}
	}
	e := p.pipInstallError(out, err)
	if p.Plan.File != "" {
		e.Files = []app.RequirementFile{{Path: p.Plan.File}}
	}
	return e
}

// pipInstallError is pip's failure as it stands: its ERROR lines, the end of
// its output, and whether it skipped versions for another Python.
func (p Installer) pipInstallError(out *command.Output, err error) InstallError {
	text := out.String()
	return InstallError{Errors: out.Lines("ERROR:"), Tail: out.Tail(25), Err: err,
		Python: p.PythonVersion, SkippedForPython: strings.Contains(text, "require a different python version")}
}

// hashMismatch reads the first package of pip's "THESE PACKAGES DO NOT
// MATCH THE HASHES" report.
func hashMismatch(text string) (LockHashError, bool) {
	_, report, ok := strings.Cut(text, "DO NOT MATCH THE HASHES")
	if !ok {
		return LockHashError{}, false
	}
	var e LockHashError
	kind := "" // the hash name an "or" line continues
	for _, line := range strings.Split(report, "\n") {
		switch {
		case e.Package == "":
			if m := hashPackage.FindStringSubmatch(line); m != nil {
				e.Package = m[1] + "==" + m[2]
			}
		case hashExpected.MatchString(line):
			m := hashExpected.FindStringSubmatch(line)
			if m[1] != "or" {
				kind = m[1]
			}
			e.Expected = append(e.Expected, kind+":"+m[2])
		case hashGot.MatchString(line):
			e.Got = kind + ":" + hashGot.FindStringSubmatch(line)[1]
			return e, true
		}
	}
	return e, e.Package != ""
}

func backendName(p app.Pyproject) string {
	if p.BuildBackend != "" {
		return p.BuildBackend
	}
	return "setuptools (the default, no [build-system] build-backend)"
}

// buildDependenciesFailed: pip could not install the [build-system]
// requirements into its isolated build environment.
func buildDependenciesFailed(pipOutput string) bool {
	return strings.Contains(pipOutput, "install build dependencies did not run successfully") ||
		strings.Contains(pipOutput, "Installing build dependencies: finished with status 'error'")
}
