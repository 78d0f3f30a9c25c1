package launch

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// fakeHost is a container: its environment, user, working directory and limits.
type fakeHost struct {
	env MapEnv
	uid int
	wd  string
}

func (h fakeHost) Environ() MapEnv        { return copyEnv(h.env) }
func (h fakeHost) Getuid() int            { return h.uid }
func (h fakeHost) Getwd() (string, error) { return h.wd, nil }
func (h fakeHost) Limits() Limits         { return Limits{CPUs: 3, MemoryMiB: 4096} }

// started is a program warpdrive-start ran or exec'd.
type started struct {
	path string
	argv []string
	env  []string
}

// fakeProcess records what warpdrive-start runs and execs; an Exec ends the
// goroutine Main runs in, as exec ends the process.
type fakeProcess struct {
	// signal arrives as soon as warpdrive-start catches signals.
	signal  os.Signal
	runs    []started
	run     func(argv []string) error
	execed  *started
	execErr error
}

func (p *fakeProcess) Notify(sigs chan<- os.Signal) {
	if p.signal != nil {
		sigs <- p.signal
	}
}

func (p *fakeProcess) Stop(chan<- os.Signal) {}

func (p *fakeProcess) Run(path string, argv, env []string, _ io.Writer) error {
	p.runs = append(p.runs, started{path, argv, env})
	if p.run == nil {
		return nil
	}
	return p.run(argv)
}

func (p *fakeProcess) Exec(path string, argv, env []string) error {
	if p.execErr != nil {
		return p.execErr
	}
	p.execed = &started{path, argv, env}
	runtime.Goexit()
	return nil
}

// startWith runs Main's start with fakes in a goroutine, and returns its
// output and exit code (exited false: it exec'd).
func startWith(host Host, proc *fakeProcess, args ...string) (out string, code int, exited bool) {
	var log bytes.Buffer
	done := make(chan int, 1)
	go func() {
		defer close(done)
		done <- start(host, proc, args, &log)
	}()
	code, exited = <-done
	return log.String(), code, exited
}

// appDir is an application with a start plan, programs on a PATH of their
// own and hooks that record in ran/ that they ran (or fail, for "fail").
type appDir struct {
	dir, bin, plan string
}

func newApp(t *testing.T, plans StartPlans, programs []string, hooks map[string]string) appDir {
	t.Helper()
	a := appDir{dir: t.TempDir()}
	a.bin = filepath.Join(a.dir, "bin")
	hooksDir := filepath.Join(a.dir, ".warpdrive", "action_hooks")
	for _, d := range []string{a.bin, hooksDir, filepath.Join(a.dir, "ran")} {
		must(t, os.MkdirAll(d, 0o755))
	}
	for _, p := range programs {
		must(t, os.WriteFile(filepath.Join(a.bin, p), []byte("#!/bin/sh\n"), 0o755))
	}
	for name, body := range hooks {
		script := "#!/bin/sh\ntouch " + filepath.Join(a.dir, "ran", name) + "\n" + body + "\n"
		must(t, os.WriteFile(filepath.Join(hooksDir, name), []byte(script), 0o755))
	}
	var err error
	a.plan, err = WriteStartPlans(a.dir, plans)
	must(t, err)
	return a
}

func (a appDir) host(uid int, env ...string) fakeHost {
	h := fakeHost{uid: uid, wd: a.dir, env: MapEnv{"PATH": a.bin + ":" + os.Getenv("PATH"), PlanVariable: a.plan, "WARPDRIVE_SRC_ROOT": a.dir,
		"TMPDIR": a.dir}} // deploy-cfg's once-per-container marker, one per test
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		h.env[k] = v
	}
	return h
}

