package app

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// mapResolver resolves from a map, with buildpack.toml-like defaults.
type mapResolver map[string]string

func (m mapResolver) Resolve(name string) (string, bool) {
	v, ok := m[name]
	return v, ok
}

func TestResolveConfig(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, ".warpdrive"), 0o755)
	tests := []struct {
		name  string
		files map[string]string
		env   mapResolver
		check func(t *testing.T, c Config)
		err   error
	}{
		{"defaults", nil, mapResolver{}, func(t *testing.T, c Config) {
			if c.DeployMode != ModeAuto || c.ServerType != "mod_wsgi" || c.WSGIModule != "wsgi" || c.ModWSGIVersion != "5.0.2" ||
				!reflect.DeepEqual(c.PipPackages, []string{"requirements.txt"}) || c.PipPackagesExplicit || c.StaticURL != "/static/" ||
				c.StaticDir != "static" || c.DisableCollectstatic || c.ServerTypeSource != "the default" {
				t.Errorf("defaults: %+v", c)
			}
		}, nil},
		{"variables", nil, mapResolver{"WARPDRIVE_SERVER_TYPE": " gunicorn ", "WARPDRIVE_PIP_PACKAGES": "a.txt b.txt",
			"WARPDRIVE_WSGI_MODULE_NAME": "myapp", "DISABLE_COLLECTSTATIC": "1", "BP_MOD_WSGI_VERSION": "4.9.4"}, func(t *testing.T, c Config) {
			if c.ServerType != "gunicorn" || c.ServerTypeSource != "WARPDRIVE_SERVER_TYPE" || !c.PipPackagesExplicit ||
				!reflect.DeepEqual(c.PipPackages, []string{"a.txt", "b.txt"}) || c.WSGIModule != "myapp" || !c.DisableCollectstatic || c.ModWSGIVersion != "4.9.4" {
				t.Errorf("variables: %+v", c)
			}
		}, nil},
		{"a .warpdrive file wins", map[string]string{"server_type": "uwsgi\n"}, mapResolver{"WARPDRIVE_SERVER_TYPE": "gunicorn"}, func(t *testing.T, c Config) {
			if c.ServerType != "uwsgi" || c.ServerTypeSource != ".warpdrive/server_type" {
				t.Errorf("file: %+v", c)
			}
		}, nil},
		{"DISABLE_COLLECTSTATIC=0 is off", nil, mapResolver{"DISABLE_COLLECTSTATIC": "0"}, func(t *testing.T, c Config) {
			if c.DisableCollectstatic {
				t.Error("DISABLE_COLLECTSTATIC=0 disabled collectstatic")
			}
		}, nil},
		{"an unknown server", nil, mapResolver{"WARPDRIVE_SERVER_TYPE": "nginx"}, nil, ChoiceError{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.RemoveAll(filepath.Join(root, ".warpdrive"))
			os.MkdirAll(filepath.Join(root, ".warpdrive"), 0o755)
			for name, src := range tt.files {
				os.WriteFile(filepath.Join(root, ".warpdrive", name), []byte(src), 0o644)
			}
			c, err := ResolveConfig(Source{Root: root, Home: root}, tt.env)
			if tt.err != nil {
				var ce ChoiceError
				if !errors.As(err, &ce) || ce.Value != "nginx" {
					t.Errorf("err = %v, want a ChoiceError for nginx", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestCheckBuildVariables(t *testing.T) {
	tests := []struct {
		env      map[string]string
		bad      string
		warnings int
	}{
		{map[string]string{"PIP_INDEX_URL": "http://index"}, "", 0},
		{map[string]string{"PIP_TARGET": "/tmp/t"}, "PIP_TARGET", 0},
		{map[string]string{"PIP_PREFIX": "/p"}, "PIP_PREFIX", 0},
		{map[string]string{"PIP_ROOT": "/r"}, "PIP_ROOT", 0},
		{map[string]string{"PIP_USER": "1"}, "PIP_USER", 0},
		{map[string]string{"PYTHONHOME": "/usr"}, "PYTHONHOME", 0},
		{map[string]string{"PYTHONUSERBASE": "/u"}, "PYTHONUSERBASE", 0},
		{map[string]string{"VIRTUAL_ENV": "/venv"}, "VIRTUAL_ENV", 0},
		{map[string]string{"PIP_TARGET": ""}, "", 0},
		{map[string]string{"PIP_CACHE_DIR": "/tmp/pip"}, "", 1},
		// All of them at once, in the table's order: one failed build names everything to remove.
		{map[string]string{"VIRTUAL_ENV": "/venv", "PIP_USER": "1", "PIP_TARGET": "/t"}, "PIP_TARGET PIP_USER VIRTUAL_ENV", 0},
	}
	for _, tt := range tests {
		lookup := func(name string) (string, bool) { v, ok := tt.env[name]; return v, ok }
		warnings, err := CheckBuildVariables(lookup)
		var ue UnsupportedVariableError
		switch {
		case tt.bad == "" && err != nil:
			t.Errorf("%v: unexpected error %v", tt.env, err)
		case tt.bad != "" && (!errors.As(err, &ue) || strings.Join(ue.Names(), " ") != tt.bad):
			t.Errorf("%v: err = %v, want an UnsupportedVariableError for %s", tt.env, err, tt.bad)
		case len(warnings) != tt.warnings:
			t.Errorf("%v: warnings = %q, want %d", tt.env, warnings, tt.warnings)
		}
	}
}

// Which web runs: an explicit deploy mode, then an entry point the user
// named, then the Procfile's web, then auto's files (main.py among them).
func TestResolveLaunchPrecedence(t *testing.T) {
	procfile := &Procfile{Processes: []ProcessType{{Name: "web", Command: "gunicorn server:app"}}}
	noWeb := &Procfile{Processes: []ProcessType{{Name: "worker", Command: "celery worker"}}}
	entry := &EntryPoint{Module: "flaskr", Attr: "create_app", Call: true}
	tests := []struct {
		name       string
		files      map[string]string
		procfile   *Procfile
		mode, from string
		entry      *EntryPoint
		want       string
		wantEntry  string
	}{
		{"the Procfile's web over auto", map[string]string{"wsgi.py": ""}, procfile, ModeAuto, "the default", nil, ModeProcfile, ""},
		{"an explicit auto over the Procfile", map[string]string{"wsgi.py": ""}, procfile, ModeAuto, "WARPDRIVE_DEPLOY_MODE", nil, ModeWSGI, "wsgi:application"},
		{"a Procfile without web", map[string]string{"wsgi.py": ""}, noWeb, ModeAuto, "the default", nil, ModeWSGI, "wsgi:application"},
		{"an entry point over the Procfile and app.py", map[string]string{"app.py": ""}, procfile, ModeAuto, "the default", entry, ModeWSGI, "flaskr:create_app()"},
		{"main.py", map[string]string{"main.py": ""}, nil, ModeAuto, "the default", nil, ModeWSGI, "main:"},
		{"wsgi.py before main.py", map[string]string{"main.py": "", "wsgi.py": ""}, nil, ModeAuto, "the default", nil, ModeWSGI, "wsgi:application"},
		{"app.py before main.py", map[string]string{"main.py": "", "app.py": ""}, nil, ModeAuto, "the default", nil, ModePython, ""},
		{"app/main.py (FastAPI's layout)", map[string]string{"app/main.py": "", "app/__init__.py": ""}, nil, ModeAuto, "the default", nil, ModeWSGI, "app.main:"},
		{"main.py before app/main.py", map[string]string{"main.py": "", "app/main.py": ""}, nil, ModeAuto, "the default", nil, ModeWSGI, "main:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, tt.files)
			c := Config{Source: Source{Root: dir, Home: dir, Procfile: tt.procfile}, DeployMode: tt.mode, DeployModeSource: tt.from,
				WSGIModule: "wsgi", Entry: tt.entry, EntrySource: "WARPDRIVE_WSGI_APPLICATION"}
			got, err := ResolveLaunch(c)
			if err != nil {
				t.Fatal(err)
			}
			entry := ""
			if got.Entry.Module != "" {
				entry = got.Entry.String()
			}
			if got.Mode != tt.want || entry != tt.wantEntry {
				t.Errorf("got mode %s entry %q (%s), want %s %q", got.Mode, entry, got.Reason, tt.want, tt.wantEntry)
			}
		})
	}
}
