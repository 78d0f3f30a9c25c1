// Package server is the one table of what warpdrive knows about each WSGI
// and ASGI server: the packages it needs, warpdrive's base command line, the arguments
// derived from the application, how it serves static files, how the worker
// count reaches it and which variables tune it. The build (packages, process
// command, WhiteNoise wrapper) and warpdrive-start (tuning, concurrency) both
// read it, so a server is described in exactly one place.
package server

import (
	"path/filepath"
	"slices"
	"strings"
)

// Server names, as `.warpdrive/server_type` and WARPDRIVE_SERVER_TYPE spell them.
const (
	ModWSGI   = "mod_wsgi"
	Gunicorn  = "gunicorn"
	UWSGI     = "uwsgi"
	Waitress  = "waitress"
	Uvicorn   = "uvicorn"
	Hypercorn = "hypercorn"
	Daphne    = "daphne"
)

// Protocol is how the server calls the application.
type Protocol string

const (
	// WSGI (PEP 3333): application(environ, start_response).
	WSGI Protocol = "wsgi"
	// ASGI: async application(scope, receive, send).
	ASGI Protocol = "asgi"
)

const (
	// Helper is the launch helper every process runs through.
	Helper = "warpdrive-start"
	// InsertionPoint separates base arguments from derived ones in the web
	// process's declared command (pack inspect shows it); warpdrive-start
	// inserts tuning flags and `.warpdrive/server_args` there.
	InsertionPoint = "--"
	// Port is expanded by warpdrive-start: $PORT, else WARPDRIVE_HTTP_PORT, else 8080.
	Port = "$PORT"
	// WrapperModule is the generated module that serves static files with
	// WhiteNoise around a WSGI application, for servers that cannot serve them.
	WrapperModule = "warpdrive_whitenoise"
	// ASGIWrapperModule serves static files with Starlette's StaticFiles
	// around an ASGI application (WhiteNoise speaks only WSGI).
	ASGIWrapperModule = "warpdrive_asgi_static"
	// ModWSGIServerRoot is where mod_wsgi-express writes its generated Apache
	// configuration at start: writable by any user.
	ModWSGIServerRoot = "/tmp/mod_wsgi-server"
)

// StaticStrategy is how a server serves the application's static files.
type StaticStrategy int

const (
	// StaticByServer: the server maps the URL to the directory itself
	// (Apache's Alias, uwsgi's --static-map).
	StaticByServer StaticStrategy = iota
	// StaticByWrapper: a generated module wraps the application and serves
	// the files: WhiteNoise for WSGI, Starlette's StaticFiles for ASGI.
	StaticByWrapper
)

// Concurrency is how the worker count (WEB_CONCURRENCY, else derived from the
// container's limits) reaches a server.
type Concurrency struct {
	// Flag, when set, carries the count as a flag: "--processes" N, or
	// "--threads=" joined to N when it ends in "=".
	Flag string
	// Env, when set, carries the count in a variable the server reads itself.
	Env string
	// UserSetting names a variable that, when the user sets it, wins over the
	// count (MOD_WSGI_PROCESSES, UWSGI_PROCESSES).
	UserSetting string
	// OnlyWhenChosen applies the count only when WEB_CONCURRENCY is given:
	// waitress is one process, and its count is threads.
	OnlyWhenChosen bool
	// Unit names what the count is, for the startup log.
	Unit string
	// Sizing is how the derived count grows with the container's CPUs.
	Sizing Sizing
	// ThreadsSetting and Threads, for a server whose processes run a pool of
	// request threads, name the variable that sets the pool's size and the
	// server's own default, so the startup log can say processes × threads.
	ThreadsSetting string
	Threads        int
	// OneProcess: the server has no worker processes to count (daphne runs
	// one Twisted reactor); the startup log says so and WEB_CONCURRENCY is
	// not used.
	OneProcess bool
	// Options are the server's command-line options that set the count
	// (gunicorn's -w and --workers): when the user's words pass one (a
	// Procfile command, server_args), that is the count.
	Options []string
}

