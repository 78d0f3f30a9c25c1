package build

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/layers"
	"github.com/warpdrive-buildpack/warpdrive/server"
)

// Settings are resolved after `.warpdrive/environment` is applied (a
// variable given to the build wins) and after build-env: both may choose the
// server; a variable that breaks the venv stops the build.
func TestResolveConfigurationSeesTheEnvironmentFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "wsgi.py"), []byte("application = None\n"), 0o644)
	os.MkdirAll(filepath.Join(dir, ".warpdrive"), 0o755)
	os.WriteFile(filepath.Join(dir, ".warpdrive", "environment"), []byte("WARPDRIVE_SERVER_TYPE=gunicorn\nGREETING=from-the-file\n"), 0o644)
	tests := []struct {
		name   string
		env    map[string]string
		server string
		err    string
	}{
		{"the file chooses", nil, "gunicorn", ""},
		{"the build's variable wins", map[string]string{"WARPDRIVE_SERVER_TYPE": "uwsgi"}, "uwsgi", ""},
		{"a variable that breaks the venv", map[string]string{"PIP_USER": "1"}, "", "PIP_USER"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, name := range []string{"WARPDRIVE_SERVER_TYPE", "GREETING", "PIP_USER"} {
				t.Setenv(name, "")
				os.Unsetenv(name)
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var out bytes.Buffer
			b := Build{Logger: log.NewPaketoLogger(&out)}
			src, err := app.ReadSource(dir)
			if err != nil {
				t.Fatal(err)
			}
			applyEnvironmentFile(src.Environment, b.Logger)
			s := &step{source: src, resolver: libpak.ConfigurationResolver{Configurations: []libpak.BuildModuleConfiguration{
				{Name: "WARPDRIVE_SERVER_TYPE", Default: "mod_wsgi", Build: true}}}}
			err = b.resolveConfiguration(s)
			if tt.err != "" {
				var ue app.UnsupportedVariableError
				if !errors.As(err, &ue) || strings.Join(ue.Names(), " ") != tt.err {
					t.Fatalf("err = %v, want an UnsupportedVariableError for %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.server.Name != tt.server || os.Getenv("GREETING") != "from-the-file" {
				t.Errorf("server %q, GREETING %q; want %s and the file's value", s.server.Name, os.Getenv("GREETING"), tt.server)
			}
			if !strings.Contains(out.String(), "Deploy mode: wsgi (auto: found wsgi.py)") {
				t.Errorf("log:\n%s", out.String())
			}
		})
	}
}

func TestChooseProtocol(t *testing.T) {
	lock := func(names ...string) app.DependencyPlan {
		var pins []app.Pin
		for _, n := range names {
			pins = append(pins, app.Pin{Name: n, Version: "1"})
		}
		return app.DependencyPlan{Source: app.FromLock, Lock: app.Lock{Pins: pins}}
	}
	byDefault := app.Config{ServerType: server.ModWSGI, ServerTypeSource: "the default"}
	chosen := func(name string) app.Config {
		return app.Config{ServerType: name, ServerTypeSource: "WARPDRIVE_SERVER_TYPE"}
	}
	tests := []struct {
		name         string
		plan         app.DependencyPlan
		config       app.Config
		wantProtocol server.Protocol
		wantServer   string
		wantWhy      string
	}{
		{"a WSGI app keeps the default", lock("flask", "jinja2"), byDefault, server.WSGI, server.ModWSGI, "the default"},
		{"an ASGI framework brings uvicorn", lock("fastapi", "starlette"), byDefault, server.ASGI, server.Uvicorn,
			"the default for an ASGI app: it depends on fastapi"},
		{"Channels makes Django ASGI", lock("django", "channels"), byDefault, server.ASGI, server.Uvicorn,
			"the default for an ASGI app: it depends on channels"},
		{"a chosen ASGI-only server makes the app ASGI", lock("django"), chosen(server.Hypercorn), server.ASGI, server.Hypercorn, "WARPDRIVE_SERVER_TYPE"},
		{"gunicorn chosen for an ASGI framework", lock("starlette"), chosen(server.Gunicorn), server.ASGI, server.Gunicorn,
			"WARPDRIVE_SERVER_TYPE; ASGI because the app depends on starlette"},
		{"a chosen WSGI-only server is kept (the import decides)", lock("starlette"), chosen(server.Waitress), server.WSGI, server.Waitress, "WARPDRIVE_SERVER_TYPE"},

		// Without a chosen server, one the app depends on is the server.
		{"an ASGI app that depends on hypercorn", lock("hypercorn", "starlette"), byDefault, server.ASGI, server.Hypercorn,
			"the app depends on hypercorn"},
		{"gunicorn before uvicorn: gunicorn runs uvicorn's worker", lock("fastapi", "gunicorn", "uvicorn"), byDefault, server.ASGI, server.Gunicorn,
			"the app depends on gunicorn"},
		{"an ASGI app with only gunicorn gets gunicorn", lock("starlette", "gunicorn"), byDefault, server.ASGI, server.Gunicorn,
			"the app depends on gunicorn"},
		{"uvicorn before hypercorn", lock("quart", "hypercorn", "uvicorn"), byDefault, server.ASGI, server.Uvicorn, "the app depends on uvicorn"},
		{"Channels with daphne", lock("django", "channels", "daphne"), byDefault, server.ASGI, server.Daphne, "the app depends on daphne"},
		{"a WSGI-only server does not serve an ASGI app", lock("starlette", "waitress"), byDefault, server.ASGI, server.Uvicorn,
			"the default for an ASGI app: it depends on starlette"},
		{"a WSGI app that depends on gunicorn", lock("flask", "gunicorn", "waitress"), byDefault, server.WSGI, server.Gunicorn,
			"the app depends on gunicorn"},
		{"waitress before uwsgi", lock("flask", "uWSGI", "waitress"), byDefault, server.WSGI, server.Waitress, "the app depends on waitress"},
		{"uWSGI, the name normalized", lock("flask", "uWSGI"), byDefault, server.WSGI, server.UWSGI, "the app depends on uwsgi"},
		{"mod-wsgi, the name normalized", lock("flask", "mod-wsgi"), byDefault, server.WSGI, server.ModWSGI, "the app depends on mod_wsgi"},
		{"a lock's declared dependencies, not its pins", app.DependencyPlan{Source: app.FromLock, File: "uv.lock",
			Lock:    lock("fastapi", "hypercorn", "uvicorn").Lock,
			Project: app.Pyproject{Exists: true, Dependencies: []string{"fastapi[standard]", "hypercorn>=0.17"}}},
			byDefault, server.ASGI, server.Hypercorn, "the app depends on hypercorn"},
		{"a chosen server wins over the dependencies", lock("starlette", "hypercorn"), chosen(server.Gunicorn), server.ASGI, server.Gunicorn,
			"WARPDRIVE_SERVER_TYPE; ASGI because the app depends on starlette"},
		{"a chosen WSGI server wins over a WSGI dependency", lock("flask", "gunicorn"), chosen(server.ModWSGI), server.WSGI, server.ModWSGI,
			"WARPDRIVE_SERVER_TYPE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, name, why := chooseProtocol(tt.plan, tt.config, tt.config.ServerType, tt.config.ServerTypeSource)
			if p != tt.wantProtocol || name != tt.wantServer || why != tt.wantWhy {
				t.Errorf("got %s %s (%s), want %s %s (%s)", p, name, why, tt.wantProtocol, tt.wantServer, tt.wantWhy)
			}
		})
	}
}

