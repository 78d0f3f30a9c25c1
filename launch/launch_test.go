package launch

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var modWSGI = []string{"mod_wsgi-express", "start-server", "--port", "$PORT", "--", "--entry-point", "mysite.wsgi"}

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
			plan, err := Prepare(modWSGI, tt.env, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"mod_wsgi-express", "start-server", "--port", tt.port, "--entry-point", "mysite.wsgi"}
			if !reflect.DeepEqual(plan.Argv, want) {
				t.Errorf("argv = %v, want %v", plan.Argv, want)
			}
			if !contains(plan.Env, "PORT="+tt.port) {
				t.Errorf("the server's environment lacks PORT=%s", tt.port)
			}
		})
	}
}

func TestPrepareInsertsTuningAndServerArgsBeforeDerived(t *testing.T) {
	env := MapEnv{"MOD_WSGI_PROCESSES": "2", "MOD_WSGI_THREADS": "4", "MOD_WSGI_ACCESS_LOG": "1",
		"MOD_WSGI_ENABLE_DEBUGGER": "true", "MOD_WSGI_RELOAD_ON_CHANGES": "0", "MOD_WSGI_REQUEST_TIMEOUT": "30"}
	plan, err := Prepare(modWSGI, env, func(mode string) ([]string, error) {
		if mode != "mod_wsgi" {
			t.Errorf("server_args asked for mode %q", mode)
		}
		return []string{"--max-clients", "20"}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "mod_wsgi-express start-server --port 8080 --processes 2 --threads 4 --request-timeout 30 " +
		"--access-log --debug-mode --enable-debugger --max-clients 20 --entry-point mysite.wsgi"
	if got := strings.Join(plan.Argv, " "); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestPrepareRejectsBadCounts(t *testing.T) {
	for _, tt := range []struct{ name, value string }{
		{"MOD_WSGI_PROCESSES", "0"}, {"MOD_WSGI_PROCESSES", "-1"}, {"MOD_WSGI_THREADS", "lots"}, {"WEB_CONCURRENCY", "two"},
	} {
		_, err := Prepare(modWSGI, MapEnv{tt.name: tt.value}, nil)
		var se SettingError
		if !errors.As(err, &se) || se.Name != tt.name || !strings.Contains(err.Error(), tt.name) {
			t.Errorf("%s=%s: err = %v, want a SettingError naming the variable", tt.name, tt.value, err)
		}
	}
}

func TestModWSGIFlagsIgnoredForOtherServers(t *testing.T) {
	plan, err := Prepare([]string{"gunicorn", "--bind", "0.0.0.0:$PORT", "--", "wsgi:application"}, MapEnv{"MOD_WSGI_PROCESSES": "3"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(plan.Argv, " "); got != "gunicorn --bind 0.0.0.0:8080 wsgi:application" {
		t.Errorf("got %s", got)
	}
}

func TestExpandLeavesUnknownVariables(t *testing.T) {
	env := MapEnv{"HOME": "/home/app"}
	tests := map[string]string{"$HOME/x": "/home/app/x", "${HOME}": "/home/app", "$NOPE": "${NOPE}", "100$": "100$"}
	for in, want := range tests {
		if got := expand(in, env); got != want {
			t.Errorf("expand(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestModeOf(t *testing.T) {
	tests := map[string]string{"mod_wsgi-express": "mod_wsgi", "/x/bin/gunicorn": "gunicorn", "uwsgi": "uwsgi",
		"waitress-serve": "waitress", "python": "python", "/workspace/app.sh": "shell"}
	for in, want := range tests {
		if got := ModeOf(in); got != want {
			t.Errorf("ModeOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestShellWords(t *testing.T) {
	env := MapEnv{"N": "3", "NAME": "my app"}
	tests := []struct {
		in   string
		want []string
	}{
		{"--processes 2 --threads 4\n", []string{"--processes", "2", "--threads", "4"}},
		{"--processes $N # a comment\n--log-level info", []string{"--processes", "3", "--log-level", "info"}},
		{`--title "$NAME" --x '$NAME' --y ${MISSING:-def}`, []string{"--title", "my app", "--x", "$NAME", "--y", "def"}},
		{"--a\\\n --b", []string{"--a", "--b"}},
		{"", nil},
	}
	for _, tt := range tests {
		got, err := ShellWords(tt.in, env)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ShellWords(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := ShellWords(`"open`, env); err == nil {
		t.Error("an unterminated quote must be an error")
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

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
