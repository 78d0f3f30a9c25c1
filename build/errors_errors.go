package build

import (
	"fmt"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/hooks"
	"github.com/warpdrive-buildpack/warpdrive/layers"
)

// explainVariables names every unsupported variable at once, each with what
// it would break.
func explainVariables(e app.UnsupportedVariableError) Message {
	names := strings.Join(e.Names(), ", ")
	title := "Unsupported build variable " + names
	if len(e.Variables) > 1 {
		title = "Unsupported build variables " + names
	}
	detail := make([]string, len(e.Variables))
	for i, v := range e.Variables {
		detail[i] = v.String() + "."
	}
	return Message{Title: title, Detail: detail,
		Fix: []string{fmt.Sprintf("Remove %s from the build's environment (pack build --env, project.toml, .warpdrive/environment", names),
			"or the build-env hook): warpdrive installs the packages into the image's virtual environment itself."}}
}

func explainLockPinPython(e layers.LockPinPythonError) Message {
	return Message{Title: "Locked version needs another Python",
		Detail: append([]string{e.Error() + "."}, pipTail(e.Tail)...),
		Fix: []string{fmt.Sprintf("Choose a Python that %s %s supports (%s): a .python-version file, runtime.txt, requires-python in pyproject.toml, or BP_PYTHON_VERSION;", e.Package, e.Version, e.RequiresPython),
			fmt.Sprintf("or lock again with the Python the build uses (%s), so %s pins a version of %s that supports it.", e.Python, e.File, e.Package)}}
}

func explainEntryProbe(e layers.EntryProbeError) Message {
	detail := []string{e.Error() + "."}
	if len(e.Tail) > 0 {
		detail = append(detail, "The end of the probe's output:")
		detail = append(detail, indentLines(e.Tail)...)
	}
	return Message{Title: "Unable to run the WSGI entry point probe",
		Detail: detail,
		Fix: []string{"warpdrive imports the entry point with the venv's Python to check it: if the output above shows the application",
			"ending the interpreter (os._exit, a crashing C extension), fix that; else build again without the cache (pack build --clear-cache)."}}
}

func explainEnvironmentFile(e app.EnvironmentFileError) Message {
	return Message{Title: "Invalid .warpdrive/environment",
		Detail: []string{e.Error() + "."},
		Fix: []string{fmt.Sprintf("Write line %d as NAME=value (an optional `export ` before it, quotes around the value),", e.Line),
			"or start it with # to make it a comment."}}
}

func explainRequirementFile(e app.RequirementFileError) Message {
	return Message{Title: "Unreadable requirements file",
		Detail: []string{e.Error() + "."},
		Fix: []string{fmt.Sprintf("Make %s a readable file (not a directory; check its permissions),", e.Path),
			"or correct the requirement file name: WARPDRIVE_PIP_PACKAGES, or the -r/-c line that includes it."}}
}

func explainHookEnvironment(e hooks.EnvironmentLostError) Message {
	return Message{Title: fmt.Sprintf("Action hook %s ended before its environment could be read", e.Name),
		Detail: []string{e.Error() + ".",
			fmt.Sprintf("warpdrive sources .warpdrive/action_hooks/%s and then reads the variables it set; the hook ended the shell first.", e.Name)},
		Fix: []string{fmt.Sprintf("Do not `exec` in .warpdrive/action_hooks/%s, and do not replace the EXIT trap and then exit:", e.Name),
			"let the script run to its end (or `return` from it) so the variables it exports reach the build."}}
}
