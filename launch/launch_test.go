package launch

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/warpdrive-buildpack/warpdrive/server"
)

var modWSGI = StartPlan{Mode: "mod_wsgi", Command: []string{"mod_wsgi-express", "start-server", "--port", "$PORT"},
	Derived: []string{"--entry-point", "mysite.wsgi"}}

// apacheSizing are the flags mod_wsgi gets for Apache's connections when no
// MOD_WSGI_* variable sets them.
var apacheSizing = []string{"--server-mpm", "worker", "--max-clients", "300", "--daemon-backlog", "500", "--initial-workers", "1",
	"--minimum-spare-workers", "0.1", "--maximum-spare-workers", "1"}

// startPlan is a plan for mode: command words up to "--", derived after it.
func startPlan(mode string, words ...string) StartPlan {
	for i, w := range words {
		if w == "--" {
			return StartPlan{Mode: mode, Command: words[:i], Derived: words[i+1:]}
		}
	}
	return StartPlan{Mode: mode, Command: words}
}

func TestPreparePort(t *testing.T) {
	tests := []struct {
		name string
		env  MapEnv
		port string
	}{
		{"default", MapEnv{}, "8080"},
		{"platform PORT", MapEnv{"PORT": "9000"}, "9000"},
		{"warpdrive's variable", MapEnv{"WARPDRIVE_HTTP_PORT": "8000"}, "8000"},
		{"PORT wins", MapEnv{"PORT": "9000", "WARPDRIVE_HTTP_PORT": "8000"}, "9000"},
		{"empty PORT ignored", MapEnv{"PORT": ""}, "8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := Prepare(modWSGI, nil, Options{Env: tt.env})
			if err != nil {
				t.Fatal(err)
			}
			want := append(append([]string{"mod_wsgi-express", "start-server", "--port", tt.port}, apacheSizing...), "--entry-point", "mysite.wsgi")
			if !reflect.DeepEqual(plan.Argv, want) {
				t.Errorf("argv = %v, want %v", plan.Argv, want)
			}
			if plan.Env["PORT"] != tt.port {
				t.Errorf("the server's environment lacks PORT=%s", tt.port)
			}
		})
	}
}