func (a appDir) ran(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(a.dir, "ran"))
	must(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

var plans = StartPlans{
	"web":    startPlan("gunicorn", "gunicorn", "--bind", "0.0.0.0:$PORT", "--", "--chdir", "/workspace", "wsgi:app"),
	"worker": startPlan("python", "python", "worker.py"),
}

func TestMainExecsWhatTheStartPlanSays(t *testing.T) {
	web := plans["web"].Declared()
	tests := []struct {
		name     string
		env      []string
		args     []string
		wantArgv []string
		wantEnv  string
		wantRan  []string
		wantLog  string
	}{
		{"the web process, with docker run's arguments", []string{"PORT=5000"}, append(web, "--timeout", "5"),
			[]string{"gunicorn", "--bind", "0.0.0.0:5000", "--chdir", "/workspace", "wsgi:app", "--timeout", "5"}, "WEB_CONCURRENCY=3",
			[]string{"deploy", "deploy-cfg", "deploy-env"}, "Executing server command 'gunicorn --bind 0.0.0.0:5000 --chdir /workspace wsgi:app --timeout 5'"},
		{"WEB_CONCURRENCY sets the workers", []string{"WEB_CONCURRENCY=2"}, web,
			[]string{"gunicorn", "--bind", "0.0.0.0:8080", "--chdir", "/workspace", "wsgi:app"}, "WEB_CONCURRENCY=2",
			[]string{"deploy", "deploy-cfg", "deploy-env"}, "Concurrency: 2 gunicorn workers"},
		{"a Procfile process: no deploy hook", nil, append([]string{"--process", "worker"}, plans["worker"].Declared()...),
			[]string{"python", "worker.py"}, "WEB_CONCURRENCY=7", []string{"deploy-cfg", "deploy-env"}, "Executing server command 'python worker.py'"},
		{"--exec: any command, deploy-env's variables set", nil, []string{"--exec", "python", "-c", "pass"},
			[]string{"python", "-c", "pass"}, "PATH=", []string{"deploy-env"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := newApp(t, plans, []string{"gunicorn", "python"}, map[string]string{
				"deploy-env": "export FROM_DEPLOY_ENV=1", "deploy-cfg": "", "deploy": ""})
			proc := &fakeProcess{}
			out, code, exited := startWith(app.host(1000, tt.env...), proc, tt.args...)
			if exited || proc.execed == nil {
				t.Fatalf("exit %d without an exec:\n%s", code, out)
			}
			if want := filepath.Join(app.bin, tt.wantArgv[0]); proc.execed.path != want || !reflect.DeepEqual(proc.execed.argv, tt.wantArgv) {
				t.Errorf("exec'd %s %q\nwant  %s %q", proc.execed.path, proc.execed.argv, want, tt.wantArgv)
			}
			for _, kv := range []string{"FROM_DEPLOY_ENV=1", "WARPDRIVE_PHASE=deploy", tt.wantEnv} {
				if !slices.ContainsFunc(proc.execed.env, func(e string) bool { return strings.HasPrefix(e, kv) }) {
					t.Errorf("the environment lacks %s: %q", kv, proc.execed.env)
				}
			}
			if got := app.ran(t); !reflect.DeepEqual(got, tt.wantRan) {
				t.Errorf("hooks ran: %v, want %v", got, tt.wantRan)
			}
			if !strings.Contains(out, tt.wantLog) {
				t.Errorf("the log lacks %q:\n%s", tt.wantLog, out)
			}
		})
	}
}

func TestMainStopsWithoutExec(t *testing.T) {
	web := plans["web"].Declared()
	tests := []struct {
		name    string
		uid     int
		env     []string
		hooks   map[string]string
		proc    fakeProcess
		args    []string
		want    int
		wantLog string
		wantRan []string
	}{
		{"root is refused before any hook", 0, nil, map[string]string{"deploy-env": ""}, fakeProcess{}, web,
			1, "ERROR: warpdrive-start: [Running as root]", nil},
		{"a deploy hook that fails", 1000, nil, map[string]string{"deploy": "exit 3"}, fakeProcess{}, web,
			1, "ERROR: warpdrive-start: action hook deploy exited with status 3", []string{"deploy"}},
		{"deploy-env that fails", 1000, nil, map[string]string{"deploy-env": "exit 4"}, fakeProcess{}, web,
			1, "ERROR: warpdrive-start: action hook deploy-env exited with status 4", []string{"deploy-env"}},
		{"docker stop before the exec", 1000, nil, nil, fakeProcess{signal: syscall.SIGTERM}, web,
			143, "Stopping: terminated before the server started", nil},
		{"no start plan", 1000, []string{PlanVariable + "="}, nil, fakeProcess{}, web,
			1, PlanVariable + " is not set", nil},
		{"a command that is not the plan's", 1000, nil, nil, fakeProcess{}, []string{"waitress-serve", "app:app"},
			1, "does not start with the build's web command", nil},
		{"--hook without a name", 1000, nil, nil, fakeProcess{}, []string{"--hook"},
			2, "--hook needs an argument", nil},
		{"--hook naming no hook", 1000, nil, nil, fakeProcess{}, []string{"--hook", "migrate"},
			1, "the application has no action hook migrate", nil},
		{"a program not on PATH", 1000, nil, nil, fakeProcess{}, []string{"--exec", "nosuch-program"},
			127, "cannot run nosuch-program", nil},
		{"the exec fails", 1000, nil, nil, fakeProcess{execErr: syscall.EACCES}, []string{"--exec", "python"},
			126, "/bin/python: permission denied", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := newApp(t, plans, []string{"gunicorn", "python"}, tt.hooks)
			proc := tt.proc
			out, code, exited := startWith(app.host(tt.uid, tt.env...), &proc, tt.args...)
			if !exited || proc.execed != nil {
				t.Fatalf("exec'd %q, want exit %d:\n%s", proc.execed, tt.want, out)
			}
			if code != tt.want || !strings.Contains(out, tt.wantLog) {
				t.Errorf("exit %d, want %d and %q in:\n%s", code, tt.want, tt.wantLog, out)
			}
			if got := app.ran(t); !reflect.DeepEqual(got, tt.wantRan) {
				t.Errorf("hooks ran: %v, want %v", got, tt.wantRan)
			}
		})
	}
}

