package build

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/pep508"
)

// Message is an error as the user reads it: a title, what happened, and how
// to fix it.
type Message struct {
	Title  string
	Detail []string
	Fix    []string
}

// Format renders the message for the build log.
func (m Message) Format() string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n\033[31;1m[Error: %s]\033[0m\n", m.Title)
	for _, l := range m.Detail {
		fmt.Fprintf(&b, "\033[31m%s\033[0m\n", l)
	}
	if len(m.Fix) > 0 {
		b.WriteString("\nHow to fix it:\n")
		for _, l := range m.Fix {
			fmt.Fprintf(&b, "  %s\n", l)
		}
	}
	b.WriteString("\n")
	return b.String()
}

// buildEnvFix is the advice for values the build needs from the environment.
var buildEnvFix = []string{
	"Pass build-time variables with `pack build --env NAME=value` (or a project.toml [[io.buildpacks.build.env]]),",
	"or put NAME=value lines in .warpdrive/environment (they apply to the build and the running app).",
}

// Explain turns any build error into a user message: the one place where
// errors get their titles and advice.
func Explain(err error) Message {
	for _, f := range families {
		if m, ok := f.explain(err); ok {
			return m
		}
	}
	return Message{Title: "Build failed", Detail: []string{err.Error()},
		Fix: []string{"This error has no explanation of its own: if the line above does not say what to change, report it with the build log."}}
}

// family is one kind of error and the function that explains it.
type family struct {
	// Title is the message's title as the README's table lists it; <...>
	// stands for the part that varies.
	Title   string
	explain func(error) (Message, bool)
}

// as adapts a function explaining one error type to a family's explain:
// it applies when the error is (or wraps) a T.
func as[T error](explain func(T) Message) func(error) (Message, bool) {
	return func(err error) (Message, bool) {
		var e T
		if !errors.As(err, &e) {
			return Message{}, false
		}
		return explain(e), true
	}
}

// families are tried in order: the first whose type the error is (or wraps)
// explains it.
var families = []family{
	{"Locked version needs another Python", as(explainLockPinPython)},
	{"Unable to run the WSGI entry point probe", as(explainEntryProbe)},
	{"Invalid .warpdrive/environment", as(explainEnvironmentFile)},
	{"Unreadable requirements file", as(explainRequirementFile)},
	{"Action hook <name> ended before its environment could be read", as(explainHookEnvironment)},
	{"Unset variable in a package index URL", as(explainIndexVariable)},
	{"Unable to unpack a layer from the cache", as(explainSnapshotRestore)},
	{"A later buildpack's Python version is not readable", laterVersion(laterUnreadable, explainLaterUnreadable)},
	{"A later buildpack needs a Python version warpdrive does not provide", laterVersion(laterUnavailable, explainLaterUnavailable)},
	{"A later buildpack needs another Python version", laterVersion(laterOther, explainLaterOther)},
	{"Invalid Python version", as(explainVersion)},
	{"Invalid <TOML file>", as(explainTOMLSyntax)},
	{"Requested Python version is not available", as(explainUnavailable)},
	{"Unknown <setting>", as(explainChoice)},
	{"Application home directory not found", as(explainHome)},
	{"Several Django projects in the source", as(explainAmbiguousHome)},
	{"Django settings module not readable from manage.py", as(explainSettingsLine)},
	{"Django WSGI application not found", as(explainDjangoWSGI)},
	{"app.sh is not executable", as(explainNotExecutable)},
	{"No WSGI entry point found", as(explainEntryPoint)},
	{"Which script serves the app?", as(explainScripts)},
	{"Unusable pip binding", as(explainPipBinding)},
	{"Failed to install the application's Python packages", as(explainPip)},
	{"Unable to create the virtual environment", as(explainVenv)},
	{"Apache development files are missing", as(explainApacheMissing)},
	{"mod_wsgi failed to build", as(explainModWSGI)},
	{"Unable to import the Django settings", as(explainDjangoSettings)},
	{"collectstatic failed", as(explainCollectstatic)},
	{"Django deployment checks failed", as(explainDeployCheck)},
	{"A virtualenv is in the source", as(explainCommittedVirtualenv)},
	{"Invalid Debian package request", as(explainDebRequest)},
	{"Unknown Debian package", as(explainUnknownDebPackage)},
	{"Unable to download Debian packages", as(explainDebFetch)},
	{"Debian packages need a Debian stack", as(explainDistro)},
	{"Action hook <name> failed", as(explainHook)},
	{"WSGI application not found", as(explainCallable)},
	{"Invalid <entry point setting>", as(explainEntrySetting)},
	{"Invalid Procfile", as(explainProcfile)},
	{"Invalid <lock file>", as(explainLockSyntax)},
	{"Unsupported <lock file> format", as(explainLockVersion)},
	{"Wrong server type for <a WSGI or an ASGI> application", as(explainProtocol)},
	{"Unreadable dependency in pyproject.toml", as(explainPyproject)},
	{"Invalid environment marker in <lock file>", as(explainLockMarker)},
	{"<lock file> is out of date", as(explainStaleLock)},
	{"<lock file> is incomplete", as(explainIncompleteLock)},
	{"pylock.toml is not for this Python", as(explainLockEnvironment)},
	{"Python version outside requires-python", as(explainRequiresPython)},
	{"Pipfile without Pipfile.lock", as(explainPipfileWithoutLock)},
	{"Hash mismatch for a locked package", as(explainLockHash)},
	{"Locked version not on the package index", as(explainLockPin)},
	{"The application's own package failed to build", as(explainProjectBuild)},
	{"Build backend not installable", as(explainBuildBackend)},
	{"Invalid .python-version", as(explainVersionFile)},
	{"Unsupported build variable(s) <names>", as(explainVariables)},
	{"Unable to install Python", as(explainRuntime)},
}

// pipTail shows the end of pip's output under the explanation.
func pipTail(tail []string) []string {
	if len(tail) == 0 {
		return nil
	}
	return append([]string{"The end of pip's output:"}, indentLines(tail)...)
}

// linesNotIn are the lines of want that no line of have holds.
func linesNotIn(want, have []string) []string {
	var out []string
	for _, w := range want {
		found := false
		for _, h := range have {
			if strings.Contains(h, w) {
				found = true
				break
			}
		}
		if !found {
			out = append(out, w)
		}
	}
	return out
}

// exitStatus is how a command ended ("exit status 1"), without the command
// line a wrapping error carries (for a probe, a whole Python script).
func exitStatus(err error) string {
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.Error()
	}
	if err == nil {
		return "no error"
	}
	return err.Error()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func indentLines(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = "  " + l
	}
	return out
}

// minorOf is the newest available version's minor version, the example a
// fix suggests.
func minorOf(versions []string) string {
	if len(versions) == 0 {
		return "3.13"
	}
	newest := versions[len(versions)-1]
	if mm, ok := pep508.MajorMinor(newest); ok {
		return mm
	}
	return newest
}
