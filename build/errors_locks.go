package build

import (
	"fmt"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/pip"
)

// Explanations of the lock files' errors.

func explainLockSyntax(e app.LockSyntaxError) Message {
	return Message{Title: "Invalid " + e.File,
		Detail: []string{e.Error() + "."},
		Fix:    []string{fmt.Sprintf("Write %s again with the tool that made it (uv lock, poetry lock, pipenv lock), or correct it at that place.", e.File)}}
}

func explainLockVersion(e app.LockVersionError) Message {
	return Message{Title: "Unsupported " + e.File + " format",
		Detail: []string{e.Error() + "."},
		Fix:    []string{fmt.Sprintf("Write the lock with %s, or export a requirements.txt from it and delete %s.", e.Writer, e.File)}}
}

func explainLockMarker(e app.LockMarkerError) Message {
	return Message{Title: "Invalid environment marker in " + e.File,
		Detail: []string{e.Error() + ".", "warpdrive cannot tell whether the package belongs in a Linux CPython image."},
		Fix:    []string{fmt.Sprintf("Correct the marker in pyproject.toml (or the Pipfile) and write %s again with its tool.", e.File)}}
}

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

func explainPipfileWithoutLock(e app.PipfileWithoutLockError) Message {
	return Message{Title: "Pipfile without Pipfile.lock",
		Detail: []string{e.Error() + ".", "A Pipfile lists ranges; warpdrive installs the exact versions Pipenv locked."},
		Fix:    []string{"Run `pipenv lock` and commit Pipfile.lock (or write a requirements.txt with `pipenv requirements > requirements.txt`)."}}
}

func explainLockHash(e pip.LockHashError) Message {
	return Message{Title: "Hash mismatch for a locked package",
		Detail: append([]string{e.Error() + ".",
			"The lock or the package index changed since the lock was written: pip refuses a file whose hash the lock does not list."}, pipTail(e.Tail)...),
		Fix: []string{fmt.Sprintf("If the index is the one the lock was made against, write %s again with its tool (uv lock, poetry lock, pipenv lock);", e.File),
			"if you did not expect the package to change, check the index: someone may have replaced the file."}}
}

func explainLockPin(e pip.LockPinUnavailableError) Message {
	return Message{Title: "Locked version not on the package index",
		Detail: append([]string{e.Error() + "."}, pipTail(e.Tail)...),
		Fix: []string{"Point pip at the index the lock was made against (PIP_INDEX_URL, or the lock's own index),",
			fmt.Sprintf("or lock again against this index so %s pins a version it has.", e.File)}}
}

func explainLockPinPython(e pip.LockPinPythonError) Message {
	return Message{Title: "Locked version needs another Python",
		Detail: append([]string{e.Error() + "."}, pipTail(e.Tail)...),
		Fix: []string{fmt.Sprintf("Choose a Python that %s %s supports (%s): a .python-version file, runtime.txt, requires-python in pyproject.toml, or BP_PYTHON_VERSION;", e.Package, e.Version, e.RequiresPython),
			fmt.Sprintf("or lock again with the Python the build uses (%s), so %s pins a version of %s that supports it.", e.Python, e.File, e.Package)}}
}

// explainIndexVariable: a lock's source URL names a variable the build lacks.
func explainIndexVariable(variable pip.IndexVariableError) Message {
	return Message{Title: "Unset variable in a package index URL",
		Detail: []string{variable.Error() + ".",
			"Pipenv expands environment variables in its sources' URLs when it installs, and so does warpdrive (the log shows only the names)."},
		Fix: []string{fmt.Sprintf("Set %s for the build: `pack build --env %s=...` (every step of the build sees it);", variable.Variable, variable.Variable),
			"or give the index's whole URL, credentials included, in a binding of type pip (its index-url file): it replaces",
			fmt.Sprintf("the index %s names and reaches pip only. A $ that is part of the URL itself is written %%24.", variable.File)}}
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
