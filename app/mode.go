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
	// WSGIModule and Callable are the plain WSGI entry point (wsgi mode without Django).
	WSGIModule string
	Callable   string
}

// ModePaste runs a Paste Deploy `paste.ini` under mod_wsgi-express.
const ModePaste = "paste"

// EntryPointError says no way to start the application could be found.
type EntryPointError struct {
	Mode       string
	LookedFor  []string
	WSGIModule string
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
		return Launch{Mode: ModeWSGI, Reason: reason, WSGIModule: c.WSGIModule, Callable: "application"}
	}
	django := func(reason string) Launch {
		return Launch{Mode: ModeWSGI, Reason: reason, Django: true, SettingsModule: settings}
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
		case FileExists(filepath.Join(home, "paste.ini")):
			return Launch{Mode: ModePaste, Reason: "deploy mode wsgi, paste.ini"}, nil
		}
		return Launch{}, EntryPointError{Mode: ModeWSGI, LookedFor: append(lookedFor, "paste.ini")}
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
		case FileExists(filepath.Join(home, "paste.ini")):
			return Launch{Mode: ModePaste, Reason: "auto: found paste.ini"}, nil
		}
		return Launch{}, EntryPointError{Mode: ModeAuto, LookedFor: append([]string{"app.sh", "app.py"}, append(lookedFor, "paste.ini")...)}
	default: // a server name: full control, the user's server_args say what to run
		return Launch{Mode: c.DeployMode, Reason: "deploy mode " + c.DeployMode + " (full control: base arguments and .warpdrive/server_args only)"}, nil
	}
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