// CountIn finds the count the words set with one of the options, as
// "--workers 3", "--workers=3" or "-w3"; the last one wins, as it does for
// the servers' own parsers.
func (c Concurrency) CountIn(words []string) (option, value string, ok bool) {
	for i, w := range words {
		for _, o := range c.Options {
			switch {
			case w == o && i+1 < len(words):
				option, value, ok = o, words[i+1], true
			case strings.HasPrefix(o, "--") && strings.HasPrefix(w, o+"="):
				option, value, ok = o, strings.TrimPrefix(w, o+"="), true
			case !strings.HasPrefix(o, "--") && len(w) > len(o) && strings.HasPrefix(w, o):
				option, value, ok = o, strings.TrimPrefix(w, o), true
			}
		}
	}
	return option, value, ok
}

// Named is the server a command line runs, when any word of it is a server
// warpdrive knows (`python manage.py migrate && gunicorn ...`).
func Named(words []string) (Server, bool) {
	for _, word := range words {
		for _, s := range table {
			if s.Executable == filepath.Base(word) {
				return s, true
			}
		}
	}
	return Server{}, false
}

// Sizing is the rule for the derived process count before the memory cap:
// PerCPU × CPUs + Plus, the CPUs the container may use rounded up.
type Sizing struct {
	PerCPU, Plus int
}

var (
	// OnePerCPU suits servers whose processes each take many requests at
	// once (a pool of threads, an event loop): one process per CPU keeps the
	// CPUs busy, and more only contend for them (measured with
	// scripts/bench-serve.sh: see docs/benchmarks.md).
	OnePerCPU = Sizing{PerCPU: 1}
	// TwicePerCPUPlusOne is the rule of thumb for single-threaded workers that
	// wait on I/O (gunicorn's documented default), and warpdrive's rule for
	// servers and programs it has not measured.
	TwicePerCPUPlusOne = Sizing{PerCPU: 2, Plus: 1}
)

// Args renders the flag for n workers.
func (c Concurrency) Args(n string) []string {
	switch {
	case c.Flag == "":
		return nil
	case strings.HasSuffix(c.Flag, "="):
		return []string{c.Flag + n}
	default:
		return []string{c.Flag, n}
	}
}

// Entry is what the derived arguments depend on.
type Entry struct {
	// Home is the application directory at launch.
	Home string
	// Module and Callable are the WSGI entry point.
	Module   string
	Callable string
	// StaticURL and StaticDir, when both are set, are served.
	StaticURL string
	StaticDir string
	// Wrapped: the static-files wrapper module serves the application.
	Wrapped bool
	// ASGI: the application is an ASGI one.
	ASGI bool
	// PythonPath are directories of generated modules the server must import
	// from (servers that are Python processes read PYTHONPATH; Apache needs
	// them named).
	PythonPath []string
}

// Server is everything warpdrive knows about one server.
type Server struct {
	Name string
	// Protocols are what it serves, the first its own.
	Protocols []Protocol
	// Executable is the program the base command runs.
	Executable string
	// Packages are installed from the index when the application's
	// requirements do not list them; ASGIPackages replace them for an ASGI
	// application (a server that speaks both).
	Packages     []string
	ASGIPackages []string
	// CompiledModule: the server is an Apache module compiled against the
	// builder's Apache, in a layer of its own unless the app lists it.
	CompiledModule bool
	// Base is warpdrive's base command line (after Executable).
	Base []string
	// Static is how static files are served.
	Static StaticStrategy
	// Concurrency is how the worker count reaches the server.
	Concurrency Concurrency
	// Tuning turns the server's own variables into flags at every start.
	Tuning func(lookup func(string) (string, bool)) ([]string, error)
	derive func(e Entry) []string
}

// Command is the base command line: the executable and warpdrive's arguments.
func (s Server) Command() []string { return append([]string{s.Executable}, s.Base...) }

// Derived returns the arguments derived from the application.
func (s Server) Derived(e Entry) []string { return s.derive(e) }

