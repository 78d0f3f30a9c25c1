package build

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/layers"
	"github.com/warpdrive-buildpack/warpdrive/pep508"
	"github.com/warpdrive-buildpack/warpdrive/server"
)

// stepFor is a step after configuration: the deploy mode and server chosen.
func stepFor(mode, serverName string, entry server.Entry) *step {
	s := &step{config: app.Config{Source: app.Source{Root: "/workspace", Home: "/workspace"}}, launch: app.Launch{Mode: mode}, entry: entry, protocol: server.WSGI}
	s.server, s.hasServer = server.Lookup(serverName)
	return s
}

func TestWebPlanPerDeployMode(t *testing.T) {
	entry := server.Entry{Home: "/workspace", Module: "wsgi", Callable: "application"}
	tests := []struct {
		name, mode, server string
		want               string
		wantMode           string
	}{
		{"wsgi under gunicorn", app.ModeWSGI, server.Gunicorn, "gunicorn --log-file - --bind 0.0.0.0:$PORT -- --chdir /workspace wsgi:application", "gunicorn"},
		{"paste under mod_wsgi", app.ModePaste, server.ModWSGI, "mod_wsgi-express start-server --server-root /tmp/mod_wsgi-server --log-to-terminal --startup-log --locale C.UTF-8 --port $PORT -- " +
			"--application-type paste --entry-point /workspace/paste.ini --working-directory /workspace", "mod_wsgi"},
		{"python", app.ModePython, "", "python /workspace/app.py --", "python"},
		{"shell", app.ModeShell, "", "/workspace/app.sh --", "shell"},
		{"one console script", app.ModeScript, "", "python -c import sys; from poetry_run.server import run; sys.exit(run()) --", "script"},
		{"full control: base arguments only", server.UWSGI, server.UWSGI,
			"uwsgi --master --http-socket :$PORT --enable-threads --threads=5 --thunder-lock --single-interpreter --die-on-term --", "uwsgi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := stepFor(tt.mode, tt.server, entry)
			s.launch.Script = app.Script{Name: "poetry-run", Entry: app.EntryPoint{Module: "poetry_run.server", Attr: "run"}}
			plan := webPlan(s)
			if got := strings.Join(plan.Declared(), " "); got != tt.want || plan.Mode != tt.wantMode {
				t.Errorf("got  %s (mode %s)\nwant %s (mode %s)", got, plan.Mode, tt.want, tt.wantMode)
			}
		})
	}
}

func TestServerName(t *testing.T) {
	tests := []struct{ mode, configured, want string }{
		{app.ModeWSGI, server.Waitress, server.Waitress},
		{app.ModePaste, server.Gunicorn, server.ModWSGI},
		{app.ModePython, server.Gunicorn, ""},
		{app.ModeShell, server.ModWSGI, ""},
		{server.UWSGI, server.ModWSGI, server.UWSGI},
	}
	for _, tt := range tests {
		if got := serverName(app.Launch{Mode: tt.mode}, tt.configured); got != tt.want {
			t.Errorf("serverName(%s, %s) = %q, want %q", tt.mode, tt.configured, got, tt.want)
		}
	}
}

// WhiteNoise wraps the app only for a wsgi-mode server that cannot map
// static files itself, and only when there are static files.
func TestUsesWhiteNoise(t *testing.T) {
	static := server.Entry{Home: "/workspace", Module: "wsgi", Callable: "application", StaticURL: "/static/", StaticDir: "/workspace/static"}
	tests := []struct {
		mode, server string
		entry        server.Entry
		want         bool
	}{
		{app.ModeWSGI, server.Gunicorn, static, true},
		{app.ModeWSGI, server.Waitress, static, true},
		{app.ModeWSGI, server.ModWSGI, static, false},
		{app.ModeWSGI, server.UWSGI, static, false},
		{app.ModeWSGI, server.Gunicorn, server.Entry{Home: "/workspace", Module: "wsgi", Callable: "application"}, false},
		{server.Gunicorn, server.Gunicorn, static, false},
	}
	for _, tt := range tests {
		if got := stepFor(tt.mode, tt.server, tt.entry).usesStaticWrapper(); got != tt.want {
			t.Errorf("%s/%s static=%v: usesStaticWrapper = %v, want %v", tt.mode, tt.server, tt.entry.StaticDir != "", got, tt.want)
		}
	}
}

func TestRequirementRootsAndServerPackages(t *testing.T) {
	home := t.TempDir()
	os.WriteFile(filepath.Join(home, "requirements.txt"), []byte("Django\ngunicorn @ https://example.invalid/gunicorn-23.0.0-py3-none-any.whl\n"), 0o644)
	tests := []struct {
		name     string
		config   app.Config
		server   string
		roots    string
		packages string
	}{
		{"the default, present", app.Config{PipPackages: []string{"requirements.txt", "missing.txt"}}, server.Gunicorn, "requirements.txt", "whitenoise"},
		{"named explicitly, passed on even when missing", app.Config{PipPackages: []string{"missing.txt"}, PipPackagesExplicit: true}, server.Waitress, "missing.txt", "waitress whitenoise"},
		{"mod_wsgi brings no packages", app.Config{PipPackages: []string{"requirements.txt"}}, server.ModWSGI, "requirements.txt", ""},
		{"python mode has no server", app.Config{PipPackages: []string{"requirements.txt"}}, "", "requirements.txt", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.config.Source = app.Source{Root: home, Home: home}
			s := stepFor(app.ModeWSGI, tt.server, server.Entry{})
			s.config = tt.config
			plan, err := app.ChooseDependencies(tt.config, pep508.Target("3.13.5", "amd64"))
			if err != nil {
				t.Fatal(err)
			}
			s.dependencies = plan
			roots := plan.Roots
			if got := strings.Join(roots, " "); got != tt.roots {
				t.Errorf("roots = %q, want %q", got, tt.roots)
			}
			if got := strings.Join(serverPackages(s, app.RequirementFiles(home, roots)), " "); got != tt.packages {
				t.Errorf("server packages = %q, want %q", got, tt.packages)
			}
		})
	}
}

