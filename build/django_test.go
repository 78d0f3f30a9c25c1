package build

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/layers"
	"github.com/warpdrive-buildpack/warpdrive/server"
)

// writeFiles creates files (path -> content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for path, content := range files {
		full := filepath.Join(dir, path)
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const startprojectWSGI = "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n"

// Where a Django project's application comes from: WSGI_APPLICATION, else
// the wsgi.py beside the settings, and an entry point the user named wins
// over both; a Procfile names its own.
func TestDjangoEntry(t *testing.T) {
	named := app.EntryPoint{Module: "mysite.wsgi", Attr: "application"}
	tests := []struct {
		name     string
		files    map[string]string
		mode     string
		protocol server.Protocol
		entry    app.EntryPoint
		settings layers.DjangoSettings
		want     string // the entry's module:callable, "" when djangoEntry leaves it to the entry point's probe
		log      string
		err      error
	}{
		{"WSGI_APPLICATION", map[string]string{"mysite/wsgi.py": startprojectWSGI}, app.ModeWSGI, server.WSGI, app.EntryPoint{},
			layers.DjangoSettings{SettingsModule: "mysite.settings", WSGIApplication: "mysite.wsgi.application"},
			"mysite.wsgi:application", "Django WSGI application: mysite.wsgi:application (WSGI_APPLICATION)", nil},
		{"no WSGI_APPLICATION: the wsgi.py beside the settings", map[string]string{"mysite/wsgi.py": startprojectWSGI}, app.ModeWSGI, server.WSGI, app.EntryPoint{},
			layers.DjangoSettings{SettingsModule: "mysite.settings"},
			"mysite.wsgi:application", "Django WSGI application: mysite.wsgi:application (the wsgi.py beside the settings; they set no WSGI_APPLICATION)", nil},
		{"no WSGI_APPLICATION, a settings package", map[string]string{"config/wsgi.py": startprojectWSGI}, app.ModeWSGI, server.WSGI, app.EntryPoint{},
			layers.DjangoSettings{SettingsModule: "config.settings.production"}, "config.wsgi:application", "config.wsgi:application", nil},
		{"no WSGI_APPLICATION, an entry point named", nil, app.ModeWSGI, server.WSGI, named,
			layers.DjangoSettings{SettingsModule: "mysite.settings"},
			"", "Django WSGI application: WARPDRIVE_WSGI_APPLICATION=mysite.wsgi:application (the settings set no WSGI_APPLICATION)", nil},
		{"no WSGI_APPLICATION and nothing else", nil, app.ModeWSGI, server.WSGI, app.EntryPoint{},
			layers.DjangoSettings{SettingsModule: "mysite.settings"}, "", "",
			app.DjangoWSGIError{SettingsModule: "mysite.settings", LookedFor: []string{"mysite/wsgi.py", "wsgi.py"}}},
		{"a WSGI_APPLICATION that is not module.callable", nil, app.ModeWSGI, server.WSGI, app.EntryPoint{},
			layers.DjangoSettings{SettingsModule: "mysite.settings", WSGIApplication: "application"}, "", "",
			app.DjangoWSGIError{SettingsModule: "mysite.settings", WSGIApplication: "application"}},
		{"the Procfile needs none", nil, app.ModeProcfile, server.WSGI, app.EntryPoint{},
			layers.DjangoSettings{SettingsModule: "mysite.settings"}, "", "", nil},
		{"ASGI: the asgi.py beside the wsgi.py beside the settings", map[string]string{"mysite/wsgi.py": startprojectWSGI, "mysite/asgi.py": "application = None\n"},
			app.ModeWSGI, server.ASGI, app.EntryPoint{}, layers.DjangoSettings{SettingsModule: "mysite.settings"},
			"mysite.asgi:application", "Django ASGI application: mysite.asgi.application", nil},
		{"ASGI: Channels' ASGI_APPLICATION needs no WSGI application", nil, app.ModeWSGI, server.ASGI, app.EntryPoint{},
			layers.DjangoSettings{SettingsModule: "mysite.settings", ASGIApplication: "mysite.routing.application"},
			"mysite.routing:application", "Django ASGI application: mysite.routing.application", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			writeFiles(t, home, tt.files)
			s := stepFor(tt.mode, "gunicorn", server.Entry{Home: home})
			s.config.Source = app.Source{Root: home, Home: home}
			s.config.EntrySource = "WARPDRIVE_WSGI_APPLICATION"
			s.launch.Entry, s.protocol = tt.entry, tt.protocol
			var out bytes.Buffer
			err := Build{Logger: log.NewPaketoLogger(&out)}.djangoEntry(s, tt.settings)
			if !reflect.DeepEqual(err, tt.err) {
				t.Fatalf("err = %#v, want %#v", err, tt.err)
			}
			got := ""
			if s.entry.Module != "" {
				got = s.entry.Module + ":" + s.entry.Callable
			}
			if got != tt.want || !strings.Contains(out.String(), tt.log) {
				t.Errorf("entry %q, log:\n%s\nwant %q, a log with %q", got, out.String(), tt.want, tt.log)
			}
		})
	}
}

