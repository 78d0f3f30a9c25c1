package layers

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/internal/testpython"
	"github.com/warpdrive-buildpack/warpdrive/reuse"
	"github.com/warpdrive-buildpack/warpdrive/stepcache"
)

// collectstatic imports the application (here a manage.py that imports its
// settings), and must leave no bytecode in it: the application directory is
// the image's app layer, which would then differ between a build that ran
// collectstatic and one that reused its output.
func TestCollectstaticWritesNoBytecode(t *testing.T) {
	python := testpython.Path(t)
	// Python writes bytecode by default: not whatever this machine's
	// environment says (it may set PYTHONDONTWRITEBYTECODE itself).
	t.Setenv("PYTHONDONTWRITEBYTECODE", "")
	os.Unsetenv("PYTHONDONTWRITEBYTECODE")
	home := t.TempDir()
	for rel, src := range map[string]string{
		"manage.py":          "import mysite.settings\nprint('0 static files copied')\n",
		"mysite/__init__.py": "",
		"mysite/settings.py": "STATIC_URL = '/static/'\n",
	} {
		must(t, os.MkdirAll(filepath.Join(home, filepath.Dir(rel)), 0o755))
		must(t, os.WriteFile(filepath.Join(home, rel), []byte(src), 0o644))
	}
	var logBuf bytes.Buffer
	reads, err := Collectstatic(fakeVenv(t, python), home, nil, log.NewPaketoLogger(&logBuf))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(reads, filepath.Join("mysite", "settings.py")) {
		t.Errorf("collectstatic's reads %v lack mysite/settings.py", reads)
	}
	if caches, _ := filepath.Glob(filepath.Join(home, "*", "__pycache__")); len(caches) > 0 {
		t.Errorf("collectstatic wrote bytecode into the application: %v", caches)
	}
}

// fakeVenv is a directory laid out as a venv: bin/python is the given
// interpreter, bin/venvtool a program only the venv has.
func fakeVenv(t *testing.T, python string) string {
	venv := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(venv, "bin"), 0o755))
	must(t, os.Symlink(python, filepath.Join(venv, "bin", "python")))
	must(t, os.WriteFile(filepath.Join(venv, "bin", "venvtool"), []byte("#!/bin/sh\n"), 0o755))
	return venv
}

// collectstatic runs as in an activated venv, and a failure carries what
// Python printed, the traceback on stderr included (it comes after the
// script's own last line).
func TestCollectstaticOutput(t *testing.T) {
	python := testpython.Path(t)
	tests := []struct {
		name, manage string
		// fails: collectstatic's error must quote want; else the log must.
		fails bool
		want  []string
	}{
		{"an exception's message reaches the error",
			"class ImproperlyConfigured(Exception): pass\nprint('copying')\nraise ImproperlyConfigured(\"You're using the staticfiles app without having set the required STATIC_URL setting.\")\n",
			true, []string{"copying", "Traceback (most recent call last):", "ImproperlyConfigured: You're using the staticfiles app without having set the required STATIC_URL setting."}},
		{"sys.exit with a message", "import sys\nsys.exit('CommandError: no static files')\n",
			true, []string{"CommandError: no static files"}},
		{"the venv is active", "import os, shutil\nprint('VIRTUAL_ENV=' + os.environ.get('VIRTUAL_ENV', ''))\nprint('tool=' + str(shutil.which('venvtool')))\n",
			false, []string{"VIRTUAL_ENV=<venv>", "tool=<venv>/bin/venvtool"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home, venv := t.TempDir(), fakeVenv(t, python)
			must(t, os.WriteFile(filepath.Join(home, "manage.py"), []byte(tt.manage), 0o644))
			var logBuf bytes.Buffer
			_, err := Collectstatic(venv, home, nil, log.NewPaketoLogger(&logBuf))
			got := logBuf.String()
			if tt.fails {
				var ce CollectstaticError
				if !errors.As(err, &ce) {
					t.Fatalf("err = %v, want a CollectstaticError", err)
				}
				got = strings.Join(ce.Tail, "\n")
			} else if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if w = strings.ReplaceAll(w, "<venv>", venv); !strings.Contains(got, w) {
					t.Errorf("output lacks %q:\n%s", w, got)
				}
			}
			if strings.Contains(got, readsMarker) {
				t.Errorf("output shows the reads line:\n%s", got)
			}
		})
	}
}

// Settings without STATIC_ROOT: collectstatic runs through the shim into
// the layer, and the layer is reused, running no Python, until a file
// collectstatic read changes.
func TestStaticCollectsThroughTheShimUntilWhatItReadChanges(t *testing.T) {
	venv := fakeVenv(t, testpython.Path(t))
	home := t.TempDir()
	for rel, src := range map[string]string{
		"manage.py": "import importlib, os, pathlib\n" +
			"s = importlib.import_module(os.environ['DJANGO_SETTINGS_MODULE'])\n" +
			"root = pathlib.Path(s.STATIC_ROOT)\nroot.mkdir(parents=True, exist_ok=True)\n" +
			"(root / 'app.css').write_text(open('static/app.css').read())\nprint('1 static file copied')\n",
		"mysite/__init__.py": "",
		"mysite/settings.py": "STATIC_URL = '/static/'\n",
		"static/app.css":     "body {}\n",
	} {
		must(t, os.MkdirAll(filepath.Join(home, filepath.Dir(rel)), 0o755))
		must(t, os.WriteFile(filepath.Join(home, rel), []byte(src), 0o644))
	}
	dir := t.TempDir()
	layers := &libcnb.Layers{Path: dir}
	var out bytes.Buffer
	needed := 0
	s := Static{Venv: venv, Home: home, Settings: DjangoSettings{SettingsModule: "mysite.settings"}, Inputs: map[string]string{"packages": "1"},
		Probes: stepcache.Load(reuse.Snapshots{Dir: t.TempDir()}), Need: func() error { needed++; return nil }, Logger: log.NewPaketoLogger(&out)}
	contribute := func() string {
		t.Helper()
		layer, root, err := s.Contribute(layers)
		must(t, err)
		if !layer.Launch || layer.Cache || root != filepath.Join(layer.Path, StaticDirName) {
			t.Errorf("layer %+v with STATIC_ROOT %s, want a launch layer holding it", layer.LayerTypes, root)
		}
		storeLayerMetadata(t, dir, layer)
		css, _ := os.ReadFile(filepath.Join(root, "app.css"))
		return string(css)
	}
	if css := contribute(); css != "body {}\n" || needed != 1 {
		t.Fatalf("collected %q, Python unpacked %d times:\n%s", css, needed, out.String())
	}
	contribute()
	if needed != 1 || !strings.Contains(out.String(), "Django static files: Reusing cached layer") {
		t.Errorf("an unchanged app ran collectstatic again:\n%s", out.String())
	}
	must(t, os.WriteFile(filepath.Join(home, "static", "app.css"), []byte("body { color: red }\n"), 0o644))
	if css := contribute(); css != "body { color: red }\n" || needed != 2 {
		t.Errorf("after an edit collected %q, Python unpacked %d times", css, needed)
	}
	if want := "Contributing to layer (" + filepath.Join("static", "app.css") + " changed)"; !strings.Contains(out.String(), want) {
		t.Errorf("the log lacks %q:\n%s", want, out.String())
	}
}
