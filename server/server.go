// Package server derives the command line of the `web` process: warpdrive's base
// arguments for each WSGI server plus the arguments derived from the
// application (entry point, callable, static files, working directory).
//
// The command is written to launch.toml, so `pack inspect` shows it. It starts
// with the launch helper, warpdrive-start, which at launch resolves $PORT,
// inserts the MOD_WSGI_* tuning flags and `.warpdrive/server_args` at the
// Marker, and execs the server.
package server

import (
	"path/filepath"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/app"
)

const (
	// Helper is the launch helper that execs the server.
	Helper = "warpdrive-start"
	// Marker separates base arguments from derived ones; warpdrive-start
	// replaces it with tuning flags and `.warpdrive/server_args`.
	Marker = "--"
	// Port is expanded by warpdrive-start: $PORT, else WARPDRIVE_HTTP_PORT, else 8080.
	Port = "$PORT"
	// WrapperModule is the generated module that serves static files with
	// WhiteNoise around the application, for gunicorn and waitress.
	WrapperModule = "warpdrive_whitenoise"
	// ModWSGIServerRoot is where mod_wsgi-express writes its generated Apache
	// configuration at start: writable by any user.
	ModWSGIServerRoot = "/tmp/mod_wsgi-server"
)

// Spec is everything the command line depends on.
type Spec struct {
	// Launch is the resolved deploy mode.
	Launch app.Launch
	// Server is the WSGI server for wsgi and paste modes.
	Server string
	// Home is the application directory at launch.
	Home string
	// Module and Callable are the WSGI entry point.
	Module   string
	Callable string
	// StaticURL and StaticDir, when both are set, are served by the server.
	StaticURL string
	StaticDir string
	// WrapperModule, when set, is the generated module that wraps the
	// application with WhiteNoise (gunicorn and waitress serve static files so).
	WrapperModule string
}

// BaseArguments returns warpdrive's base command line for a server.
func BaseArguments(server string) []string {
	switch server {
	case app.ServerGunicorn:
		return []string{"gunicorn", "--log-file", "-", "--bind", "0.0.0.0:" + Port}
	case app.ServerUWSGI:
		return []string{"uwsgi", "--master", "--http-socket", ":" + Port, "--enable-threads", "--threads=5",
			"--thunder-lock", "--single-interpreter", "--die-on-term"}
	case app.ServerWaitress:
		return []string{"waitress-serve", "--port=" + Port, "--threads=5"}
	default:
		return []string{"mod_wsgi-express", "start-server", "--server-root", ModWSGIServerRoot,
			"--log-to-terminal", "--startup-log", "--port", Port}
	}
}

// Command returns the web process's full command line, helper first.
func Command(s Spec) []string {
	switch s.Launch.Mode {
	case app.ModeShell:
		return []string{Helper, filepath.Join(s.Home, "app.sh")}
	case app.ModePython:
		return []string{Helper, "python", filepath.Join(s.Home, "app.py")}
	case app.ModePaste:
		args := []string{"--application-type", "paste", "--entry-point", filepath.Join(s.Home, "paste.ini")}
		if url, dir, ok := staticAlias(s); ok {
			args = append(args, "--url-alias", url, dir)
		}
		return join(BaseArguments(app.ServerModWSGI), append(args, "--working-directory", s.Home)...)
	case app.ModeWSGI:
		return join(BaseArguments(s.Server), Derived(s)...)
	default: // a server name: full control, nothing derived
		return join(BaseArguments(s.Launch.Mode))
	}
}

// Derived returns the arguments derived from the application for wsgi mode.
func Derived(s Spec) []string {
	_, staticDir, static := staticAlias(s)
	entry := s.Module + ":" + s.Callable
	if s.WrapperModule != "" {
		entry = s.WrapperModule + ":application"
	}
	switch s.Server {
	case app.ServerGunicorn:
		return []string{"--chdir", s.Home, entry}
	case app.ServerUWSGI:
		args := []string{"--chdir", s.Home, "--module", s.Module, "--callable", s.Callable}
		if static {
			args = append(args, "--static-map", s.StaticURL+"="+staticDir)
		}
		return args
	case app.ServerWaitress:
		return []string{entry}
	default:
		args := []string{"--application-type", "module", "--entry-point", s.Module,
			"--callable-object", s.Callable}
		if static {
			args = append(args, "--url-alias", s.StaticURL, staticDir)
		}
		return append(args, "--working-directory", s.Home)
	}
}

// staticAlias returns the static URL and directory with matching trailing
// slashes (Apache's Alias maps "/static/x" to DIR + "x"), and whether both are set.
func staticAlias(s Spec) (string, string, bool) {
	if s.StaticURL == "" || s.StaticDir == "" {
		return "", "", false
	}
	dir := s.StaticDir
	if strings.HasSuffix(s.StaticURL, "/") && !strings.HasSuffix(dir, "/") {
		dir += "/"
	}
	return s.StaticURL, dir, true
}

func join(base []string, derived ...string) []string {
	out := append([]string{Helper}, base...)
	out = append(out, Marker)
	return append(out, derived...)
}
