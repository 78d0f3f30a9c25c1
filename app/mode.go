package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
	// Procfile is the Procfile's web command (ModeProcfile).
	Procfile string
}

const (
	// ModePaste runs a Paste Deploy `paste.ini` under mod_wsgi-express.
	ModePaste = "paste"
	// ModeProcfile runs the Procfile's web process.
	ModeProcfile = "procfile"
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
	lookedFor := []string{"manage.py naming DJANGO_SETTINGS_MODULE", wsgiFile, wsgiPkg}

	switch c.DeployMode {
	case ModeShell:
		return shellLaunch(home, "deploy mode shell")
	case ModePython:
		if !FileExists(filepath.Join(home, "app.py")) {
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
		case isDjango:
			return django("deploy mode wsgi, Django project (manage.py)"), nil
		case hasWSGI:
			return wsgi("deploy mode wsgi, " + wsgiFile), nil
		case hasMain:
			return main("deploy mode wsgi, "), nil
		case FileExists(filepath.Join(home, "paste.ini")):
			return Launch{Mode: ModePaste, Reason: "deploy mode wsgi, paste.ini"}, nil
		}
		return Launch{}, EntryPointError{Mode: ModeWSGI, LookedFor: append(lookedFor, "main.py", "app/main.py", "paste.ini")}
	case ModeAuto:
		if _, err := os.Stat(filepath.Join(home, "app.sh")); err == nil {
			return shellLaunch(home, "auto: found app.sh")
		}
		switch {
		case FileExists(filepath.Join(home, "app.py")):
			return Launch{Mode: ModePython, Reason: "auto: found app.py"}, nil
		case isDjango:
			return django("auto: found manage.py (Django)"), nil
		case hasWSGI:
			return wsgi("auto: found " + wsgiFile), nil
		case hasMain:
			return main("auto: found "), nil
		case FileExists(filepath.Join(home, "paste.ini")):
			return Launch{Mode: ModePaste, Reason: "auto: found paste.ini"}, nil
		}
		return Launch{}, EntryPointError{Mode: ModeAuto, LookedFor: append([]string{"app.sh", "app.py"}, append(lookedFor, "main.py", "app/main.py", "paste.ini", "a Procfile with a web process", "WARPDRIVE_WSGI_APPLICATION")...)}
	default: // a server name: full control, the user's server_args say what to run
		return Launch{Mode: c.DeployMode, Reason: "deploy mode " + c.DeployMode + " (full control: base arguments and .warpdrive/server_args only)"}, nil
	}
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
		return fmt.Sprintf("module %s defines neither app nor application", e.Entry.Module)
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
