package build

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/hooks"
	"github.com/warpdrive-buildpack/warpdrive/layers"
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

func explainVersion(e app.VersionError) Message {
	return Message{Title: "Invalid Python version",
		Detail: []string{e.Error() + "."},
		Fix:    []string{fmt.Sprintf("Write a version such as 3.13 or 3.13.5, or a PEP 440 range such as >=3.11,<3.14, in %s.", e.Source)}}
}

func explainTOMLSyntax(e app.TOMLSyntaxError) Message {
	return Message{Title: "Invalid " + e.Path,
		Detail: []string{e.Error() + "."},
		Fix:    []string{fmt.Sprintf("Correct the TOML syntax of %s at that line.", e.Path)}}
}

func explainUnavailable(e app.UnavailableVersionError) Message {
	return Message{Title: "Requested Python version is not available",
		Detail: []string{fmt.Sprintf("%s asks for Python %s, but this buildpack provides: %s.",
			e.Request.Source, e.Request.Version, strings.Join(e.Available, ", "))},
		Fix: []string{fmt.Sprintf("Change %s to one of those versions or a range that includes one (a minor version such as %s picks its newest release).",
			e.Request.Source, minorOf(e.Available))}}
}

func explainChoice(e app.ChoiceError) Message {
	return Message{Title: "Unknown " + e.Setting,
		Detail: []string{fmt.Sprintf("%s %q was given by %s.", capitalize(e.Setting), e.Value, e.Source)},
		Fix:    []string{"Use one of: " + strings.Join(e.Valid, ", ") + "."}}
}

func explainHome(e app.HomeError) Message {
	return Message{Title: "Application home directory not found",
		Detail: []string{e.Error() + "."},
		Fix:    []string{"Make .warpdrive/home name a subdirectory of the source (e.g. `src`), or remove the file."}}
}

func explainAmbiguousHome(e app.HomeAmbiguousError) Message {
	return Message{Title: "Several Django projects in the source",
		Detail: []string{e.Error() + ".",
			"warpdrive looks one level down for the project only when the root has none of app.sh, app.py, manage.py, wsgi.py, main.py, paste.ini, a Procfile."},
		Fix: []string{fmt.Sprintf("Write the project's directory into .warpdrive/home (for example `echo %s > .warpdrive/home`)", e.Candidates[0]),
			"and build again; the files at the root (.warpdrive/, the Procfile) still apply."}}
}

func explainSettingsLine(e app.SettingsLineError) Message {
	return Message{Title: "Django settings module not readable from manage.py",
		Detail: []string{e.Error(),
			"warpdrive reads manage.py's os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"mysite.settings\") without running it,",
			"so a name built from a variable or an f-string does not tell it which settings to import."},
		Fix: []string{"Set DJANGO_SETTINGS_MODULE for the build and the app: a line `DJANGO_SETTINGS_MODULE=mysite.settings` in .warpdrive/environment",
			"(or `pack build --env DJANGO_SETTINGS_MODULE=mysite.settings`, and the same variable at run time);",
			"or write the module as a plain string in manage.py: os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"mysite.settings\")."}}
}

func explainNotExecutable(app.NotExecutableError) Message {
	return Message{Title: "app.sh is not executable",
		Detail: []string{"The deploy mode runs app.sh, but the file has no execute permission."},
		Fix: []string{"Run `chmod +x app.sh`; in git, `git update-index --chmod=+x app.sh` and commit,",
			"since a checkout restores the mode git recorded."}}
}

func explainEntryPoint(e app.EntryPointError) Message {
	return Message{Title: "No WSGI entry point found",
		Detail: []string{fmt.Sprintf("Deploy mode %s found no application to run. Looked for: %s.", e.Mode, strings.Join(e.LookedFor, ", "))},
		Fix: []string{"Name your WSGI application with WARPDRIVE_WSGI_APPLICATION=module:callable (for example server:app),",
			"or add a Procfile with a web process, an app.py, wsgi.py or main.py defining `app` or `application`, a Django manage.py,",
			"or one [project.scripts] entry in pyproject.toml that starts the server,",
			"or set the deploy mode (.warpdrive/deploy_mode or WARPDRIVE_DEPLOY_MODE) to match the app."}}
}

