package app

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestReadManagePy(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		django   bool
		settings string
		line     string
	}{
		{"startproject's line", managePy, true, "mysite.settings", ""},
		{"double quotes, a nested settings package", `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")`, true, "config.settings.local", ""},
		{"the call over several lines", "os.environ.setdefault(\n    \"DJANGO_SETTINGS_MODULE\",\n    \"config.settings.production\",\n)\n", true, "config.settings.production", ""},
		{"an assignment", `os.environ["DJANGO_SETTINGS_MODULE"] = "mysite.settings"  # always`, true, "mysite.settings", ""},
		{"an f-string", "import os\nPROJECT = 'mysite'\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', f'{PROJECT}.settings')\n", true, "",
			"os.environ.setdefault('DJANGO_SETTINGS_MODULE', f'{PROJECT}.settings')"},
		{"a variable", "os.environ.setdefault('DJANGO_SETTINGS_MODULE', SETTINGS)\n", true, "", "os.environ.setdefault('DJANGO_SETTINGS_MODULE', SETTINGS)"},
		{"a string that is only the start of the name", "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.' + ENV)\n", true, "",
			"os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.' + ENV)"},
		{"a lookup, after a comment", "# DJANGO_SETTINGS_MODULE must be set\nmodule = os.environ['DJANGO_SETTINGS_MODULE']\n", true, "",
			"module = os.environ['DJANGO_SETTINGS_MODULE']"},
		{"not Django", "print('hi')\n", false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := ReadManagePy(writeTree(t, map[string]string{"manage.py": tt.src}))
			if ok != tt.django || m.Settings != tt.settings || m.Line != tt.line {
				t.Errorf("got %+v %v, want settings %q line %q django %v", m, ok, tt.settings, tt.line, tt.django)
			}
		})
	}
}

func TestDjangoWSGIBeside(t *testing.T) {
	wsgi := "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n"
	tests := []struct {
		name     string
		files    map[string]string
		settings string
		want     string
		looked   []string
	}{
		{"startproject", map[string]string{"mysite/wsgi.py": wsgi}, "mysite.settings", "mysite.wsgi.application", []string{"mysite/wsgi.py"}},
		{"a settings package: the project's wsgi.py", map[string]string{"config/wsgi.py": wsgi}, "config.settings.production",
			"config.wsgi.application", []string{"config/settings/wsgi.py", "config/wsgi.py"}},
		{"the nearest wsgi.py wins", map[string]string{"config/wsgi.py": wsgi, "config/settings/wsgi.py": wsgi}, "config.settings.production",
			"config.settings.wsgi.application", []string{"config/settings/wsgi.py"}},
		{"top-level settings", map[string]string{"wsgi.py": wsgi}, "settings", "wsgi.application", []string{"wsgi.py"}},
		{"a wsgi.py without application", map[string]string{"mysite/wsgi.py": "app = None\n"}, "mysite.settings", "", []string{"mysite/wsgi.py", "wsgi.py"}},
		{"none", map[string]string{"mysite/settings.py": ""}, "mysite.settings", "", []string{"mysite/wsgi.py", "wsgi.py"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, looked := DjangoWSGIBeside(writeTree(t, tt.files), tt.settings)
			if got != tt.want || !reflect.DeepEqual(looked, tt.looked) {
				t.Errorf("got %q (looked %v), want %q (%v)", got, looked, tt.want, tt.looked)
			}
		})
	}
}