// A dotted attribute reaches every server as the generated entry module's
// plain name, wrapped or not: mod_wsgi's --callable-object and uwsgi's
// --callable take no dots, and the static-files wrappers load what the
// entry names. A plain attribute is given as it is.
func TestDottedEntryEveryServer(t *testing.T) {
	home := t.TempDir()
	os.WriteFile(filepath.Join(home, "server.py"), []byte("class App:\n    def __call__(self, environ, start_response):\n        pass\n    def wsgi_app(self, environ, start_response):\n        pass\n    async def asgi_app(self, scope, receive, send):\n        pass\napp = App()\n"), 0o644)
	os.MkdirAll(filepath.Join(home, "static"), 0o755)
	tests := []struct {
		server   string
		attr     string
		protocol server.Protocol
		want     string // in the derived arguments
	}{
		{server.ModWSGI, "app.wsgi_app", server.WSGI, "--entry-point warpdrive_entry --callable-object application"},
		{server.UWSGI, "app.wsgi_app", server.WSGI, "--module warpdrive_entry --callable application"},
		{server.Gunicorn, "app.wsgi_app", server.WSGI, server.WrapperModule + ":application"},
		{server.Waitress, "app.wsgi_app", server.WSGI, server.WrapperModule + ":application"},
		{server.Uvicorn, "app.asgi_app", server.ASGI, server.ASGIWrapperModule + ":application"},
		{server.Hypercorn, "app.asgi_app", server.ASGI, server.ASGIWrapperModule + ":application"},
		{server.Daphne, "app.asgi_app", server.ASGI, server.ASGIWrapperModule + ":application"},
		{server.Gunicorn, "app.asgi_app", server.ASGI, "uvicorn.workers.UvicornWorker --chdir " + home + " " + server.ASGIWrapperModule + ":application"},
	}
	for _, tt := range tests {
		t.Run(tt.server+" "+string(tt.protocol), func(t *testing.T) {
			s := entryStep(t, home, app.EntryPoint{Module: "server", Attr: tt.attr})
			s.server, s.hasServer = server.Lookup(tt.server)
			s.protocol = tt.protocol
			if err := (Build{Logger: log.NewPaketoLogger(io.Discard)}).entryPoint(s); err != nil {
				t.Fatal(err)
			}
			s.entry.StaticURL, s.entry.StaticDir = "/static/", filepath.Join(home, "static")
			s.entry.Wrapped = s.usesStaticWrapper()
			derived := strings.Join(webPlan(s).Derived, " ")
			if !strings.Contains(derived, tt.want) || strings.Contains(derived, tt.attr) {
				t.Errorf("derived arguments %q, want %q and not %s", derived, tt.want, tt.attr)
			}
			if s.entryModule == nil || s.entryModule.String() != "server:"+tt.attr {
				t.Errorf("the entry module serves %v, want server:%s", s.entryModule, tt.attr)
			}
			// What the wrapper wraps is the entry module's plain name.
			if s.entry.Wrapped && (s.entry.Module != layers.EntryModule || s.entry.Callable != "application") {
				t.Errorf("the wrapper wraps %s:%s", s.entry.Module, s.entry.Callable)
			}
		})
	}
	t.Run("a plain attribute is given as it is", func(t *testing.T) {
		s := entryStep(t, home, app.EntryPoint{Module: "server", Attr: "app"})
		s.server, s.hasServer = server.Lookup(server.UWSGI)
		if err := (Build{Logger: log.NewPaketoLogger(io.Discard)}).entryPoint(s); err != nil {
			t.Fatal(err)
		}
		if derived := strings.Join(webPlan(s).Derived, " "); s.entryModule != nil || !strings.Contains(derived, "--module server --callable app") {
			t.Errorf("derived %q, entry module %v", derived, s.entryModule)
		}
	})
}

// A dotted script function is called through its first name, as the
// script pip writes does.
func TestScriptCommandDotted(t *testing.T) {
	got := strings.Join(scriptCommand(app.Script{Name: "serve", Entry: app.EntryPoint{Module: "pkg.cli", Attr: "main.run"}}), " ")
	if want := "python -c import sys; from pkg.cli import main; sys.exit(main.run())"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// With no name given, the application is found as `flask run` finds it.
func TestGuessedName(t *testing.T) {
	for _, tt := range []struct {
		candidates []string
		want       string
	}{
		{[]string{"application", "create_app"}, "application"},
		{[]string{"api"}, "api"},
		{[]string{"api", "create_app"}, "api"},
		{[]string{"api", "server", "create_app"}, "create_app()"},
		{[]string{"make_app"}, "make_app()"},
		{nil, ""},
	} {
		got := ""
		if ep := guessedName(tt.candidates); ep != nil {
			got = ep.Attr
			if ep.Call {
				got += "()"
			}
		}
		if got != tt.want {
			t.Errorf("guessedName(%v) = %q, want %q", tt.candidates, got, tt.want)
		}
	}
}