func explainPipBinding(e PipBindingError) Message {
	return Message{Title: "Unusable pip binding",
		Detail: []string{e.Error() + "."},
		Fix: []string{"A binding of type pip holds one file per setting: " + pipBindingHelp() + ",",
			"for example index-url containing https://__token__:TOKEN@pypi.example.com/simple/; give exactly one such binding",
			"(pack build --volume \"$PWD/binding:/platform/bindings/private-index\", the directory holding a file named type containing pip)."}}
}

func explainVenv(e layers.VenvError) Message {
	return Message{Title: "Unable to create the virtual environment",
		Detail: append([]string{e.Err.Error() + "; the end of `python -m venv`'s output:"}, indentLines(e.Output)...),
		Fix: []string{"The Python runtime could not create a virtual environment: build again without the cache",
			"(pack build --clear-cache) so the runtime is installed afresh; if it fails again, the buildpack's CPython is broken: report it."}}
}

func explainApacheMissing(e layers.ApacheMissingError) Message {
	return Message{Title: "Apache development files are missing",
		Detail: []string{"The server type is mod_wsgi, which is compiled against the builder's Apache,",
			"but this builder has no apxs (looked for " + strings.Join(e.LookedFor, ", ") + ")."},
		Fix: []string{"Build with a builder that has Apache and its development files (Debian: apache2-dev),",
			"such as this project's warpdrive/builder:bookworm,",
			"or choose another server: .warpdrive/server_type (or WARPDRIVE_SERVER_TYPE) gunicorn, uwsgi or waitress."}}
}

func explainModWSGI(e layers.ModWSGIBuildError) Message {
	return Message{Title: "mod_wsgi failed to build",
		Detail: append([]string{e.Error() + "; the end of pip's output:"}, indentLines(e.Tail)...),
		Fix:    []string{"Set BP_MOD_WSGI_VERSION to a version that builds with this Python, or list mod_wsgi in requirements.txt."}}
}

func explainDjangoSettings(e layers.DjangoSettingsError) Message {
	return Message{Title: "Unable to import the Django settings",
		Detail: append([]string{fmt.Sprintf("Importing %s failed (%s); the end of its output:", e.SettingsModule, exitStatus(e.Err))}, indentLines(e.Tail)...),
		Fix: append([]string{"Fix the error above. If the settings need a variable at build time (a secret key, a database URL),"},
			buildEnvFix...)}
}

func explainCollectstatic(e layers.CollectstaticError) Message {
	return Message{Title: "collectstatic failed",
		Detail: append([]string{fmt.Sprintf("`manage.py collectstatic --noinput` failed (%s); the end of its output:", exitStatus(e.Err))}, indentLines(e.Tail)...),
		Fix:    append([]string{"Fix the error above, or skip the step with DISABLE_COLLECTSTATIC=1."}, buildEnvFix...)}
}

func explainHook(e hooks.Failure) Message {
	return Message{Title: fmt.Sprintf("Action hook %s failed", e.Name),
		Detail: append([]string{fmt.Sprintf(".warpdrive/action_hooks/%s exited with status %d; the end of its output:", e.Name, e.Status)}, indentLines(e.Tail)...),
		Fix:    []string{fmt.Sprintf("Fix .warpdrive/action_hooks/%s so it exits 0, then build again.", e.Name)}}
}

func explainEntrySetting(e app.EntrySettingError) Message {
	return Message{Title: "Invalid " + e.Setting,
		Detail: []string{e.Error() + "."},
		Fix:    []string{fmt.Sprintf("Set %s to module:callable, such as server:app, mysite.wsgi:application or flaskr:create_app() for a factory.", e.Setting)}}
}

func explainProcfile(e app.ProcfileError) Message {
	return Message{Title: "Invalid Procfile",
		Detail: []string{e.Error() + "."},
		Fix: []string{"Write one `name: command` per line (for example `web: gunicorn --bind 0.0.0.0:$PORT server:app`);",
			"blank lines and lines starting with # are ignored."}}
}

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