// mod_wsgi-express writes Apache's configuration with --setup-only, and
// Apache is exec'd through the control script it wrote, by its #! line.
func TestMainStartsModWSGIInTwoSteps(t *testing.T) {
	root := t.TempDir()
	plan := StartPlans{"web": startPlan("mod_wsgi", "mod_wsgi-express", "start-server", "--server-root", root, "--port", "$PORT")}
	tests := []struct {
		name     string
		setup    func(argv []string) error
		wantCode int
		wantLog  string
	}{
		{"setup writes apachectl", func([]string) error {
			return os.WriteFile(filepath.Join(root, "apachectl"), []byte("#!/bin/bash -e\n"), 0o755)
		}, 0, ""},
		{"setup fails", func([]string) error { return errors.New("no Apache") }, 1, "mod_wsgi-express: no Apache"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(filepath.Join(root, "apachectl"))
			app := newApp(t, plan, []string{"mod_wsgi-express"}, nil)
			proc := &fakeProcess{run: tt.setup}
			out, code, exited := startWith(app.host(1000), proc, plan["web"].Declared()...)
			if len(proc.runs) != 1 || proc.runs[0].argv[len(proc.runs[0].argv)-1] != "--setup-only" {
				t.Fatalf("ran %v, want the setup", proc.runs)
			}
			if tt.wantCode != 0 {
				if !exited || code != tt.wantCode || !strings.Contains(out, tt.wantLog) {
					t.Errorf("exit %d (exited %t), want %d and %q:\n%s", code, exited, tt.wantCode, tt.wantLog, out)
				}
				return
			}
			want := []string{"/bin/bash", "-e", filepath.Join(root, "apachectl"), "start", "-DFOREGROUND"}
			if exited || !reflect.DeepEqual(proc.execed.argv, want) {
				t.Errorf("exec'd %v, want %v:\n%s", proc.execed, want, out)
			}
		})
	}
}
