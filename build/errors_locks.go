package build

import (
	"fmt"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/app"
)

// The errors of a lock its own tool would refuse (out of date with its
// manifest, missing a package a locked one requires, made for another
// Python) and of a Python version the project excludes. Each is a family of
// errors.go's table.

func explainStaleLock(e app.LockStaleError) Message {
	detail := []string{e.Error() + "."}
	if len(e.Undeclared) > 0 {
		detail = append(detail, fmt.Sprintf("Installed from the lock, the image would lack %s.", strings.Join(e.Undeclared, ", ")))
	}
	detail = append(detail, fmt.Sprintf("The lock is out of date: %s would refuse it too.", lockToolCommand(e.File)))
	return Message{Title: e.File + " is out of date",
		Detail: detail,
		Fix:    []string{fmt.Sprintf("Run `%s` and commit %s with %s.", e.RefreshCommand, e.File, e.Manifest)}}
}

func explainIncompleteLock(e app.LockIncompleteError) Message {
	detail := []string{e.File + " does not hold every package its packages require:"}
	for _, m := range e.Missing {
		detail = append(detail, fmt.Sprintf("  %s requires %s, which is not locked", m.RequiredBy, m.Name))
	}
	detail = append(detail, "warpdrive installs exactly the locked packages (pip --no-deps), so the app would fail at start (No module named ...).")
	if len(e.Output) > 0 {
		detail = append(detail, "", "pip check, run in the new venv, says:")
		detail = append(detail, indentLines(e.Output)...)
	}
	return Message{Title: e.File + " is incomplete",
		Detail: detail,
		Fix: []string{fmt.Sprintf("To lock again, %s, then commit %s: the locker writes every package the locked ones require.",
			refreshAdvice(e.RefreshCommand), e.File)}}
}

func explainLockEnvironment(e app.LockEnvironmentError) Message {
	return Message{Title: e.File + " is not for this Python",
		Detail: []string{e.Error() + ".", "PEP 751 requires an installer to refuse a lock made for another environment."},
		Fix: []string{"Choose a Python the lock was made for (BP_PYTHON_VERSION, .python-version, runtime.txt or requires-python),",
			fmt.Sprintf("or lock again for Python %s on Linux (for example `uv export --format pylock.toml -o %s` after widening requires-python).", e.Python, e.File)}}
}

func explainRequiresPython(e app.RequiresPythonError) Message {
	return Message{Title: "Python version outside requires-python",
		Detail: []string{e.Error() + ".",
			"uv, Poetry and Pipenv refuse to install a project into a Python it does not support, and so does warpdrive."},
		Fix: []string{fmt.Sprintf("Change %s to a version that %s allows (%s),", e.Request.Source, e.Declared.Source, e.Declared.Version),
			fmt.Sprintf("or widen %s to include Python %s (then lock again if the project has a lock).", e.Declared.Source, e.Version)}}
}

// lockToolCommand is the install command of the lock's own tool that
// refuses a stale lock.
func lockToolCommand(file string) string {
	switch file {
	case "uv.lock":
		return "`uv sync --locked`"
	case "poetry.lock":
		return "`poetry install`"
	case "Pipfile.lock":
		return "`pipenv install --deploy`"
	}
	return "its tool"
}

// refreshAdvice tells to rewrite a lock: its tool's command in backticks,
// or the reader's own words when the lock names only the tool that wrote
// it (pylock.toml's created-by).
func refreshAdvice(command string) string {
	for _, tool := range []string{"uv ", "poetry ", "pipenv "} {
		if strings.HasPrefix(command, tool) {
			return "run `" + command + "`"
		}
	}
	return command
}