var table = []Server{
	{
		Name: ModWSGI, Executable: "mod_wsgi-express", CompiledModule: true, Protocols: []Protocol{WSGI},
		// --locale: a locale every image has; without it mod_wsgi-express
		// picks en_US.UTF-8, which the run image lacks (Python 3.11
		// normalizes even LANG=C.UTF-8 to it).
		Base: []string{"start-server", "--server-root", ModWSGIServerRoot, "--log-to-terminal", "--startup-log",
			"--locale", "C.UTF-8", "--port", Port},
		Static: StaticByServer,
		Concurrency: Concurrency{Flag: "--processes", UserSetting: "MOD_WSGI_PROCESSES", Unit: "mod_wsgi processes", Options: []string{"--processes"},
			Sizing: OnePerCPU, ThreadsSetting: "MOD_WSGI_THREADS", Threads: ModWSGIThreads},
		Tuning: ModWSGITuning,
		derive: func(e Entry) []string {
			args := []string{"--application-type", "module", "--entry-point", e.Module, "--callable-object", e.Callable}
			if url, dir, ok := e.staticAlias(); ok {
				args = append(args, "--url-alias", url, dir)
			}
			for _, dir := range e.PythonPath {
				args = append(args, "--python-path", dir)
			}
			return append(args, "--working-directory", e.Home)
		},
	},
	{
		Name: Gunicorn, Executable: "gunicorn", Protocols: []Protocol{WSGI, ASGI},
		Packages: []string{"gunicorn", "whitenoise"}, ASGIPackages: []string{"gunicorn", "uvicorn", "starlette"},
		Base:        []string{"--log-file", "-", "--bind", "0.0.0.0:" + Port},
		Static:      StaticByWrapper,
		Concurrency: Concurrency{Env: "WEB_CONCURRENCY", Unit: "gunicorn workers", Sizing: OnePerCPU, Options: []string{"-w", "--workers"}},
		derive: func(e Entry) []string {
			if e.ASGI {
				// gunicorn manages the processes, uvicorn's worker runs the event loop.
				return []string{"--worker-class", "uvicorn.workers.UvicornWorker", "--chdir", e.Home, e.entry()}
			}
			return []string{"--chdir", e.Home, e.entry()}
		},
	},
	{
		Name: UWSGI, Executable: "uwsgi", Packages: []string{"uwsgi"}, Protocols: []Protocol{WSGI},
		Base: []string{"--master", "--http-socket", ":" + Port, "--enable-threads", "--threads=5",
			"--thunder-lock", "--single-interpreter", "--die-on-term"},
		Static: StaticByServer,
		Concurrency: Concurrency{Env: "UWSGI_PROCESSES", UserSetting: "UWSGI_PROCESSES", Unit: "uwsgi processes", Sizing: TwicePerCPUPlusOne,
			Options: []string{"-p", "--processes", "--workers"}},
		derive: func(e Entry) []string {
			args := []string{"--chdir", e.Home, "--module", e.Module, "--callable", e.Callable}
			if url, dir, ok := e.staticAlias(); ok {
				args = append(args, "--static-map", url+"="+dir)
			}
			return args
		},
	},
	{
		Name: Waitress, Executable: "waitress-serve", Packages: []string{"waitress", "whitenoise"}, Protocols: []Protocol{WSGI},
		Base:        []string{"--port=" + Port, "--threads=5"},
		Static:      StaticByWrapper,
		Concurrency: Concurrency{Flag: "--threads=", OnlyWhenChosen: true, Unit: "waitress threads", Sizing: TwicePerCPUPlusOne, Options: []string{"--threads"}},
		derive:      func(e Entry) []string { return []string{e.entry()} },
	},
	{
		// --proxy-headers trusts X-Forwarded-Proto/For from the addresses in
		// FORWARDED_ALLOW_IPS (uvicorn's own variable; 127.0.0.1 unless set).
		// Connections get 8 s to finish after SIGTERM, inside docker stop's 10.
		Name: Uvicorn, Executable: "uvicorn", Packages: []string{"uvicorn", "starlette"}, Protocols: []Protocol{ASGI},
		Base:        []string{"--host", "0.0.0.0", "--port", Port, "--proxy-headers", "--timeout-graceful-shutdown", "8"},
		Static:      StaticByWrapper,
		Concurrency: Concurrency{Env: "WEB_CONCURRENCY", Unit: "uvicorn workers", Sizing: OnePerCPU, Options: []string{"--workers"}},
		derive:      func(e Entry) []string { return []string{"--app-dir", e.Home, e.entry()} },
	},
	{
		// hypercorn imports the application relative to its working
		// directory, which warpdrive-start sets to the application's.
		Name: Hypercorn, Executable: "hypercorn", Packages: []string{"hypercorn", "starlette"}, Protocols: []Protocol{ASGI},
		Base: []string{"--bind", "0.0.0.0:" + Port, "--access-logfile", "-", "--error-logfile", "-",
			"--graceful-timeout", "8"},
		Static:      StaticByWrapper,
		Concurrency: Concurrency{Flag: "--workers", Unit: "hypercorn workers", Sizing: OnePerCPU, Options: []string{"-w", "--workers"}},
		derive:      func(e Entry) []string { return []string{e.entry()} },
	},
	{
		// Django Channels' server: one process (Twisted's reactor) with no
		// worker option, so a container scales by replicas. --proxy-headers
		// takes the client's address and scheme from X-Forwarded-For and
		// X-Forwarded-Proto; on SIGTERM the reactor stops listening and
		// gives running applications --application-close-timeout seconds.
		// daphne imports the application relative to its working directory,
		// which warpdrive-start sets to the application's.
		Name: Daphne, Executable: "daphne", Packages: []string{"daphne", "starlette"}, Protocols: []Protocol{ASGI},
		Base: []string{"--bind", "0.0.0.0", "--port", Port, "--proxy-headers", "--access-log", "-",
			"--application-close-timeout", "8"},
		Static:      StaticByWrapper,
		Concurrency: Concurrency{OneProcess: true, Unit: "daphne process"},
		derive:      func(e Entry) []string { return []string{e.entry()} },
	},
}