// The settings module: DJANGO_SETTINGS_MODULE from the build wins; a
// manage.py line warpdrive cannot read stops the build (before anything is
// installed), unless the variable is set or a settings.py sits beside it.
func TestDjangoSettingsModule(t *testing.T) {
	fString := "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', f'{NAME}.settings')\n"
	tests := []struct {
		name   string
		files  map[string]string
		home   string
		mode   string
		env    string
		launch string // manage.py's default, as ResolveLaunch read it
		want   string
		log    string
		err    error
	}{
		{"manage.py's line", nil, "", app.ModeWSGI, "", "mysite.settings", "mysite.settings", "", nil},
		{"the build's variable wins", nil, "", app.ModeWSGI, "mysite.settings_prod", "mysite.settings", "mysite.settings_prod",
			"DJANGO_SETTINGS_MODULE=mysite.settings_prod from the build's environment (manage.py's default is mysite.settings)", nil},
		{"an f-string", map[string]string{"manage.py": fString}, "", app.ModeWSGI, "", "", "", "",
			app.SettingsLineError{Line: "os.environ.setdefault('DJANGO_SETTINGS_MODULE', f'{NAME}.settings')"}},
		{"an f-string in a home below the root", map[string]string{"backend/manage.py": fString}, "backend", app.ModeProcfile, "", "", "", "",
			app.SettingsLineError{Home: "backend", Line: "os.environ.setdefault('DJANGO_SETTINGS_MODULE', f'{NAME}.settings')"}},
		{"an f-string, and the variable set", map[string]string{"manage.py": fString}, "", app.ModeWSGI, "mysite.settings", "", "mysite.settings", "", nil},
		{"an f-string beside settings.py", map[string]string{"manage.py": fString, "settings.py": ""}, "", app.ModeWSGI, "", "", "",
			"using settings, the module beside it", nil},
		{"not read for the shell mode", map[string]string{"manage.py": fString}, "", app.ModeShell, "", "", "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, tt.files)
			t.Setenv("DJANGO_SETTINGS_MODULE", tt.env)
			s := stepFor(tt.mode, "gunicorn", server.Entry{})
			s.config.Source = app.Source{Root: root, Home: filepath.Join(root, tt.home)}
			s.launch.Django, s.launch.SettingsModule = true, tt.launch
			var out bytes.Buffer
			err := Build{Logger: log.NewPaketoLogger(&out)}.djangoSettingsModule(s)
			if !reflect.DeepEqual(err, tt.err) {
				t.Fatalf("err = %#v, want %#v", err, tt.err)
			}
			if s.launch.SettingsModule != tt.want || !strings.Contains(out.String(), tt.log) {
				t.Errorf("settings %q, log:\n%s\nwant %q, a log with %q", s.launch.SettingsModule, out.String(), tt.want, tt.log)
			}
			if err != nil {
				if msg := Explain(err); !strings.Contains(strings.Join(msg.Fix, " "), ".warpdrive/environment") {
					t.Errorf("the message lacks the fix:\n%s", msg.Format())
				}
			}
		})
	}
}
