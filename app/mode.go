package app

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/pep508"
)

// Launch is how the application starts: the deploy mode `auto` resolved to, and
// what that mode needs.
type Launch struct {
	// Mode is shell, python, wsgi, paste, or a server name (full control).
	Mode string
	// Reason says why this mode was chosen, for the build log.
	Reason string
	// Django is set when the application is a Django project (manage.py naming
	// DJANGO_SETTINGS_MODULE); its values come from probing the settings.
	Django bool
	// SettingsModule is manage.py's default DJANGO_SETTINGS_MODULE.
	SettingsModule string
	// Entry is the WSGI entry point (wsgi mode without Django, or one the user
	// named). An empty Attr means "app, else application" (main.py), which the
	// build's probe of the module decides.
	Entry EntryPoint
	// Procfile is the Procfile's web command (ModeProcfile); "" when the
	// Procfile has no web process and the image runs only its other entries.
	Procfile string
	// ScriptFallback: app.py is served as a module because its source
	// defines an application and starts no production server; if the
	// build's import finds no application, it runs as `python app.py` after all.
	ScriptFallback bool
	// Script is the console script the web process runs (ModeScript).
	Script Script
}

const (
	// ModePaste runs a Paste Deploy `paste.ini` under mod_wsgi-express.
	ModePaste = "paste"
	// ModeProcfile runs the Procfile's web process.
	ModeProcfile = "procfile"
	// ModeScript runs the project's one console script ([project.scripts]).
	ModeScript = "script"
)

// EntryPointError says no way to start the application could be found.
type EntryPointError struct {
	Mode      string
	LookedFor []string
}

func (e EntryPointError) Error() string {
	return fmt.Sprintf("no WSGI entry point found for deploy mode %s: looked for %s", e.Mode, strings.Join(e.LookedFor, ", "))
}

// NotExecutableError says app.sh exists but cannot be run.
type NotExecutableError struct{ Path string }

func (e NotExecutableError) Error() string {
	return fmt.Sprintf("%s is not executable", e.Path)
}