func explainProtocol(e app.ServerProtocolError) Message {
	return Message{Title: "Wrong server type for " + e.Application(),
		Detail: []string{e.Error() + ".",
			fmt.Sprintf("Servers for %s applications: %s.", e.Protocol, strings.Join(e.Servers, ", "))},
		Fix: []string{fmt.Sprintf("Set WARPDRIVE_SERVER_TYPE (or .warpdrive/server_type) to one of them, for example %s;", strings.Fields(e.Servers[0])[0]),
			"or, if warpdrive chose the server from a dependency (an ASGI framework or server), remove that dependency or set the server type explicitly."}}
}

func explainPyproject(e app.PyprojectError) Message {
	return Message{Title: "Unreadable dependency in pyproject.toml",
		Detail: []string{e.Error() + "."},
		Fix: []string{"Correct that entry of pyproject.toml (a PEP 508 string under [project] dependencies,",
			"or a Poetry constraint such as \"^3.0\" or {version = \">=2\", markers = \"...\"} under [tool.poetry.dependencies])."}}
}

func explainLockMarker(e app.LockMarkerError) Message {
	return Message{Title: "Invalid environment marker in " + e.File,
		Detail: []string{e.Error() + ".", "warpdrive cannot tell whether the package belongs in a Linux CPython image."},
		Fix:    []string{fmt.Sprintf("Correct the marker in pyproject.toml (or the Pipfile) and write %s again with its tool.", e.File)}}
}

func explainPipfileWithoutLock(e app.PipfileWithoutLockError) Message {
	return Message{Title: "Pipfile without Pipfile.lock",
		Detail: []string{e.Error() + ".", "A Pipfile lists ranges; warpdrive installs the exact versions Pipenv locked."},
		Fix:    []string{"Run `pipenv lock` and commit Pipfile.lock (or write a requirements.txt with `pipenv requirements > requirements.txt`)."}}
}

func explainLockHash(e layers.LockHashError) Message {
	return Message{Title: "Hash mismatch for a locked package",
		Detail: append([]string{e.Error() + ".",
			"The lock or the package index changed since the lock was written: pip refuses a file whose hash the lock does not list."}, pipTail(e.Tail)...),
		Fix: []string{fmt.Sprintf("If the index is the one the lock was made against, write %s again with its tool (uv lock, poetry lock, pipenv lock);", e.File),
			"if you did not expect the package to change, check the index: someone may have replaced the file."}}
}

func explainLockPin(e layers.LockPinUnavailableError) Message {
	return Message{Title: "Locked version not on the package index",
		Detail: append([]string{e.Error() + "."}, pipTail(e.Tail)...),
		Fix: []string{"Point pip at the index the lock was made against (PIP_INDEX_URL, or the lock's own index),",
			fmt.Sprintf("or lock again against this index so %s pins a version it has.", e.File)}}
}

func explainProjectBuild(e layers.ProjectBuildError) Message {
	return Message{Title: "The application's own package failed to build",
		Detail: append([]string{e.Error() + ".",
			e.Input + " marks the project as a package, so after its pins warpdrive runs `pip install --no-deps .`; the end of pip's output:"}, indentLines(e.Tail)...),
		Fix: []string{"Fix the packaging error above (for example the package directory pyproject.toml names is missing);",
			"or, if the app is not meant to be a package: Poetry: `package-mode = false` under [tool.poetry];",
			"uv: `[tool.uv] package = false` (or no [build-system]), then `uv lock` again."}}
}