func TestPrepareInsertsTuningAndServerArgsBeforeDerived(t *testing.T) {
	env := MapEnv{"MOD_WSGI_PROCESSES": "2", "MOD_WSGI_THREADS": "4", "MOD_WSGI_ACCESS_LOG": "1",
		"MOD_WSGI_ENABLE_DEBUGGER": "true", "MOD_WSGI_RELOAD_ON_CHANGES": "0", "MOD_WSGI_REQUEST_TIMEOUT": "30"}
	plan, err := Prepare(modWSGI, nil, Options{Env: env, ServerArgs: func(mode string) ([]string, error) {
		if mode != "mod_wsgi" {
			t.Errorf("server_args asked for mode %q", mode)
		}
		return []string{"--max-clients", "20"}, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	// server_args come after the tuning flags, so their --max-clients is the one mod_wsgi-express uses.
	want := "mod_wsgi-express start-server --port 8080 --processes 2 --threads 4 --request-timeout 30 " +
		"--access-log --debug-mode --enable-debugger " + strings.Join(apacheSizing, " ") + " --max-clients 20 --entry-point mysite.wsgi"
	if got := strings.Join(plan.Argv, " "); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestPrepareRejectsBadCounts(t *testing.T) {
	for _, tt := range []struct{ name, value string }{
		{"MOD_WSGI_PROCESSES", "0"}, {"MOD_WSGI_PROCESSES", "-1"}, {"MOD_WSGI_THREADS", "lots"}, {"WEB_CONCURRENCY", "two"},
	} {
		_, err := Prepare(modWSGI, nil, Options{Env: MapEnv{tt.name: tt.value}})
		var se server.SettingError
		if !errors.As(err, &se) || se.Name != tt.name || !strings.Contains(err.Error(), tt.name) {
			t.Errorf("%s=%s: err = %v, want a SettingError naming the variable", tt.name, tt.value, err)
		}
	}
}

func TestModWSGIFlagsIgnoredForOtherServers(t *testing.T) {
	plan, err := Prepare(startPlan("gunicorn", "gunicorn", "--bind", "0.0.0.0:$PORT", "--", "wsgi:application"), nil, Options{Env: MapEnv{"MOD_WSGI_PROCESSES": "3"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(plan.Argv, " "); got != "gunicorn --bind 0.0.0.0:8080 wsgi:application" {
		t.Errorf("got %s", got)
	}
}

// The build's words are expanded once, each staying one argument; `docker
// run` arguments and tuning values are never expanded, and they come last.
func TestPrepareExpandsOnlyTheBuildsWordsOnce(t *testing.T) {
	env := MapEnv{"PORT": "9000", "HOME": "/home/app", "MOD_WSGI_LOG_LEVEL": "$HOME", "word": "WORD"}
	p := startPlan("mod_wsgi", "mod_wsgi-express", "start-server", "--port", "$PORT", "--", "--working-directory", "/workspace/with space")
	user := []string{"--x", "pa$word", "$$", "${HOME}", "$NOPE", ""}
	plan, err := Prepare(p, user, Options{Env: env})
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]string{"mod_wsgi-express", "start-server", "--port", "9000", "--log-level", "$HOME"}, apacheSizing...),
		"--working-directory", "/workspace/with space", "--x", "pa$word", "$$", "${HOME}", "$NOPE", "")
	if !reflect.DeepEqual(plan.Argv, want) {
		t.Errorf("argv = %q\nwant   %q", plan.Argv, want)
	}
}

func TestExpandWords(t *testing.T) {
	env := MapEnv{"PORT": "8080", "HOME": "/home/app", "EMPTY": ""}
	tests := map[string]string{"0.0.0.0:$PORT": "0.0.0.0:8080", "${HOME}/x": "/home/app/x", "$NOPE": "",
		"100$": "100$", "$$": "$$", "${EMPTY:-d}": "d", "${HOME:-d}": "/home/app", "a b": "a b", "${bad name}": "${bad name}"}
	for in, want := range tests {
		if got := ExpandWords([]string{in}, env); len(got) != 1 || got[0] != want {
			t.Errorf("ExpandWords(%q) = %q, want %q", in, got, want)
		}
	}
}

// Every mode puts its arguments in one order: base, tuning, workers,
// server_args, derived, `docker run` arguments.
func TestPrepareOrderIsTheSameForEveryMode(t *testing.T) {
	serverArgs := func(string) ([]string, error) { return []string{"SA"}, nil }
	env := MapEnv{"WEB_CONCURRENCY": "2"}
	tests := []struct {
		plan StartPlan
		want string
	}{
		{startPlan("mod_wsgi", "mod_wsgi-express", "start-server", "--", "D"), "mod_wsgi-express start-server " + strings.Join(apacheSizing, " ") + " --processes 2 SA D USER"},
		{startPlan("gunicorn", "gunicorn", "--bind", ":$PORT", "--", "D"), "gunicorn --bind :8080 SA D USER"},
		{startPlan("waitress", "waitress-serve", "--", "D"), "waitress-serve --threads=2 SA D USER"},
		{startPlan("python", "python", "/workspace/app.py", "--"), "python /workspace/app.py SA USER"},
		{startPlan("shell", "/workspace/app.sh", "--"), "/workspace/app.sh SA USER"},
	}
	for _, tt := range tests {
		plan, err := Prepare(tt.plan, []string{"USER"}, Options{Env: env, ServerArgs: serverArgs})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(plan.Argv, " "); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.plan.Mode, got, tt.want)
		}
	}
}

func TestUserArguments(t *testing.T) {
	p := startPlan("gunicorn", "gunicorn", "--bind", ":$PORT", "--", "wsgi:application")
	got, err := p.UserArguments([]string{"gunicorn", "--bind", ":$PORT", "--", "wsgi:application", "--access-logfile", "-"})
	if err != nil || !reflect.DeepEqual(got, []string{"--access-logfile", "-"}) {
		t.Errorf("UserArguments = %q, %v", got, err)
	}
	if _, err := p.UserArguments([]string{"uwsgi", "--http"}); err == nil {
		t.Error("a command that is not the plan's must be an error")
	}
}

func TestStartPlanRoundTrip(t *testing.T) {
	dir := t.TempDir()
	release := StartPlan{Mode: "procfile", Command: []string{"bash", "-c", "python manage.py migrate", "release"}, Shell: true}
	path, err := WriteStartPlans(dir, StartPlans{"web": modWSGI, "release": release})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]StartPlan{"web": modWSGI, "release": release} {
		got, err := ReadStartPlan(path, name)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ReadStartPlan(%s) = %+v, %v", name, got, err)
		}
	}
	if _, err := ReadStartPlan(path, "worker"); err == nil || !strings.Contains(err.Error(), "worker") {
		t.Errorf("a process without a plan: %v", err)
	}
	if _, err := ReadStartPlan("", "web"); err == nil || !strings.Contains(err.Error(), PlanVariable) {
		t.Errorf("no plan: %v", err)
	}
}

// A user's command run by bash is not expanded by warpdrive-start: bash does
// it, once, with PORT set.
func TestPrepareLeavesShellCommandsToTheShell(t *testing.T) {
	p := StartPlan{Mode: "procfile", Command: []string{"bash", "-c", "exec gunicorn --bind 0.0.0.0:$PORT 'pa$word' server:app", "web"}, Shell: true}
	plan, err := Prepare(p, []string{"--extra"}, Options{Env: MapEnv{"PORT": "9000"}, Limits: func() Limits { return Limits{CPUs: 1, MemoryMiB: 1024} }})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"bash", "-c", "exec gunicorn --bind 0.0.0.0:$PORT 'pa$word' server:app", "web", "--extra"}
	if !reflect.DeepEqual(plan.Argv, want) || plan.Env["PORT"] != "9000" || plan.Env["WEB_CONCURRENCY"] != "3" {
		t.Errorf("argv = %q, PORT %q, WEB_CONCURRENCY %q", plan.Argv, plan.Env["PORT"], plan.Env["WEB_CONCURRENCY"])
	}
}