// ResolveLaunch picks how the application in c.Home starts. `auto` follows
// warpdrive's order: executable app.sh, app.py, Django's manage.py, wsgi.py or
// wsgi/__init__.py, paste.ini.
func ResolveLaunch(c Config) (Launch, error) {
	home := c.Home
	settings, isDjango := DjangoSettingsModule(home)
	wsgiFile := c.WSGIModule + ".py"
	wsgiPkg := filepath.Join(c.WSGIModule, "__init__.py")
	hasWSGI := FileExists(filepath.Join(home, wsgiFile)) || FileExists(filepath.Join(home, wsgiPkg))
	wsgi := func(reason string) Launch {
		return Launch{Mode: ModeWSGI, Reason: reason, Entry: EntryPoint{Module: c.WSGIModule, Attr: "application"}}
	}
	django := func(reason string) Launch {
		return Launch{Mode: ModeWSGI, Reason: reason, Django: true, SettingsModule: settings}
	}
	// An entry point the user named wins over every file warpdrive looks for;
	// a Django project keeps its settings (for static files).
	if c.Entry != nil && (c.DeployMode == ModeAuto || c.DeployMode == ModeWSGI) {
		return Launch{Mode: ModeWSGI, Reason: c.EntrySource + "=" + c.Entry.String(), Entry: *c.Entry,
			Django: isDjango, SettingsModule: settings}, nil
	}
	// The Procfile's web process wins over auto, not over a mode the user chose.
	if web, ok := c.procfileWeb(); ok && c.DeployModeSource == "the default" {
		return Launch{Mode: ModeProcfile, Reason: "the Procfile's web process", Procfile: web,
			Django: isDjango, SettingsModule: settings}, nil
	}
	mainFile, mainModule := mainEntry(home)
	hasMain := mainFile != ""
	main := func(reason string) Launch {
		return Launch{Mode: ModeWSGI, Reason: reason + mainFile, Entry: EntryPoint{Module: mainModule}}
	}
	flask, err := flaskLaunch(c)
	if err != nil {
		return Launch{}, err
	}
	appPy := FileExists(filepath.Join(home, "app.py"))
	project, err := ReadPyproject(home)
	if err != nil {
		return Launch{}, err
	}
	pkg := projectPackage(home, project)
	lookedFor := []string{"manage.py naming DJANGO_SETTINGS_MODULE", wsgiFile, wsgiPkg}
	// last are the entry points after the files: the project's own
	// package, then its one console script, then a Procfile without web.
	last := func(mode string, looked []string) (Launch, error) {
		if pkg.Module != "" {
			return Launch{Mode: ModeWSGI, Reason: mode + ": the project's package " + pkg.Module + " (" + pkg.Reason + ")",
				Entry: EntryPoint{Module: pkg.Module}}, nil
		}
		if l, ok, err := scriptLaunch(c, project, mode); ok || err != nil {
			return l, err
		}
		if c.Procfile != nil && len(c.Procfile.Processes) > 0 {
			return Launch{Mode: ModeProcfile, Reason: mode + ": the Procfile's processes (" + strings.Join(c.Procfile.Names(), ", ") + "), no web process"}, nil
		}
		return Launch{}, EntryPointError{Mode: mode, LookedFor: looked}
	}
	tail := []string{"main.py", "app/main.py", "paste.ini", "the project's package (pyproject.toml's name) defining app, application, create_app or make_app", "one [project.scripts] entry"}

	switch c.DeployMode {
	case ModeShell:
		return shellLaunch(home, "deploy mode shell")
	case ModePython:
		if !appPy {
			return Launch{}, EntryPointError{Mode: ModePython, LookedFor: []string{"app.py"}}
		}
		return Launch{Mode: ModePython, Reason: "deploy mode python"}, nil
	case ModeDjango:
		if !isDjango {
			return Launch{}, EntryPointError{Mode: ModeDjango, LookedFor: lookedFor[:1]}
		}
		return django("deploy mode django"), nil
	case ModeWSGI:
		switch {
		case flask != nil:
			return *flask, nil
		case isDjango:
			return django("deploy mode wsgi, Django project (manage.py)"), nil
		case hasWSGI:
			return wsgi("deploy mode wsgi, " + wsgiFile), nil
		case hasMain:
			return main("deploy mode wsgi, "), nil
		case appPy:
			return Launch{Mode: ModeWSGI, Reason: "deploy mode wsgi, app.py", Entry: EntryPoint{Module: "app"}}, nil
		case FileExists(filepath.Join(home, "paste.ini")):
			return Launch{Mode: ModePaste, Reason: "deploy mode wsgi, paste.ini"}, nil
		}
		return last("deploy mode wsgi", append(append(lookedFor, "app.py"), tail...))
	case ModeAuto:
		if _, err := os.Stat(filepath.Join(home, "app.sh")); err == nil {
			return shellLaunch(home, "auto: found app.sh")
		}
		switch {
		case flask != nil:
			return *flask, nil
		case appPy:
			return appPyLaunch(home)
		case isDjango:
			return django("auto: found manage.py (Django)"), nil
		case hasWSGI:
			return wsgi("auto: found " + wsgiFile), nil
		case hasMain:
			return main("auto: found "), nil
		case FileExists(filepath.Join(home, "paste.ini")):
			return Launch{Mode: ModePaste, Reason: "auto: found paste.ini"}, nil
		}
		return last("auto", append(append([]string{"app.sh", "FLASK_APP", "app.py"}, lookedFor...), append(tail, "a Procfile", "WARPDRIVE_WSGI_APPLICATION")...))
	default: // a server name: full control, the user's server_args say what to run
		return Launch{Mode: c.DeployMode, Reason: "deploy mode " + c.DeployMode + " (full control: base arguments and .warpdrive/server_args only)"}, nil
	}
}