func explainBuildBackend(e layers.BuildBackendError) Message {
	return Message{Title: "Build backend not installable",
		Detail: append([]string{e.Error() + ".", "pip builds the project with the backend pyproject.toml's [build-system] names; the end of its output:"}, indentLines(e.Tail)...),
		Fix: []string{"Check [build-system] requires in pyproject.toml: the package index must have what it lists",
			"(PIP_INDEX_URL names the index); or drop [build-system] to install only the dependencies."}}
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

func explainScripts(e app.ScriptChoiceError) Message {
	detail := []string{e.Error() + ":"}
	for _, s := range e.Scripts {
		detail = append(detail, fmt.Sprintf("  [%s] %s = %s", s.Table, s.Name, s.Entry))
	}
	return Message{Title: "Which script serves the app?", Detail: detail,
		Fix: []string{fmt.Sprintf("Set WARPDRIVE_WEB_SCRIPT to the one the web process runs, e.g. WARPDRIVE_WEB_SCRIPT=%s", e.Scripts[0].Name),
			"(pack build --env, or a line in .warpdrive/environment), or add a Procfile with a web process."}}
}

func explainDjangoWSGI(e app.DjangoWSGIError) Message {
	settingsFile := strings.ReplaceAll(e.SettingsModule, ".", "/") + ".py"
	project, _, _ := strings.Cut(e.SettingsModule, ".")
	if !strings.Contains(e.SettingsModule, ".") {
		project = "mysite"
	}
	detail := []string{e.Error() + "."}
	if e.WSGIApplication == "" {
		detail = append(detail, "Django's startproject writes a wsgi.py defining `application` beside the settings; WSGI_APPLICATION names it.")
	}
	return Message{Title: "Django WSGI application not found",
		Detail: detail,
		Fix: []string{fmt.Sprintf("Set WSGI_APPLICATION = \"%s.wsgi.application\" in %s (the module.callable of your WSGI application),", project, settingsFile),
			fmt.Sprintf("or name it with WARPDRIVE_WSGI_APPLICATION=%s.wsgi:application (pack build --env, or a line in .warpdrive/environment).", project)}}
}

func explainCallable(e app.CallableError) Message {
	detail := []string{"Importing " + e.Entry.Module + " at build time worked, but " + e.Error() + "."}
	fix := []string{}
	if len(e.Candidates) > 0 {
		detail = append(detail, "It has these WSGI applications or factories: "+strings.Join(e.Candidates, ", ")+".")
		c := e.Candidates[0]
		if strings.HasPrefix(c, "create_") || strings.HasPrefix(c, "make_") {
			c += "()"
		}
		fix = append(fix, fmt.Sprintf("Set WARPDRIVE_WSGI_APPLICATION=%s:%s (pack build --env, or a line in .warpdrive/environment).", e.Entry.Module, c))
	} else {
		detail = append(detail, "It has nothing that looks like a WSGI application (an app/application callable, a Flask, Django or Pyramid object).")
		fix = append(fix, "Set WARPDRIVE_WSGI_APPLICATION=module:callable to the object your server should load.")
	}
	return Message{Title: "WSGI application not found", Detail: detail, Fix: fix}
}

func explainPip(e layers.PipInstallError) Message {
	detail := []string{"pip could not install the application's requirements."}
	// pip's ERROR lines are its verdict; those the end of its output does
	// not show (a resolver's report puts them early) are listed first.
	if early := linesNotIn(e.Errors, e.Tail); len(early) > 0 {
		detail = append(detail, early...)
	}
	detail = append(detail, pipTail(e.Tail)...)
	if len(e.Locations) > 0 {
		detail = append(detail, "", "The requirements involved:")
		for _, l := range e.Locations {
			detail = append(detail, fmt.Sprintf("  %s line %d: %s", l.Path, l.Line, l.Text))
		}
	}
	var files []string
	for _, f := range e.Files {
		files = append(files, f.Path)
	}
	var fix []string
	if e.SkippedForPython {
		// The most common cause of "from versions: none" for a package that
		// exists: every release it has declares a Requires-Python that
		// excludes the interpreter the build chose.
		detail = append(detail, "", fmt.Sprintf("pip skipped the versions listed as requiring a different Python: the build uses Python %s.", e.Python))
		fix = append(fix, "Choose a Python those versions support: a .python-version file (e.g. 3.11), runtime.txt, requires-python in pyproject.toml, or BP_PYTHON_VERSION.",
			fmt.Sprintf("Or require a version of the package that supports Python %s.", e.Python))
	}
	if len(files) > 0 {
		fix = append(fix, fmt.Sprintf("Correct the requirement in %s: check the name and that the versions exist and agree.", strings.Join(files, ", ")))
	}
	if len(fix) == 0 {
		fix = append(fix, "Fix what pip reports above; if it could not reach the package index, check PIP_INDEX_URL (or the pip binding) and the builder's network.")
	}
	return Message{Title: "Failed to install the application's Python packages", Detail: detail, Fix: fix}
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

func minorOf(versions []string) string {
	if len(versions) == 0 {
		return "3.13"
	}
	parts := strings.SplitN(versions[len(versions)-1], ".", 3)
	if len(parts) < 2 {
		return versions[0]
	}
	return parts[0] + "." + parts[1]
}