// A Django project below the source's root becomes the home when the root
// has no entry point of its own; the root's requirements.txt serves a home
// without dependency files.
func TestReadSourceFindsDjangoHome(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		link     bool // manage.py -> backend/manage.py
		env      map[string]string
		home     string
		why      string
		packages string
		err      error
	}{
		{"backend/manage.py", map[string]string{"README.md": "", "backend/manage.py": managePy, "backend/requirements.txt": "", "frontend/package.json": "{}"},
			false, nil, "backend", "the root has no entry point, and backend/manage.py names DJANGO_SETTINGS_MODULE", "requirements.txt", nil},
		{"the root's requirements.txt", map[string]string{"requirements.txt": "", "mysite/manage.py": managePy},
			false, nil, "mysite", "the root has no entry point, and mysite/manage.py names DJANGO_SETTINGS_MODULE", "../requirements.txt", nil},
		{"a home with its own pyproject.toml keeps it", map[string]string{"requirements.txt": "", "mysite/manage.py": managePy, "mysite/pyproject.toml": ""},
			false, nil, "mysite", "the root has no entry point, and mysite/manage.py names DJANGO_SETTINGS_MODULE", "requirements.txt", nil},
		{"a symlinked manage.py", map[string]string{"backend/manage.py": managePy, "requirements.txt": ""},
			true, nil, "backend", "manage.py is a symlink to backend/manage.py", "../requirements.txt", nil},
		{"several projects", map[string]string{"a/manage.py": managePy, "b/manage.py": managePy},
			false, nil, "", "", "", HomeAmbiguousError{Candidates: []string{"a", "b"}}},
		{"several, with .warpdrive/home", map[string]string{"a/manage.py": managePy, "b/manage.py": managePy, ".warpdrive/home": "b\n"},
			false, nil, "b", "", "requirements.txt", nil},
		{"the root's own manage.py", map[string]string{"manage.py": managePy, "tools/manage.py": managePy}, false, nil, "", "", "requirements.txt", nil},
		{"the root's app.py", map[string]string{"app.py": "", "backend/manage.py": managePy}, false, nil, "", "", "requirements.txt", nil},
		{"the root's Procfile", map[string]string{"Procfile": "web: cd backend && gunicorn mysite.wsgi", "backend/manage.py": managePy},
			false, nil, "", "", "requirements.txt", nil},
		{"an entry point named at the root", map[string]string{"backend/__init__.py": "", "backend/manage.py": managePy},
			false, map[string]string{"WARPDRIVE_WSGI_APPLICATION": "backend.mysite.wsgi:application"}, "", "", "requirements.txt", nil},
		{"an entry point named below the root", map[string]string{"backend/manage.py": managePy},
			false, map[string]string{"WARPDRIVE_WSGI_APPLICATION": "mysite.wsgi:application"}, "backend",
			"the root has no entry point, and backend/manage.py names DJANGO_SETTINGS_MODULE", "requirements.txt", nil},
		{"hidden directories are not looked in", map[string]string{".venv/manage.py": managePy, "requirements.txt": ""}, false, nil, "", "", "requirements.txt", nil},
		{"two levels down is not looked in", map[string]string{"src/backend/manage.py": managePy}, false, nil, "", "", "requirements.txt", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := writeTree(t, tt.files)
			if tt.link {
				if err := os.Symlink("backend/manage.py", filepath.Join(root, "manage.py")); err != nil {
					t.Fatal(err)
				}
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			src, err := ReadSource(root)
			if tt.err != nil {
				if !reflect.DeepEqual(err, tt.err) {
					t.Fatalf("err = %#v, want %#v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := filepath.Join(root, tt.home); src.Home != want || src.HomeFound != tt.why {
				t.Errorf("home %s (%q), want %s (%q)", src.Home, src.HomeFound, want, tt.why)
			}
			c, err := ResolveConfig(src, mapResolver{})
			if err != nil {
				t.Fatal(err)
			}
			if got := c.PipPackages; len(got) != 1 || got[0] != tt.packages {
				t.Errorf("PipPackages = %v, want %s", got, tt.packages)
			}
		})
	}
}

// The variable may come from .warpdrive/environment, which the build applies
// only after the source is read.
func TestReadSourceEntryPointFromEnvironmentFile(t *testing.T) {
	root := writeTree(t, map[string]string{"backend/manage.py": managePy, "server.py": "",
		".warpdrive/environment": "WARPDRIVE_WSGI_APPLICATION=server:app\n"})
	src, err := ReadSource(root)
	if err != nil || src.Home != root {
		t.Errorf("home %s (%v), want the root: the entry point is there", src.Home, err)
	}
}