// Speaks says whether the server can serve an application of protocol p.
func (s Server) Speaks(p Protocol) bool { return slices.Contains(s.Protocols, p) }

// PackagesFor are the packages the server needs for an application of
// protocol p.
func (s Server) PackagesFor(p Protocol) []string {
	if p == ASGI && s.ASGIPackages != nil {
		return s.ASGIPackages
	}
	return s.Packages
}

// NamesFor lists the servers that speak p, the first its default.
func NamesFor(p Protocol) []string {
	var out []string
	for _, s := range table {
		if s.Speaks(p) && (p != ASGI || s.Protocols[0] == ASGI) {
			out = append(out, s.Name)
		}
	}
	if p == ASGI {
		out = append(out, Gunicorn+" (with uvicorn's worker)")
	}
	return out
}

// DefaultASGI is the server an ASGI application gets when none is chosen.
const DefaultASGI = Uvicorn

// DependencyOrder is the order in which servers named among the app's own
// dependencies are taken when none is chosen: the one the app depends on is
// the one it was written and tested with. The servers that also manage
// other servers' workers come first (gunicorn runs uvicorn's worker for an
// ASGI app, so an app listing both wants gunicorn), then the ASGI servers,
// then the WSGI ones, mod_wsgi, the default anyway, last. Each name is the
// server's distribution as PEP 503 normalizes it (uWSGI is uwsgi, mod-wsgi
// is mod_wsgi).
var DependencyOrder = []string{Gunicorn, Uvicorn, Hypercorn, Daphne, Waitress, UWSGI, ModWSGI}

// Lookup returns the server named name.
func Lookup(name string) (Server, bool) {
	for _, s := range table {
		if s.Name == name {
			return s, true
		}
	}
	return Server{}, false
}

// Names lists the servers, the default first.
func Names() []string {
	out := make([]string, len(table))
	for i, s := range table {
		out[i] = s.Name
	}
	return out
}

// Default is the server used when none is chosen.
const Default = ModWSGI

// entry is the module:callable the server loads: the wrapper when static
// files are served through WhiteNoise.
func (e Entry) entry() string {
	switch {
	case e.Wrapped && e.ASGI:
		return ASGIWrapperModule + ":application"
	case e.Wrapped:
		return WrapperModule + ":application"
	}
	return e.Module + ":" + e.Callable
}

// staticAlias returns the static URL and directory with matching trailing
// slashes (Apache's Alias maps "/static/x" to DIR + "x"), and whether both are set.
func (e Entry) staticAlias() (string, string, bool) {
	if e.StaticURL == "" || e.StaticDir == "" {
		return "", "", false
	}
	dir := e.StaticDir
	if strings.HasSuffix(e.StaticURL, "/") && !strings.HasSuffix(dir, "/") {
		dir += "/"
	}
	return e.StaticURL, dir, true
}

// PasteDerived are mod_wsgi-express's arguments for a Paste Deploy `paste.ini`.
func PasteDerived(e Entry, iniPath string) []string {
	args := []string{"--application-type", "paste", "--entry-point", iniPath}
	if url, dir, ok := e.staticAlias(); ok {
		args = append(args, "--url-alias", url, dir)
	}
	return append(args, "--working-directory", e.Home)
}
