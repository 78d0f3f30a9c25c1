package build

import (
	"strings"
	"testing"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/launch"
	"github.com/warpdrive-buildpack/warpdrive/server"
)

// The launcher replaces a process's args with the arguments given to `docker
// run`, so every process keeps its whole command line in Command: then those
// arguments are appended (bash -c CMD, a hook's arguments, extra server flags).
func TestProcessesKeepTheirCommandWhenGivenArguments(t *testing.T) {
	plans := launch.StartPlans{
		"web": {Mode: "gunicorn", Command: []string{"gunicorn", "--bind", "0.0.0.0:$PORT"},
			Derived: []string{"--chdir", "/workspace/src", "wsgi:application"}},
		"release": procfilePlan(app.ProcessType{Name: "release", Command: "python manage.py migrate"}),
	}
	tests := []struct {
		kind    string
		command string
		def     bool
	}{
		{"web", "warpdrive-start gunicorn --bind 0.0.0.0:$PORT -- --chdir /workspace/src wsgi:application", true},
		{"release", "warpdrive-start --process release bash -c python manage.py migrate release --", false},
		{"shell", "warpdrive-start --exec bash", false},
	}
	got := planProcesses(plans, "/workspace/src")
	if len(got) != len(tests) {
		t.Fatalf("got %d processes, want %d: %+v", len(got), len(tests), got)
	}
	for i, tt := range tests {
		p := got[i]
		if p.Type != tt.kind || strings.Join(p.Command, " ") != tt.command || len(p.Arguments) != 0 ||
			p.Default != tt.def || p.WorkingDirectory != "/workspace/src" {
			t.Errorf("process %d = %+v\nwant type %s, command %q, no arguments, default %v, in /workspace/src", i, p, tt.kind, tt.command, tt.def)
		}
	}
}

// The Procfile's web entry replaces warpdrive's web only in the procfile
// mode; its other entries are always processes.
func TestStartPlansWithAProcfile(t *testing.T) {
	procfile := &app.Procfile{Processes: []app.ProcessType{{Name: "web", Command: "gunicorn server:app"}, {Name: "worker", Command: "celery -A proj worker"}}}
	for _, tt := range []struct {
		mode, web string
	}{
		{app.ModeProcfile, "bash -c gunicorn server:app web"},
		{app.ModeWSGI, "gunicorn --log-file - --bind 0.0.0.0:$PORT"},
	} {
		s := stepFor(tt.mode, server.Gunicorn, server.Entry{Home: "/workspace", Module: "server", Callable: "app"})
		s.config.Procfile = procfile
		plans := startPlans(s)
		if got := strings.Join(plans["web"].Command, " "); got != tt.web {
			t.Errorf("%s: web = %q, want %q", tt.mode, got, tt.web)
		}
		if got := strings.Join(plans["worker"].Command, " "); got != "bash -c celery -A proj worker worker" || !plans["worker"].Shell {
			t.Errorf("%s: worker = %+v", tt.mode, plans["worker"])
		}
	}
}

func TestProcfileServer(t *testing.T) {
	tests := map[string]string{
		"gunicorn --bind 0.0.0.0:$PORT server:app":                       "gunicorn",
		"exec waitress-serve --port=$PORT app:app":                       "waitress",
		"FOO=1 uwsgi --http :$PORT":                                      "uwsgi",
		"python manage.py migrate && gunicorn mysite.wsgi":               "gunicorn",
		"python manage.py migrate&&gunicorn mysite.wsgi":                 "gunicorn",
		"cd src; exec 'gunicorn' mysite.wsgi":                            "gunicorn",
		"bin/start-nginx":                                                "",
		"/layers/warpdrive/venv/bin/gunicorn -b :$PORT wsgi:application": "gunicorn",
		"uvicorn main:app --host 0.0.0.0 --port $PORT":                   "uvicorn",
		"hypercorn --bind 0.0.0.0:$PORT app:app":                         "hypercorn",
	}
	for command, want := range tests {
		srv, ok := procfileServer(command)
		if ok != (want != "") || srv.Name != want {
			t.Errorf("procfileServer(%q) = %q, %v; want %q", command, srv.Name, ok, want)
		}
	}
}

// A Procfile without web and an app with no entry point: no web process,
// and a single entry is the image's default; of several, none is.
func TestWorkerOnlyProcfileHasNoWeb(t *testing.T) {
	for _, tt := range []struct {
		name     string
		procfile []app.ProcessType
		defaults []string
	}{
		{"one worker is the default", []app.ProcessType{{Name: "worker", Command: "python bot.py"}}, []string{"worker"}},
		{"of two, none is", []app.ProcessType{{Name: "worker", Command: "celery worker"}, {Name: "beat", Command: "celery beat"}}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := stepFor(app.ModeProcfile, "", server.Entry{Home: "/workspace"})
			s.config.Procfile = &app.Procfile{Processes: tt.procfile}
			plans := startPlans(s)
			if _, ok := plans["web"]; ok {
				t.Fatalf("a worker-only app got a web plan: %+v", plans["web"])
			}
			var defaults []string
			for _, p := range planProcesses(plans, "/workspace") {
				if p.Default {
					defaults = append(defaults, p.Type)
				}
			}
			if strings.Join(defaults, ",") != strings.Join(tt.defaults, ",") {
				t.Errorf("default processes = %v, want %v", defaults, tt.defaults)
			}
		})
	}
}
