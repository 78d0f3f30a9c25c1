package build

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/internal/testpython"
	"github.com/warpdrive-buildpack/warpdrive/layers"
	"github.com/warpdrive-buildpack/warpdrive/server"
)

// entryStep is a step whose "venv" is the host's python3, for an app in home.
func entryStep(t *testing.T, home string, entry app.EntryPoint) *step {
	t.Helper()
	python := testpython.Path(t)
	venv := t.TempDir()
	os.MkdirAll(filepath.Join(venv, "bin"), 0o755)
	if err := os.Symlink(python, filepath.Join(venv, "bin", "python")); err != nil {
		t.Fatal(err)
	}
	s := stepFor(app.ModeWSGI, "gunicorn", server.Entry{Home: home})
	s.config.Source = app.Source{Root: home, Home: home}
	s.launch.Entry = entry
	s.venv = venv
	s.ctx = libcnb.BuildContext{Layers: libcnb.Layers{Path: "/layers/warpdrive"}}
	return s
}

func TestEntryPoint(t *testing.T) {
	home := t.TempDir()
	os.WriteFile(filepath.Join(home, "server.py"), []byte("def app(environ, start_response):\n    pass\n"), 0o644)
	os.WriteFile(filepath.Join(home, "main.py"), []byte("def application(environ, start_response):\n    pass\n"), 0o644)
	os.WriteFile(filepath.Join(home, "factory.py"), []byte("def create_app(name=None):\n    raise SystemExit('must not be called at build')\n"), 0o644)
	os.WriteFile(filepath.Join(home, "dotted.py"), []byte("class App:\n    def wsgi_app(self, environ, start_response):\n        pass\napp = App()\n"), 0o644)
	os.WriteFile(filepath.Join(home, "needsenv.py"), []byte("import os\nSECRET = os.environ['SECRET_ONLY_AT_RUN']\n"), 0o644)
	tests := []struct {
		name      string
		entry     app.EntryPoint
		module    string
		callable  string
		generated bool
		err       string
		log       string
	}{
		{"a callable that exists", app.EntryPoint{Module: "server", Attr: "app"}, "server", "app", false, "", "WSGI entry point: server:app"},
		{"main.py's application, when it has no app", app.EntryPoint{Module: "main"}, "main", "application", false, "", "WSGI entry point: main:application"},
		{"a factory, through the generated module", app.EntryPoint{Module: "factory", Attr: "create_app", Call: true, Args: "'prod'"},
			layers.EntryModule, "application", true, "", "is a factory: the server loads warpdrive_entry:application"},
		{"a dotted attribute, through the generated module", app.EntryPoint{Module: "dotted", Attr: "app.wsgi_app"},
			layers.EntryModule, "application", true, "", "dotted:app.wsgi_app is a dotted name: the server loads warpdrive_entry:application"},
		{"a name the module lacks", app.EntryPoint{Module: "server", Attr: "application"}, "", "", false, "module server has no attribute application", ""},
		{"an import that needs the runtime's variables is a warning", app.EntryPoint{Module: "needsenv", Attr: "app"}, "needsenv", "app", false, "",
			"KeyError: 'SECRET_ONLY_AT_RUN'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := entryStep(t, home, tt.entry)
			var out bytes.Buffer
			err := Build{Logger: log.NewPaketoLogger(&out)}.entryPoint(s)
			if tt.err != "" {
				var ce app.CallableError
				if !errors.As(err, &ce) || err.Error() != tt.err || !strings.Contains(strings.Join(ce.Candidates, " "), "app") {
					t.Fatalf("err = %v, want %q with the candidates", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.entry.Module != tt.module || s.entry.Callable != tt.callable || (s.entryModule != nil) != tt.generated {
				t.Errorf("entry %s:%s entry module %v, want %s:%s %v", s.entry.Module, s.entry.Callable, s.entryModule, tt.module, tt.callable, tt.generated)
			}
			if !strings.Contains(out.String(), tt.log) {
				t.Errorf("log lacks %q:\n%s", tt.log, out.String())
			}
			if tt.generated && (len(s.entry.PythonPath) != 1 || s.entry.PythonPath[0] != "/layers/warpdrive/environment/python") {
				t.Errorf("python path = %v", s.entry.PythonPath)
			}
		})
	}
}