// appPyLaunch decides how app.py starts, from its source: served by the
// production server when it defines an application and its __main__ block
// starts no production server (Flask's app.run() is a development server),
// else `python app.py`, the seed's python mode.
func appPyLaunch(home string) (Launch, error) {
	python := Launch{Mode: ModePython, Reason: "auto: found app.py"}
	shape, err := ReadModuleShape(filepath.Join(home, "app.py"))
	switch {
	case err != nil:
		return python, nil
	case shape.RunsAtImport != "":
		python.Reason += ", which starts when imported (" + shape.RunsAtImport + "), so it runs as a script"
		return python, nil
	case shape.ProductionServer != "":
		python.Reason += ", whose __main__ block starts the production server " + shape.ProductionServer
		return python, nil
	case !shape.DefinesApp:
		python.Reason += ", which defines no app or application"
		return python, nil
	}
	why := "starts no server"
	if shape.DevServer != "" {
		why = "starts only the development server " + shape.DevServer + " in its __main__ block"
	}
	return Launch{Mode: ModeWSGI, Entry: EntryPoint{Module: "app"}, ScriptFallback: true,
		Reason: "auto: found app.py, which defines an application and " + why + ", so the production server serves it " +
			"(.warpdrive/deploy_mode python runs python app.py instead)"}, nil
}

// flaskLaunch is the entry point FLASK_APP names, as `flask run` reads it:
// `module`, `module:name`, `module:factory(args)`, or a file (`hello.py`,
// `pkg/hello.py`); nil when unset.
func flaskLaunch(c Config) (*Launch, error) {
	if c.FlaskApp == "" {
		return nil, nil
	}
	v := c.FlaskApp
	var ep EntryPoint
	if strings.Contains(v, ":") {
		var err error
		if ep, err = ParseEntryPoint(v); err != nil {
			return nil, EntrySettingError{Setting: "FLASK_APP (" + c.FlaskAppSource + ")", Err: err}
		}
	} else {
		module := strings.TrimSuffix(strings.TrimSuffix(filepath.ToSlash(v), ".py"), "/__init__")
		module = strings.ReplaceAll(strings.Trim(module, "/"), "/", ".")
		if !isDottedName(module) {
			return nil, EntrySettingError{Setting: "FLASK_APP (" + c.FlaskAppSource + ")", Err: EntryPointSyntaxError{Value: v, Why: "it is neither a module nor a Python file"}}
		}
		ep = EntryPoint{Module: module}
	}
	return &Launch{Mode: ModeWSGI, Reason: "FLASK_APP=" + v + " (" + c.FlaskAppSource + ")", Entry: ep}, nil
}

// ProjectPackage is the project's own importable package, named after
// pyproject.toml's project name, when its source binds an application.
type ProjectPackage struct {
	Module string
	// Reason says where the name came from and what the package defines.
	Reason string
}

// projectPackage finds the package `flask run` and the project's users
// would import: pyproject.toml's [project] or [tool.poetry] name (PEP 503
// normalized to a module name), as a package or module in the app or its
// src/ directory, whose source defines app, application or a factory.
func projectPackage(home string, project Pyproject) ProjectPackage {
	if project.Name == "" {
		return ProjectPackage{}
	}
	module := strings.ReplaceAll(pep508.NormalizeName(project.Name), "-", "_")
	for _, file := range []string{module + "/__init__.py", module + ".py", "src/" + module + "/__init__.py", "src/" + module + ".py"} {
		shape, err := ReadModuleShape(filepath.Join(home, filepath.FromSlash(file)))
		if err != nil {
			continue
		}
		if shape.DefinesApp && shape.RunsAtImport == "" {
			return ProjectPackage{Module: module, Reason: "pyproject.toml name " + project.Name + ", " + file}
		}
		return ProjectPackage{}
	}
	return ProjectPackage{}
}

// ScriptChoiceError says the project declares several console scripts and
// nothing says which one serves.
type ScriptChoiceError struct {
	Scripts []Script
	// Unknown is the WARPDRIVE_WEB_SCRIPT value that names none of them.
	Unknown string
}

func (e ScriptChoiceError) Error() string {
	var names []string
	for _, s := range e.Scripts {
		names = append(names, s.Name)
	}
	if e.Unknown != "" {
		return fmt.Sprintf("WARPDRIVE_WEB_SCRIPT=%s names none of the project's scripts (%s)", e.Unknown, strings.Join(names, ", "))
	}
	return fmt.Sprintf("the project declares %d scripts (%s) and no other entry point, so it is not clear which one serves", len(names), strings.Join(names, ", "))
}

