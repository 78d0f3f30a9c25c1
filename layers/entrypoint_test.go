package layers

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/internal/testpython"
)

// fakeFlask stands in for Flask: what the probe recognises is an instance of a
// class defined in a module named flask or flask.*.
const fakeFlask = `
class Flask:
    def __init__(self, name):
        self.name = name
    def __call__(self, environ, start_response):
        return self.wsgi_app(environ, start_response)
    def wsgi_app(self, environ, start_response):
        return []
`

func TestProbeEntryPoint(t *testing.T) {
	python := testpython.Path(t)
	// Without this the bytecode check below would pass whatever the probe does
	// when the environment running the tests already disables bytecode.
	t.Setenv("PYTHONDONTWRITEBYTECODE", "")

	tests := []struct {
		name  string
		files map[string]string
		entry string
		env   map[string]string
		// timeout is 10 s unless set.
		timeout time.Duration
		want    EntryProbe
		// wantImportError is a fragment of ImportError (which is compared only this way).
		wantImportError string
	}{
		{name: "plain WSGI function, with output and a helper module",
			files: map[string]string{
				"server.py":  "import helpers\nprint('starting up')\ndef application(environ, start_response):\n    return helpers.body()\n",
				"helpers.py": "def body():\n    return [b'hi']\n",
			},
			entry: "server:application",
			want:  EntryProbe{Found: true, Kind: "wsgi", Candidates: []string{"application"}}},
		{name: "framework object found by its class's module",
			files: map[string]string{
				"flask/__init__.py": fakeFlask,
				"portal.py":         "from flask import Flask\nsite = Flask(__name__)\ndef helper():\n    pass\n",
			},
			entry: "portal:site",
			// Flask (the class) and helper are callables too, but not applications.
			want: EntryProbe{Found: true, Kind: "wsgi", Candidates: []string{"site"}}},
		{name: "framework class in a submodule, dotted attribute",
			files: map[string]string{
				"bottle/__init__.py": "",
				"bottle/core.py":     "class Bottle:\n    def __call__(self, e, s):\n        return []\n    def wsgi(self, e, s):\n        return []\n",
				"web/__init__.py":    "",
				"web/main.py":        "from bottle.core import Bottle\nroot = Bottle()\n",
			},
			entry: "web.main:root.wsgi",
			want:  EntryProbe{Found: true, Kind: "wsgi", Candidates: []string{"root"}}},
		{name: "missing attribute lists the candidates",
			files: map[string]string{"server.py": "import os\ndef app(environ, start_response):\n    return []\nconfig = {}\n"},
			entry: "server:application",
			want:  EntryProbe{Found: false, Candidates: []string{"app"}}},
		{name: "attribute that is not callable",
			files: map[string]string{"server.py": "app = 'not an application'\n"},
			entry: "server:app",
			want:  EntryProbe{Found: false}},
		{name: "async function is ASGI",
			files: map[string]string{"asgi.py": "async def app(scope, receive, send):\n    pass\n"},
			entry: "asgi:app",
			want:  EntryProbe{Found: true, Kind: "asgi", Candidates: []string{"app"}}},
		{name: "object with an async __call__ is ASGI",
			files: map[string]string{"asgi.py": "class App:\n    async def __call__(self, scope, receive, send):\n        pass\napi = App()\n"},
			entry: "asgi:api",
			want:  EntryProbe{Found: true, Kind: "asgi", Candidates: []string{"api"}}},
		{name: "factory is found but not called",
			files: map[string]string{"flaskr/__init__.py": "import os\ndef create_app(config=None):\n    os._exit(7)  # calling the factory would kill the probe\ndef make_app():\n    pass\n"},
			entry: "flaskr:create_app('production')",
			want:  EntryProbe{Found: true, Kind: "unknown", Candidates: []string{"create_app", "make_app"}}},
		{name: "missing factory",
			files: map[string]string{"flaskr/__init__.py": "def make_app():\n    pass\n"},
			entry: "flaskr:create_app()",
			want:  EntryProbe{Found: false, Candidates: []string{"make_app"}}},
		{name: "the application sees no probe arguments",
			files: map[string]string{"server.py": "import sys\nassert sys.argv[1:] == [], sys.argv\ndef app(e, s):\n    return []\n"},
			entry: "server:app",
			want:  EntryProbe{Found: true, Kind: "wsgi", Candidates: []string{"app"}}},
		{name: "extra environment reaches the import",
			files: map[string]string{"server.py": "import os\nSECRET = os.environ['SECRET_KEY']\ndef app(e, s):\n    return []\n"},
			entry: "server:app",
			env:   map[string]string{"SECRET_KEY": "build-time"},
			want:  EntryProbe{Found: true, Kind: "wsgi", Candidates: []string{"app"}}},
		{name: "import that raises",
			files:           map[string]string{"server.py": "import os\nDB = os.environ['DATABASE_URL_FOR_PROBE_TEST']\ndef app(e, s):\n    return []\n"},
			entry:           "server:app",
			wantImportError: "KeyError: 'DATABASE_URL_FOR_PROBE_TEST'"},
		{name: "import that raises deep in the application",
			files: map[string]string{
				"server.py":       "import lib.a\n",
				"lib/__init__.py": "", "lib/a.py": "import lib.b\n", "lib/b.py": "import lib.c\n",
				"lib/c.py": "raise RuntimeError('no config file')\n",
			},
			entry:           "server:app",
			wantImportError: "RuntimeError: no config file"},
		{name: "missing module",
			files:           map[string]string{},
			entry:           "nosuchmodule:app",
			wantImportError: "ModuleNotFoundError: No module named 'nosuchmodule'"},
		{name: "sys.exit at import",
			files:           map[string]string{"server.py": "import sys\nsys.exit('refusing to start without a config')\n"},
			entry:           "server:app",
			wantImportError: "SystemExit: refusing to start without a config"},
		{name: "interpreter dying during the import",
			files:           map[string]string{"server.py": "import os\nprint('loading native code', flush=True)\nos._exit(3)\n"},
			entry:           "server:app",
			wantImportError: "loading native code\npython exited while importing server: exit status 3"},
		{name: "import that hangs",
			files:   map[string]string{"server.py": "import time\ntime.sleep(5)\n"},
			entry:   "server:app",
			timeout: time.Second,
			want:    EntryProbe{TimedOut: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			for rel, src := range tt.files {
				os.MkdirAll(filepath.Join(home, filepath.Dir(rel)), 0o755)
				os.WriteFile(filepath.Join(home, rel), []byte(src), 0o644)
			}
			ep, err := app.ParseEntryPoint(tt.entry)
			if err != nil {
				t.Fatal(err)
			}
			timeout := tt.timeout
			if timeout == 0 {
				timeout = 10 * time.Second
			}
			start := time.Now()
			got, err := ProbeEntryPoint(python, home, ep, timeout, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if elapsed := time.Since(start); elapsed > timeout+3*time.Second {
				t.Errorf("the probe took %s with a timeout of %s", elapsed, timeout)
			}
			if tt.wantImportError != "" {
				if !strings.Contains(got.ImportError, tt.wantImportError) || got.Found {
					t.Fatalf("got %+v, want an ImportError containing %q", got, tt.wantImportError)
				}
				if n := strings.Count(got.ImportError, "\n") + 1; n > importErrorLines {
					t.Errorf("ImportError has %d lines, want at most %d", n, importErrorLines)
				}
			} else if got.ImportError != "" {
				t.Fatalf("unexpected ImportError:\n%s", got.ImportError)
			}
			if got.Found != tt.want.Found || got.Kind != tt.want.Kind || got.TimedOut != tt.want.TimedOut ||
				!slices.Equal(got.Candidates, tt.want.Candidates) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
			// The probe must not write into the application: its tree is
			// hashed to decide what is reusable.
			filepath.WalkDir(home, func(path string, d fs.DirEntry, err error) error {
				if err == nil && d.Name() == "__pycache__" {
					t.Errorf("the probe wrote bytecode into the application: %s", path)
				}
				return err
			})
		})
	}
}

// TestProbeEntryPointKillsChildren: a process the import starts in the
// background shares the output pipe; it must not keep the probe waiting past
// its timeout, nor outlive it.
func TestProbeEntryPointKillsChildren(t *testing.T) {
	python := testpython.Path(t)
	home := t.TempDir()
	pidFile := filepath.Join(home, "child.pid")
	src := "import subprocess, sys, time\n" +
		"p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)'])\n" +
		"open('child.pid', 'w').write(str(p.pid))\n" +
		"time.sleep(30)\n"
	os.WriteFile(filepath.Join(home, "server.py"), []byte(src), 0o644)

	start := time.Now()
	got, err := ProbeEntryPoint(python, home, app.EntryPoint{Module: "server", Attr: "app"}, 2*time.Second, nil)
	if err != nil || !got.TimedOut {
		t.Fatalf("got %+v, %v; want TimedOut", got, err)
	}
	if elapsed := time.Since(start); elapsed > 6*time.Second {
		t.Errorf("the probe took %s with a timeout of 2s", elapsed)
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	// Once killed, the child is a zombie or gone; a live one would still have its command line.
	deadline := time.Now().Add(3 * time.Second)
	for {
		status, err := os.ReadFile(filepath.Join("/proc", strings.TrimSpace(string(data)), "status"))
		if err != nil || strings.Contains(string(status), "State:\tZ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the import's child process %s is still running", data)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestProbeEntryPointCannotRun(t *testing.T) {
	ep := app.EntryPoint{Module: "server", Attr: "app"}
	var pe EntryProbeError
	if _, err := ProbeEntryPoint(filepath.Join(t.TempDir(), "no-python"), t.TempDir(), ep, time.Second, nil); !errors.As(err, &pe) {
		t.Errorf("missing interpreter: err = %v, want an EntryProbeError", err)
	}
	// An interpreter that runs but is not Python prints no result.
	if sh, err := exec.LookPath("true"); err == nil {
		if _, err := ProbeEntryPoint(sh, t.TempDir(), ep, time.Second, nil); !errors.As(err, &pe) || !strings.Contains(err.Error(), "no result") {
			t.Errorf("not python: err = %v, want an EntryProbeError saying it printed no result", err)
		}
	}
}

func TestLastLines(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"", 3, ""},
		{"a\nb\nc\n", 2, "b\nc"},
		{"a\nb", 5, "a\nb"},
	}
	for _, tt := range tests {
		if got := lastLines(tt.in, tt.n); got != tt.want {
			t.Errorf("lastLines(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
