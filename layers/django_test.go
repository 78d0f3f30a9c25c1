package layers

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/warpdrive-buildpack/warpdrive/internal/testpython"
)

func TestNormalizeStaticURL(t *testing.T) {
	tests := map[string]string{
		"":                       "/static/",
		"static/":                "/static/",
		"/static/":               "/static/",
		"/assets":                "/assets/",
		"https://cdn.example/s/": "",
		"//cdn.example/s/":       "",
		"/app/static/":           "/app/static/",
	}
	for in, want := range tests {
		if got := NormalizeStaticURL(in); got != want {
			t.Errorf("NormalizeStaticURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSplitWSGIApplication(t *testing.T) {
	tests := []struct {
		in, module, callable string
		ok                   bool
	}{
		{"mysite.wsgi.application", "mysite.wsgi", "application", true},
		{"wsgi.app", "wsgi", "app", true},
		{"application", "", "", false},
		{"", "", "", false},
		{"mysite.wsgi.", "", "", false},
	}
	for _, tt := range tests {
		m, c, ok := SplitWSGIApplication(tt.in)
		if m != tt.module || c != tt.callable || ok != tt.ok {
			t.Errorf("SplitWSGIApplication(%q) = %q, %q, %v", tt.in, m, c, ok)
		}
	}
}

// fakeDjango writes a minimal stand-in for django.conf.settings (a lazy object
// that imports the settings module) so the probe script itself is exercised
// with a real interpreter; the integration tests probe real Django.
const fakeDjango = `
import importlib, os
class _Settings:
    def __getattr__(self, name):
        mod = importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
        if name == "SETTINGS_MODULE":
            return mod.__name__
        return getattr(mod, name)
settings = _Settings()
`

func TestProbeDjango(t *testing.T) {
	python := testpython.Path(t)
	// Python writes bytecode by default, whatever this machine's environment
	// says: the check below that the probe writes none must not pass by it.
	t.Setenv("PYTHONDONTWRITEBYTECODE", "")
	os.Unsetenv("PYTHONDONTWRITEBYTECODE")
	tests := []struct {
		name     string
		settings string
		want     DjangoSettings
		wantErr  string
	}{
		{"startproject defaults", "print('settings may print')\nWSGI_APPLICATION = 'mysite.wsgi.application'\nSTATIC_URL = 'static/'\nINSTALLED_APPS = ['django.contrib.staticfiles']\n",
			DjangoSettings{SettingsModule: "mysite.settings", WSGIApplication: "mysite.wsgi.application", StaticURL: "static/", StaticFiles: true}, ""},
		{"static root set", "from pathlib import Path\nWSGI_APPLICATION = 'mysite.wsgi.application'\nSTATIC_URL = '/assets/'\nSTATIC_ROOT = Path('/srv/static')\nINSTALLED_APPS = []\n",
			DjangoSettings{SettingsModule: "mysite.settings", WSGIApplication: "mysite.wsgi.application", StaticURL: "/assets/", StaticRoot: "/srv/static"}, ""},
		// Django's default STATIC_URL is None: the probe says so, not /static/.
		{"no STATIC_URL", "WSGI_APPLICATION = 'mysite.wsgi.application'\nINSTALLED_APPS = ['django.contrib.staticfiles']\n",
			DjangoSettings{SettingsModule: "mysite.settings", WSGIApplication: "mysite.wsgi.application", StaticFiles: true}, ""},
		{"settings that fail to import", "import os\nSECRET_KEY = os.environ['SECRET_KEY']\n", DjangoSettings{}, "KeyError: 'SECRET_KEY'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			for rel, src := range map[string]string{"django/__init__.py": "", "django/conf.py": fakeDjango,
				"mysite/__init__.py": "", "mysite/settings.py": tt.settings} {
				os.MkdirAll(filepath.Join(home, filepath.Dir(rel)), 0o755)
				os.WriteFile(filepath.Join(home, rel), []byte(src), 0o644)
			}
			got, err := ProbeDjango(python, home, "mysite.settings")
			if tt.wantErr != "" {
				var de DjangoSettingsError
				if !errors.As(err, &de) || !strings.Contains(strings.Join(de.Tail, "\n"), tt.wantErr) {
					t.Fatalf("err = %v, want a DjangoSettingsError whose traceback has %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// The probe lists what it read, so an edit elsewhere needs no probe.
			if !slices.Contains(got.Reads, filepath.Join("mysite", "settings.py")) {
				t.Errorf("the probe's reads %v lack mysite/settings.py", got.Reads)
			}
			got.Reads = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
			// The probe must not write into the application: its tree is
			// hashed to decide whether collectstatic's output is reusable.
			if caches, _ := filepath.Glob(filepath.Join(home, "*", "__pycache__")); len(caches) > 0 {
				t.Errorf("the probe wrote bytecode into the application: %v", caches)
			}
		})
	}
}