// scriptLaunch runs the project's console script as `web`: the one it
// declares, or the one WARPDRIVE_WEB_SCRIPT names.
func scriptLaunch(c Config, project Pyproject, mode string) (Launch, bool, error) {
	if len(project.Scripts) == 0 {
		return Launch{}, false, nil
	}
	scripts := project.Scripts
	if c.WebScript != "" {
		i := slices.IndexFunc(scripts, func(s Script) bool { return s.Name == c.WebScript })
		if i < 0 {
			return Launch{}, false, ScriptChoiceError{Scripts: scripts, Unknown: c.WebScript}
		}
		s := scripts[i]
		return Launch{Mode: ModeScript, Script: s, Reason: "WARPDRIVE_WEB_SCRIPT=" + s.Name + ": " + s.Name + " = " + s.Entry.String()}, true, nil
	}
	if len(scripts) > 1 {
		return Launch{}, false, ScriptChoiceError{Scripts: scripts}
	}
	s := scripts[0]
	return Launch{Mode: ModeScript, Script: s, Reason: mode + ": the project's one script, [" + s.Table + "] " + s.Name + " = " + s.Entry.String()}, true, nil
}

// mainEntry finds main.py (Cloud Run's convention), else app/main.py
// (FastAPI's layout for bigger applications, started as `uvicorn
// app.main:app`): the file and the module to import.
func mainEntry(home string) (file, module string) {
	for _, m := range []struct{ file, module string }{{"main.py", "main"}, {"app/main.py", "app.main"}} {
		if FileExists(filepath.Join(home, filepath.FromSlash(m.file))) {
			return m.file, m.module
		}
	}
	return "", ""
}

func shellLaunch(home, reason string) (Launch, error) {
	path := filepath.Join(home, "app.sh")
	fi, err := os.Stat(path)
	if err != nil {
		return Launch{}, EntryPointError{Mode: ModeShell, LookedFor: []string{"app.sh"}}
	}
	if fi.Mode().Perm()&0o111 == 0 {
		return Launch{}, NotExecutableError{Path: "app.sh"}
	}
	return Launch{Mode: ModeShell, Reason: reason}, nil
}

// procfileWeb is the Procfile's web command, if it has one.
func (c Config) procfileWeb() (string, bool) {
	if c.Procfile == nil {
		return "", false
	}
	p, ok := c.Procfile.Get("web")
	return p.Command, ok
}

// CallableError says the entry module has no attribute of the entry point's
// name (found by importing it at build time).
type CallableError struct {
	Entry EntryPoint
	// Candidates are the module's attributes that look like WSGI applications
	// or factories.
	Candidates []string
	// Guessed: no name was given (main.py), and neither app nor application exists.
	Guessed bool
}

func (e CallableError) Error() string {
	if e.Guessed {
		return fmt.Sprintf("module %s defines none of app, application, create_app or make_app", e.Entry.Module)
	}
	return fmt.Sprintf("module %s has no attribute %s", e.Entry.Module, e.Entry.Attr)
}

// ServerProtocolError says the entry point is an application of one protocol
// (WSGI or ASGI) and the chosen server speaks only the other.
type ServerProtocolError struct {
	Entry EntryPoint
	// Protocol is the application's ("WSGI" or "ASGI"); Server and
	// ServerSource the server and where its choice came from.
	Protocol, Server, ServerSource string
	// Servers are the servers that speak the application's protocol.
	Servers []string
}

func (e ServerProtocolError) Error() string {
	return fmt.Sprintf("%s is %s, but the server %s (%s) cannot serve %s", e.Entry, e.Application(), e.Server, e.ServerSource, e.Protocol)
}

// Application is "a WSGI application" or "an ASGI application".
func (e ServerProtocolError) Application() string {
	if strings.HasPrefix(e.Protocol, "A") {
		return "an " + e.Protocol + " application"
	}
	return "a " + e.Protocol + " application"
}
