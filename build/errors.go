package build

import (
	"errors"
	"fmt"
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
	var (
		version     app.VersionError
		unavailable app.UnavailableVersionError
		tomlSyntax  app.TOMLSyntaxError
		choice      app.ChoiceError
		home        app.HomeError
		ambiguous   app.HomeAmbiguousError
		settingLine app.SettingsLineError
		djangoWSGI  app.DjangoWSGIError
		entry       app.EntryPointError
		notExec     app.NotExecutableError
		pip         layers.PipInstallError
		venv        layers.VenvError
		apache      layers.ApacheMissingError
		modwsgi     layers.ModWSGIBuildError
		settings    layers.DjangoSettingsError
		collect     layers.CollectstaticError
		runtime     layers.RuntimeInstallError
		hook        hooks.Failure
		variable    app.UnsupportedVariableError
		versionFile app.VersionFileError
		callable    app.CallableError
		scripts     app.ScriptChoiceError
		entrySet    app.EntrySettingError
		procfile    app.ProcfileError
		lockSyntax  app.LockSyntaxError
		lockVersion app.LockVersionError
		lockMarker  app.LockMarkerError
		noLock      app.PipfileWithoutLockError
		lockHash    layers.LockHashError
		lockPin     layers.LockPinUnavailableError
		backend     layers.BuildBackendError
		project     layers.ProjectBuildError
		pyproject   app.PyprojectError
		protocol    app.ServerProtocolError
		binding     PipBindingError
	)
	if m, ok := explainLaunch(err); ok {
		return m
	}
	switch {
	case errors.As(err, &version):
		return Message{Title: "Invalid Python version",
			Detail: []string{version.Error() + "."},
			Fix:    []string{fmt.Sprintf("Write a version such as 3.13 or 3.13.5, or a PEP 440 range such as >=3.11,<3.14, in %s.", version.Source)}}
	case errors.As(err, &tomlSyntax):
		return Message{Title: "Invalid " + tomlSyntax.Path,
			Detail: []string{tomlSyntax.Error() + "."},
			Fix:    []string{fmt.Sprintf("Correct the TOML syntax of %s at that line.", tomlSyntax.Path)}}
	case errors.As(err, &unavailable):
		return Message{Title: "Requested Python version is not available",
			Detail: []string{fmt.Sprintf("%s asks for Python %s, but this buildpack provides: %s.",
				unavailable.Request.Source, unavailable.Request.Version, strings.Join(unavailable.Available, ", "))},
			Fix: []string{fmt.Sprintf("Change %s to one of those versions or a range that includes one (a minor version such as %s picks its newest release).",
				unavailable.Request.Source, minorOf(unavailable.Available))}}
	case errors.As(err, &choice):
		return Message{Title: "Unknown " + choice.Setting,
			Detail: []string{fmt.Sprintf("%s %q was given by %s.", capitalize(choice.Setting), choice.Value, choice.Source)},
			Fix:    []string{"Use one of: " + strings.Join(choice.Valid, ", ") + "."}}
	case errors.As(err, &home):
		return Message{Title: "Application home directory not found",
			Detail: []string{home.Error() + "."},
			Fix:    []string{"Make .warpdrive/home name a subdirectory of the source (e.g. `src`), or remove the file."}}
	case errors.As(err, &ambiguous):
		return Message{Title: "Several Django projects in the source",
			Detail: []string{ambiguous.Error() + ".",
				"warpdrive looks one level down for the project only when the root has none of app.sh, app.py, manage.py, wsgi.py, main.py, paste.ini, a Procfile."},
			Fix: []string{fmt.Sprintf("Write the project's directory into .warpdrive/home (for example `echo %s > .warpdrive/home`)", ambiguous.Candidates[0]),
				"and build again; the files at the root (.warpdrive/, the Procfile) still apply."}}
	case errors.As(err, &settingLine):
		return Message{Title: "Django settings module not readable from manage.py",
			Detail: []string{settingLine.Error(),
				"warpdrive reads manage.py's os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"mysite.settings\") without running it,",
				"so a name built from a variable or an f-string does not tell it which settings to import."},
			Fix: []string{"Set DJANGO_SETTINGS_MODULE for the build and the app: a line `DJANGO_SETTINGS_MODULE=mysite.settings` in .warpdrive/environment",
				"(or `pack build --env DJANGO_SETTINGS_MODULE=mysite.settings`, and the same variable at run time);",
				"or write the module as a plain string in manage.py: os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"mysite.settings\")."}}
	case errors.As(err, &djangoWSGI):
		return explainDjangoWSGI(djangoWSGI)
	case errors.As(err, &notExec):
		return Message{Title: "app.sh is not executable",
			Detail: []string{"The deploy mode runs app.sh, but the file has no execute permission."},
			Fix: []string{"Run `chmod +x app.sh`; in git, `git update-index --chmod=+x app.sh` and commit,",
				"since a checkout restores the mode git recorded."}}
	case errors.As(err, &entry):
		return Message{Title: "No WSGI entry point found",
			Detail: []string{fmt.Sprintf("Deploy mode %s found no application to run. Looked for: %s.", entry.Mode, strings.Join(entry.LookedFor, ", "))},
			Fix: []string{"Name your WSGI application with WARPDRIVE_WSGI_APPLICATION=module:callable (for example server:app),",
				"or add a Procfile with a web process, an app.py, wsgi.py or main.py defining `app` or `application`, a Django manage.py,",
				"or one [project.scripts] entry in pyproject.toml that starts the server,",
				"or set the deploy mode (.warpdrive/deploy_mode or WARPDRIVE_DEPLOY_MODE) to match the app."}}
	case errors.As(err, &scripts):
		return explainScripts(scripts)
	case errors.As(err, &binding):
		return Message{Title: "Unusable pip binding",
			Detail: []string{binding.Error() + "."},
			Fix: []string{"A binding of type pip holds one file per setting: " + pipBindingHelp() + ",",
				"for example index-url containing https://__token__:TOKEN@pypi.example.com/simple/; give exactly one such binding",
				"(pack build --volume \"$PWD/binding:/platform/bindings/private-index\", the directory holding a file named type containing pip)."}}
	case errors.As(err, &pip):
		return explainPip(pip)
	case errors.As(err, &venv):
		return Message{Title: "Unable to create the virtual environment",
			Detail: append([]string{venv.Err.Error()}, venv.Output...)}
	case errors.As(err, &apache):
		return Message{Title: "Apache development files are missing",
			Detail: []string{"The server type is mod_wsgi, which is compiled against the builder's Apache,",
				"but this builder has no apxs (looked for " + strings.Join(apache.LookedFor, ", ") + ")."},
			Fix: []string{"Build with a builder that has Apache and its development files (Debian: apache2-dev),",
				"such as this project's warpdrive/builder:bookworm,",
				"or choose another server: .warpdrive/server_type (or WARPDRIVE_SERVER_TYPE) gunicorn, uwsgi or waitress."}}
	case errors.As(err, &modwsgi):
		return Message{Title: "mod_wsgi failed to build",
			Detail: append([]string{modwsgi.Error(), "The end of pip's output:"}, modwsgi.Tail...),
			Fix:    []string{"Set BP_MOD_WSGI_VERSION to a version that builds with this Python, or list mod_wsgi in requirements.txt."}}
	case errors.As(err, &settings):
		return Message{Title: "Unable to import the Django settings",
			Detail: append([]string{fmt.Sprintf("Importing %s failed; the end of the traceback:", settings.SettingsModule)}, settings.Tail...),
			Fix: append([]string{"Fix the error above. If the settings need a variable at build time (a secret key, a database URL),"},
				buildEnvFix...)}
	case errors.As(err, &collect):
		return Message{Title: "collectstatic failed",
			Detail: append([]string{"`manage.py collectstatic --noinput` failed; the end of its output:"}, collect.Tail...),
			Fix:    append([]string{"Fix the error above, or skip the step with DISABLE_COLLECTSTATIC=1."}, buildEnvFix...)}
	case errors.As(err, &hook):
		return Message{Title: fmt.Sprintf("Action hook %s failed", hook.Name),
			Detail: append([]string{fmt.Sprintf(".warpdrive/action_hooks/%s exited with status %d; the end of its output:", hook.Name, hook.Status)}, indentLines(hook.Tail)...),
			Fix:    []string{fmt.Sprintf("Fix .warpdrive/action_hooks/%s so it exits 0, then build again (the cached layers are kept).", hook.Name)}}
	case errors.As(err, &callable):
		return explainCallable(callable)
	case errors.As(err, &entrySet):
		return Message{Title: "Invalid " + entrySet.Setting,
			Detail: []string{entrySet.Error() + "."},
			Fix:    []string{fmt.Sprintf("Set %s to module:callable, such as server:app, mysite.wsgi:application or flaskr:create_app() for a factory.", entrySet.Setting)}}
	case errors.As(err, &procfile):
		return Message{Title: "Invalid Procfile",
			Detail: []string{procfile.Error() + "."},
			Fix: []string{"Write one `name: command` per line (for example `web: gunicorn --bind 0.0.0.0:$PORT server:app`);",
				"blank lines and lines starting with # are ignored."}}
	case errors.As(err, &lockSyntax):
		return Message{Title: "Invalid " + lockSyntax.File,
			Detail: []string{lockSyntax.Error() + "."},
			Fix:    []string{fmt.Sprintf("Write %s again with the tool that made it (uv lock, poetry lock, pipenv lock), or correct it at that place.", lockSyntax.File)}}
	case errors.As(err, &lockVersion):
		return Message{Title: "Unsupported " + lockVersion.File + " format",
			Detail: []string{lockVersion.Error() + "."},
			Fix:    []string{fmt.Sprintf("Write the lock with %s, or export a requirements.txt from it and delete %s.", lockVersion.Writer, lockVersion.File)}}
	case errors.As(err, &protocol):
		return Message{Title: "Wrong server type for " + protocol.Application(),
			Detail: []string{protocol.Error() + ".",
				fmt.Sprintf("Servers for %s applications: %s.", protocol.Protocol, strings.Join(protocol.Servers, ", "))},
			Fix: []string{fmt.Sprintf("Set WARPDRIVE_SERVER_TYPE (or .warpdrive/server_type) to one of them, for example %s;", strings.Fields(protocol.Servers[0])[0]),
				"or, if warpdrive chose the server from a dependency (an ASGI framework or server), remove that dependency or set the server type explicitly."}}
	case errors.As(err, &pyproject):
		return Message{Title: "Unreadable dependency in pyproject.toml",
			Detail: []string{pyproject.Error() + "."},
			Fix: []string{"Correct that entry of pyproject.toml (a PEP 508 string under [project] dependencies,",
				"or a Poetry constraint such as \"^3.0\" or {version = \">=2\", markers = \"...\"} under [tool.poetry.dependencies])."}}
	case errors.As(err, &lockMarker):
		return Message{Title: "Invalid environment marker in " + lockMarker.File,
			Detail: []string{lockMarker.Error() + ".", "warpdrive cannot tell whether the package belongs in a Linux CPython image."},
			Fix:    []string{fmt.Sprintf("Correct the marker in pyproject.toml (or the Pipfile) and write %s again with its tool.", lockMarker.File)}}
	case errors.As(err, &noLock):
		return Message{Title: "Pipfile without Pipfile.lock",
			Detail: []string{noLock.Error() + ".", "A Pipfile lists ranges; warpdrive installs the exact versions Pipenv locked."},
			Fix:    []string{"Run `pipenv lock` and commit Pipfile.lock (or write a requirements.txt with `pipenv requirements > requirements.txt`)."}}
	case errors.As(err, &lockHash):
		return Message{Title: "Hash mismatch for a locked package",
			Detail: []string{lockHash.Error() + ".",
				"The lock or the package index changed since the lock was written: pip refuses a file whose hash the lock does not list."},
			Fix: []string{fmt.Sprintf("If the index is the one the lock was made against, write %s again with its tool (uv lock, poetry lock, pipenv lock);", lockHash.File),
				"if you did not expect the package to change, check the index: someone may have replaced the file."}}
	case errors.As(err, &lockPin):
		return Message{Title: "Locked version not on the package index",
			Detail: []string{lockPin.Error() + "."},
			Fix: []string{"Point pip at the index the lock was made against (PIP_INDEX_URL, or the lock's own index),",
				fmt.Sprintf("or lock again against this index so %s pins a version it has.", lockPin.File)}}
	case errors.As(err, &project):
		return Message{Title: "The application's own package failed to build",
			Detail: append([]string{project.Error() + ".",
				project.Input + " marks the project as a package, so after its pins warpdrive runs `pip install --no-deps .`; the end of pip's output:"}, indentLines(project.Tail)...),
			Fix: []string{"Fix the packaging error above (for example the package directory pyproject.toml names is missing);",
				"or, if the app is not meant to be a package: Poetry: `package-mode = false` under [tool.poetry];",
				"uv: `[tool.uv] package = false` (or no [build-system]), then `uv lock` again."}}
	case errors.As(err, &backend):
		return Message{Title: "Build backend not installable",
			Detail: append([]string{backend.Error() + ".", "pip builds the project with the backend pyproject.toml's [build-system] names; the end of its output:"}, indentLines(backend.Tail)...),
			Fix: []string{"Check [build-system] requires in pyproject.toml: the package index must have what it lists",
				"(PIP_INDEX_URL names the index); or drop [build-system] to install only the dependencies."}}
	case errors.As(err, &versionFile):
		return Message{Title: "Invalid .python-version",
			Detail: []string{versionFile.Error() + "."},
			Fix: []string{fmt.Sprintf("Write exactly one version, such as 3.13 or 3.13.5, in %s", versionFile.Path),
				"(or remove the file to use the next source: runtime.txt, pyproject.toml's requires-python, the Pipfile, Poetry's python, then the buildpack's default)."}}
	case errors.As(err, &variable):
		return Message{Title: "Unsupported build variable " + variable.Name,
			Detail: []string{variable.Error() + "."},
			Fix: []string{fmt.Sprintf("Remove %s from the build's environment (pack build --env, project.toml, .warpdrive/environment", variable.Name),
				"or the build-env hook): warpdrive installs the packages into the image's virtual environment itself."}}
	case errors.As(err, &runtime):
		return Message{Title: "Unable to install Python",
			Detail: []string{runtime.Error()},
			Fix: []string{"Check that the builder can reach the download (or configure BP_DEPENDENCY_MIRROR),",
				"then build again."}}
	}
	return Message{Title: "Build failed", Detail: []string{err.Error()}}
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
	detail := []string{"pip could not install the application's requirements:"}
	detail = append(detail, e.Errors...)
	if len(e.Locations) > 0 {
		detail = append(detail, "", "The requirements involved:")
		for _, l := range e.Locations {
			detail = append(detail, fmt.Sprintf("  %s line %d: %s", l.Path, l.Line, l.Text))
		}
	}
	if len(e.Errors) == 0 {
		detail = append(detail, "", "The end of pip's output:")
		for _, l := range e.Tail {
			detail = append(detail, "  "+l)
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
	fix = append(fix, "Then build again: the Python runtime and pip's download cache are kept.")
	return Message{Title: "Failed to install the application's Python packages", Detail: detail, Fix: fix}
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
