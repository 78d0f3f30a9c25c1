package build

import (
	"fmt"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/layers"
)

// Explanations of the errors in what the application declares: its settings, entry point, Procfile and environment.

func explainTOMLSyntax(e app.TOMLSyntaxError) Message {
	return Message{Title: "Invalid " + e.Path,
		Detail: []string{e.Error() + "."},
		Fix:    []string{fmt.Sprintf("Correct the TOML syntax of %s at that line.", e.Path)}}
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

func explainScripts(e app.ScriptChoiceError) Message {
	detail := []string{e.Error() + ":"}
	for _, s := range e.Scripts {
		detail = append(detail, fmt.Sprintf("  [%s] %s = %s", s.Table, s.Name, s.Entry))
	}
	return Message{Title: "Which script serves the app?", Detail: detail,
		Fix: []string{fmt.Sprintf("Set WARPDRIVE_WEB_SCRIPT to the one the web process runs, e.g. WARPDRIVE_WEB_SCRIPT=%s", e.Scripts[0].Name),
			"(pack build --env, or a line in .warpdrive/environment), or add a Procfile with a web process."}}
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

func explainProtocol(e app.ServerProtocolError) Message {
	return Message{Title: "Wrong server type for " + e.Application(),
		Detail: []string{e.Error() + ".",
			fmt.Sprintf("Servers for %s applications: %s.", e.Protocol, strings.Join(e.Servers, ", "))},
		Fix: []string{fmt.Sprintf("Set WARPDRIVE_SERVER_TYPE (or .warpdrive/server_type) to one of them, for example %s;", strings.Fields(e.Servers[0])[0]),
			"or, if warpdrive chose the server from a dependency (an ASGI framework or server), remove that dependency or set the server type explicitly."}}
}

func explainEnvironmentFile(e app.EnvironmentFileError) Message {
	return Message{Title: "Invalid .warpdrive/environment",
		Detail: []string{e.Error() + "."},
		Fix: []string{fmt.Sprintf("Write line %d as NAME=value (an optional `export ` before it, quotes around the value),", e.Line),
			"or start it with # to make it a comment."}}
}

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

func explainCommittedVirtualenv(e app.CommittedVirtualenvError) Message {
	detail := []string{fmt.Sprintf("The source holds a virtual environment: %s (a directory with a pyvenv.cfg).", strings.Join(e.Dirs, ", "))}
	if e.Home != "" {
		detail = append(detail, fmt.Sprintf("It was made with the interpreter in %s, on another machine:", e.Home))
	} else {
		detail = append(detail, "It was made on another machine:")
	}
	detail = append(detail, "its scripts name that machine's paths and its compiled packages that machine's libraries, and it would be copied into the image beside the packages warpdrive installs.")
	first := strings.TrimSuffix(e.Dirs[0], "/")
	return Message{Title: "A virtualenv is in the source",
		Detail: detail,
		Fix: []string{fmt.Sprintf("Remove it from version control (git rm -r --cached %s, and add %s/ to .gitignore); warpdrive installs the packages from your dependency files.", first, first),
			fmt.Sprintf("When you build from a working directory that has one, leave it out of the build with pack's project.toml: [_] schema-version = \"0.2\", then [io.buildpacks] exclude = [\"%s\"].", first)}}
}