// The requirements files are read as pip would: the server a nested file
// names counts, whatever the spelling.
func TestChooseProtocolFromRequirements(t *testing.T) {
	home := t.TempDir()
	os.WriteFile(filepath.Join(home, "requirements.txt"), []byte("starlette>=0.40\n-r servers.txt\n"), 0o644)
	os.WriteFile(filepath.Join(home, "servers.txt"), []byte("Hypercorn[h3]==0.17.3\n"), 0o644)
	plan := app.DependencyPlan{Source: app.FromRequirements, File: "requirements.txt", Roots: []string{"requirements.txt"}}
	c := app.Config{Source: app.Source{Root: home, Home: home}, ServerType: server.ModWSGI, ServerTypeSource: "the default"}
	p, name, why := chooseProtocol(plan, c, c.ServerType, c.ServerTypeSource)
	if p != server.ASGI || name != server.Hypercorn || why != "the app depends on hypercorn" {
		t.Errorf("got %s %s (%s), want asgi hypercorn (the app depends on hypercorn)", p, name, why)
	}
}

func TestCheckProtocol(t *testing.T) {
	ep := app.EntryPoint{Module: "main", Attr: "app"}
	tests := []struct {
		name     string
		server   string
		protocol server.Protocol
		kind     string
		wantErr  string
		wantASGI bool
	}{
		{"ASGI app, uvicorn", server.Uvicorn, server.ASGI, "asgi", "", true},
		{"WSGI app, mod_wsgi", server.ModWSGI, server.WSGI, "wsgi", "", false},
		{"a factory: the dependencies decide", server.Uvicorn, server.ASGI, "unknown", "", true},
		{"an import that failed: the dependencies decide", server.ModWSGI, server.WSGI, "", "", false},
		{"ASGI app, waitress", server.Waitress, server.WSGI, "asgi", "main:app is an ASGI application, but the server waitress", false},
		{"ASGI app found by the import only, default mod_wsgi", server.ModWSGI, server.WSGI, "asgi", "cannot serve ASGI", false},
		{"ASGI app, gunicorn chosen without an ASGI dependency", server.Gunicorn, server.WSGI, "asgi", "the server gunicorn", false},
		{"WSGI app, uvicorn", server.Uvicorn, server.ASGI, "wsgi", "main:app is a WSGI application, but the server uvicorn", false},
		{"WSGI app, gunicorn chosen for ASGI", server.Gunicorn, server.ASGI, "wsgi", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := stepFor(app.ModeWSGI, tt.server, server.Entry{})
			s.protocol = tt.protocol
			s.config.ServerTypeSource = "WARPDRIVE_SERVER_TYPE"
			err := s.checkProtocol(ep, tt.kind)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			case tt.wantErr == "" && s.entry.ASGI != tt.wantASGI:
				t.Errorf("entry.ASGI = %v, want %v", s.entry.ASGI, tt.wantASGI)
			}
		})
	}
}

func TestDjangoASGIApplication(t *testing.T) {
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, "mysite"), 0o755)
	os.WriteFile(filepath.Join(home, "mysite", "asgi.py"), []byte("application = None\n"), 0o644)
	tests := []struct {
		name     string
		settings layers.DjangoSettings
		want     string
	}{
		{"Channels' ASGI_APPLICATION", layers.DjangoSettings{ASGIApplication: "routing.app", WSGIApplication: "mysite.wsgi.application"}, "routing app"},
		{"asgi.py beside wsgi.py", layers.DjangoSettings{WSGIApplication: "mysite.wsgi.application"}, "mysite.asgi application"},
		{"no asgi.py beside it", layers.DjangoSettings{WSGIApplication: "other.wsgi.application"}, ""},
		{"a WSGI module not named wsgi", layers.DjangoSettings{WSGIApplication: "mysite.server.application"}, ""},
	}
	for _, tt := range tests {
		module, callable, ok := djangoASGIApplication(home, tt.settings.ASGIApplication, tt.settings.WSGIApplication)
		got := ""
		if ok {
			got = module + " " + callable
		}
		if got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}
