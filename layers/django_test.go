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
			got, err := ProbeDjango(python, home, "mysite.settings", false)
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

// fakeChecks stands in for django.setup() and django.core.checks: setup
// imports an app's models (as Django's does), run_checks reports DEBUG and a
// silenced finding, or fails when the settings say so.
var fakeChecks = map[string]string{
	"django/__init__.py": "def setup():\n    import mysite.models\n",
	"django/core/__init__.py": "",
	"django/core/checks.py": `DEBUG, INFO, WARNING, ERROR = 10, 20, 30, 40
class Tags:
    security = "security"
class CheckMessage:
    def __init__(self, level, msg, hint=None, id=None, silenced=False):
        self.level, self.msg, self.hint, self.id, self.silenced = level, msg, hint, id, silenced
    def is_silenced(self):
        return self.silenced
def run_checks(tags=None, include_deployment_checks=False):
    from django.conf import settings
    assert tags == ["security"] and include_deployment_checks
    if getattr(settings, "BROKEN", False):
        raise RuntimeError("a check failed")
    found = [CheckMessage(WARNING, "HSTS is not set.", id="security.W004", silenced=True)]
    if settings.DEBUG:
        found.append(CheckMessage(WARNING, "You should not have DEBUG set to True in deployment.", id="security.W018"))
    return found
`,
	"mysite/__init__.py": "",
	"mysite/models.py":   "",
}

func TestProbeDjangoRunsTheDeploymentChecks(t *testing.T) {
	python := testpython.Path(t)
	tests := []struct {
		name, settings string
		deployCheck    bool
		want           []DeployCheck
		wantErr        string
	}{
		{"DEBUG on", "DEBUG = True\nINSTALLED_APPS = []\n", true,
			[]DeployCheck{{ID: "security.W018", Level: "WARNING", Msg: "You should not have DEBUG set to True in deployment."}}, ""},
		{"nothing found but a silenced one", "DEBUG = False\nINSTALLED_APPS = []\n", true, nil, ""},
		{"checks that fail", "DEBUG = False\nBROKEN = True\nINSTALLED_APPS = []\n", true, nil, "RuntimeError: a check failed"},
		{"not asked for", "DEBUG = True\nINSTALLED_APPS = []\n", false, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			files := map[string]string{"django/conf.py": fakeDjango, "mysite/settings.py": tt.settings}
			for rel, src := range fakeChecks {
				files[rel] = src
			}
			for rel, src := range files {
				must(t, os.MkdirAll(filepath.Join(home, filepath.Dir(rel)), 0o755))
				must(t, os.WriteFile(filepath.Join(home, rel), []byte(src), 0o644))
			}
			got, err := ProbeDjango(python, home, "mysite.settings", tt.deployCheck)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.DeployChecks) == 0 {
				got.DeployChecks = nil
			}
			if !reflect.DeepEqual(got.DeployChecks, tt.want) || got.DeployCheckError != tt.wantErr {
				t.Errorf("checks %+v, error %q; want %+v, %q", got.DeployChecks, got.DeployCheckError, tt.want, tt.wantErr)
			}
			// What Django's setup imported does not invalidate the settings' record.
			if slices.Contains(got.Reads, filepath.Join("mysite", "models.py")) {
				t.Errorf("the reads %v have mysite/models.py, which only django.setup() imported", got.Reads)
			}
		})
	}
}