func TestShellWords(t *testing.T) {
	env := MapEnv{"N": "3", "NAME": "my app", "HOME": "/home/app"}
	tests := []struct {
		in   string
		want []string
	}{
		{"--processes 2 --threads 4\n", []string{"--processes", "2", "--threads", "4"}},
		{"--processes $N # a comment\n--log-level info", []string{"--processes", "3", "--log-level", "info"}},
		{`--title "$NAME" --x '$NAME' --y ${MISSING:-def}`, []string{"--title", "my app", "--x", "$NAME", "--y", "def"}},
		{"--a\\\n --b", []string{"--a", "--b"}},
		{"--workers $W --x", []string{"--workers", "--x"}},
		{`--w "$W" --v ''`, []string{"--w", "", "--v", ""}},
		{"$$ 100$ pa$W", []string{"$$", "100$", "pa"}},
		{`"a\$N\x"`, []string{`a$N\x`}},
		{"", nil},
		// As in sh: an unquoted expansion is split into words, a quoted one
		// is not; the special parameters stay as written.
		{`--name $NAME --title "$NAME"`, []string{"--name", "my", "app", "--title", "my app"}},
		{"$1 $? ${#NAME} $((N * 2))", []string{"$1", "$?", "6", "6"}},
		{"--x={a,b} ~/logs", []string{"--x=a", "--x=b", "/home/app/logs"}},
	}
	for _, tt := range tests {
		got, err := ShellWords(tt.in, env)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ShellWords(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{`"open`, "--a; --b", "--a && --b", "--date $(date)", "${bad name}"} {
		if got, err := ShellWords(bad, env); err == nil {
			t.Errorf("ShellWords(%q) = %q, want an error: it is not a simple command's arguments", bad, got)
		}
	}
}

func TestServerArgsFileOrDirectory(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, ".warpdrive"), 0o755)
	if got, err := ServerArgs(root, "mod_wsgi", MapEnv{}); err != nil || got != nil {
		t.Errorf("no server_args: got %v, %v", got, err)
	}
	os.WriteFile(filepath.Join(root, ".warpdrive", "server_args"), []byte("--threads $T\n"), 0o644)
	if got, _ := ServerArgs(root, "gunicorn", MapEnv{"T": "7"}); !reflect.DeepEqual(got, []string{"--threads", "7"}) {
		t.Errorf("file: got %v", got)
	}
	os.Remove(filepath.Join(root, ".warpdrive", "server_args"))
	os.MkdirAll(filepath.Join(root, ".warpdrive", "server_args"), 0o755)
	os.WriteFile(filepath.Join(root, ".warpdrive", "server_args", "gunicorn"), []byte("--workers 3"), 0o644)
	if got, _ := ServerArgs(root, "gunicorn", MapEnv{}); !reflect.DeepEqual(got, []string{"--workers", "3"}) {
		t.Errorf("directory, matching mode: got %v", got)
	}
	if got, _ := ServerArgs(root, "mod_wsgi", MapEnv{}); got != nil {
		t.Errorf("directory, other mode: got %v", got)
	}
}

func TestHooksRunOnceAndSkipNonExecutable(t *testing.T) {
	dir := t.TempDir()
	counter := filepath.Join(dir, "count")
	os.WriteFile(filepath.Join(dir, "deploy-cfg"), []byte("#!/bin/sh\necho x >> "+counter+"\n"), 0o755)
	os.WriteFile(filepath.Join(dir, "deploy"), []byte("#!/bin/sh\nexit 0\n"), 0o644)
	var log strings.Builder
	h := Hooks{Dir: dir, Log: &log, CfgMarker: filepath.Join(dir, "marker")}
	env := MapEnv{"PATH": os.Getenv("PATH")}
	for i := 0; i < 2; i++ {
		if err := h.DeployCfg(env); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := os.ReadFile(counter); string(got) != "x\n" {
		t.Errorf("deploy-cfg ran %q times, want once", got)
	}
	if err := h.Run("deploy", env); err != nil || !strings.Contains(log.String(), "deploy is not executable; skipping") {
		t.Errorf("non-executable deploy: err %v, log %q", err, log.String())
	}
	if _, err := h.Runnable("migrate"); err == nil || !strings.Contains(err.Error(), "no action hook migrate") {
		t.Errorf("Runnable(missing) = %v", err)
	}
}

func TestCommandWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"gunicorn --workers 3 app:app", []string{"gunicorn", "--workers", "3", "app:app"}},
		{`migrate&&exec gunicorn -w "3" 'a b' x\ y`, []string{"migrate", "exec", "gunicorn", "-w", "3", "a b", "x y"}},
		{"FOO=1 uwsgi --http :$PORT > log; echo done", []string{"uwsgi", "--http", ":$PORT", "echo", "done"}},
		{`gunicorn -w "$WORKERS" $'\t' {a,b} ~/x`, []string{"gunicorn", "-w", `"$WORKERS"`, "\t", "a", "b", "~/x"}},
		{`bad "quote`, []string{"bad", `"quote`}},
	}
	for _, tt := range tests {
		if got := CommandWords(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("CommandWords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
