package hooks

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func hookDir(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	dir := Dir(root)
	os.MkdirAll(dir, 0o755)
	for name, src := range files {
		mode := os.FileMode(0o755)
		if strings.HasSuffix(name, "!") {
			name, mode = strings.TrimSuffix(name, "!"), 0o644
		}
		os.WriteFile(filepath.Join(dir, name), []byte(src), mode)
	}
	return dir
}

func TestSourceEnv(t *testing.T) {
	dir := hookDir(t, map[string]string{"build-env!": "FOO=bar\nexport BAZ=\"$FOO-qux\"\necho sourced\n"})
	var log bytes.Buffer
	env, err := SourceEnv(dir, t.TempDir(), "build-env", Env{"PATH": os.Getenv("PATH"), "KEEP": "1"}, &log)
	if err != nil {
		t.Fatal(err)
	}
	if env["FOO"] != "bar" || env["BAZ"] != "bar-qux" || env["KEEP"] != "1" {
		t.Errorf("env = %v", env)
	}
	if !strings.Contains(log.String(), "sourced") {
		t.Errorf("the hook's output must reach the log, got %q", log.String())
	}
	same, _ := SourceEnv(dir, t.TempDir(), "deploy-env", Env{"A": "1"}, &log)
	if !reflect.DeepEqual(same, Env{"A": "1"}) {
		t.Error("a missing hook must leave the environment unchanged")
	}
}

func TestRun(t *testing.T) {
	dir := hookDir(t, map[string]string{
		"build":      "#!/bin/sh\necho \"phase=$WARPDRIVE_PHASE cwd=$(pwd)\"\n",
		"deploy":     "#!/bin/sh\necho doing things\necho it broke >&2\nexit 3\n",
		"pre-build!": "#!/bin/sh\nexit 0\n",
	})
	var log bytes.Buffer
	if err := Run(dir, filepath.Dir(filepath.Dir(dir)), "build", Env{"WARPDRIVE_PHASE": "build"}, &log); err != nil {
		t.Fatal(err)
	}
	if want := "phase=build cwd=" + filepath.Dir(filepath.Dir(dir)); !strings.Contains(log.String(), want) {
		t.Errorf("log %q lacks %q (hooks run in the application directory)", log.String(), want)
	}
	err := Run(dir, t.TempDir(), "deploy", Env{}, &log)
	var f Failure
	if !errors.As(err, &f) || f.Status != 3 || !reflect.DeepEqual(f.Tail, []string{"doing things", "it broke"}) {
		t.Errorf("err = %#v", err)
	}
	var ne NotExecutableError
	if err := Run(dir, t.TempDir(), "pre-build", Env{}, &log); !errors.As(err, &ne) {
		t.Errorf("a non-executable hook: err = %v", err)
	}
	if err := Run(dir, t.TempDir(), "missing", Env{}, &log); err != nil {
		t.Errorf("a missing hook: err = %v", err)
	}
}

// TestSourceEnvExit: the environment a *-env hook leaves is read however the
// hook ends, including `exit 0`, which used to end the shell before the dump
// and so returned an empty environment with no error.
func TestSourceEnvExit(t *testing.T) {
	for _, tc := range []struct {
		name   string
		hook   string
		want   Env      // variables that must be in the result (besides KEEP)
		absent []string // and ones that must not
		log    string   // in the log
		status int      // non-zero: a Failure with this status
		err    string   // in the error, for other failures
	}{
		{name: "ends normally", hook: "FOO=bar\n", want: Env{"FOO": "bar"}},
		{name: "exit 0 at the end", hook: "FOO=bar\nexport BAZ=\"$FOO-qux\"\necho sourced\nexit 0\n",
			want: Env{"FOO": "bar", "BAZ": "bar-qux"}, log: "sourced"},
		{name: "a bare exit", hook: "FOO=bar\ntrue\nexit\n", want: Env{"FOO": "bar"}},
		{name: "exit in a branch skips the rest", hook: "FOO=bar\nif true; then exit 0; fi\nLATER=1\n",
			want: Env{"FOO": "bar"}, absent: []string{"LATER"}},
		{name: "exit in a function", hook: "f() { FOO=bar; exit 0; }\nf\n", want: Env{"FOO": "bar"}},
		{name: "a failing last command is not an exit", hook: "FOO=bar\nfalse\n", want: Env{"FOO": "bar"}},
		{name: "the hook may use fd 3", hook: "exec 3>/dev/null\nFOO=bar\necho to-three >&3\nexit 0\n",
			want: Env{"FOO": "bar"}},
		{name: "the hook's own EXIT trap runs, into the log", hook: "trap 'echo own trap' EXIT\nFOO=bar\n",
			want: Env{"FOO": "bar"}, log: "own trap"},
		{name: "exit 3 is a failure", hook: "echo about to fail\nexit 3\n", status: 3, log: "about to fail"},
		{name: "set -e and a failing command is a failure", hook: "set -e\nfalse\nFOO=bar\n", status: 1},
		{name: "replacing the EXIT trap, then exit 0, is an error, not an empty environment",
			hook: "trap 'echo own trap' EXIT\nFOO=bar\nexit 0\n", err: "before its environment could be read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := hookDir(t, map[string]string{"deploy-env!": tc.hook})
			var log bytes.Buffer
			env, err := SourceEnv(dir, t.TempDir(), "deploy-env", Env{"PATH": os.Getenv("PATH"), "KEEP": "1"}, &log)
			if tc.log != "" && !strings.Contains(log.String(), tc.log) {
				t.Errorf("log %q lacks %q", log.String(), tc.log)
			}
			var f Failure
			switch {
			case tc.status != 0:
				if !errors.As(err, &f) || f.Status != tc.status {
					t.Errorf("err = %#v, want a Failure with status %d", err, tc.status)
				}
				return
			case tc.err != "":
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("err = %v (env %v), want one saying %q", err, env, tc.err)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			for k, v := range tc.want {
				if env[k] != v {
					t.Errorf("%s = %q, want %q (env %v)", k, env[k], v, env)
				}
			}
			if env["KEEP"] != "1" || env["PATH"] == "" {
				t.Errorf("the environment the hook started with is lost: %v", env)
			}
			for k := range env {
				if k == "_" || k == "SHLVL" || k == "PWD" || strings.Contains(k, "warpdrive") {
					t.Errorf("%s must not be in the result", k)
				}
			}
			for _, k := range tc.absent {
				if _, ok := env[k]; ok {
					t.Errorf("%s is set, but the hook exited before setting it", k)
				}
			}
		})
	}
}

// TestSourceEnvBackgroundChild: a child the hook leaves running inherits the
// descriptor the environment comes back on; SourceEnv must not wait for it.
func TestSourceEnvBackgroundChild(t *testing.T) {
	dir := hookDir(t, map[string]string{"deploy-env!": "sleep 3 >/dev/null 2>&1 &\nFOO=bar\n"})
	start := time.Now()
	env, err := SourceEnv(dir, t.TempDir(), "deploy-env", Env{"PATH": os.Getenv("PATH")}, io.Discard)
	if err != nil || env["FOO"] != "bar" {
		t.Fatalf("env = %v, err = %v", env, err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("SourceEnv waited %s for the hook's background child", d)
	}
}

// syncBuffer is a log the test can read while a hook writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSignals: a signal the caller relays reaches the running hook and its
// children, and the hook's end is reported as Interrupted, promptly.
func TestSignals(t *testing.T) {
	defer func(d time.Duration) { killAfter = d }(killAfter)
	killAfter = 300 * time.Millisecond
	const trapsTerm = "trap 'echo got TERM; exit 0' TERM\necho started\nsleep 30 &\nwait\n"
	for _, tc := range []struct {
		name   string
		hook   string
		source bool // SourceEnvWithSignals rather than RunWithSignals
		sig    syscall.Signal
		code   int
		log    string
	}{
		{name: "a hook that traps TERM gets it", hook: "#!/bin/bash\n" + trapsTerm,
			sig: syscall.SIGTERM, code: 143, log: "got TERM"},
		{name: "a plain sleep ends: the whole process group is signalled", hook: "#!/bin/sh\necho started\nsleep 30\n",
			sig: syscall.SIGTERM, code: 143},
		{name: "SIGINT is relayed as SIGINT", hook: "#!/bin/bash\ntrap 'echo got INT; exit 0' INT\necho started\nsleep 30\n",
			sig: syscall.SIGINT, code: 130, log: "got INT"},
		// sh makes `&` jobs ignore SIGINT, so the sleep outlives the hook.
		{name: "children left behind are killed after killAfter", hook: "#!/bin/sh\ntrap 'echo got INT; exit 0' INT\necho started\nsleep 30 &\nwait\n",
			sig: syscall.SIGINT, code: 130, log: "got INT"},
		{name: "a hook that ignores TERM is killed after killAfter", hook: "#!/bin/sh\ntrap '' TERM\necho started\nsleep 30\n",
			sig: syscall.SIGTERM, code: 143},
		{name: "a sourced env hook gets it too", hook: trapsTerm, source: true,
			sig: syscall.SIGTERM, code: 143, log: "got TERM"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := hookDir(t, map[string]string{"hook": tc.hook})
			log := &syncBuffer{}
			sigs := make(chan os.Signal, 1)
			done := make(chan error, 1)
			go func() {
				env := Env{"PATH": os.Getenv("PATH")}
				if tc.source {
					_, err := SourceEnvWithSignals(dir, t.TempDir(), "hook", env, log, sigs)
					done <- err
					return
				}
				done <- RunWithSignals(dir, t.TempDir(), "hook", env, log, sigs)
			}()
			waitFor(t, log, "started")
			sigs <- tc.sig
			var err error
			select {
			case err = <-done:
			case <-time.After(2 * time.Second):
				t.Fatalf("the hook was still running 2s after %v; log %q", tc.sig, log)
			}
			var in Interrupted
			if !errors.As(err, &in) || in.Name != "hook" || in.Signal != tc.sig || in.ExitCode() != tc.code {
				t.Errorf("err = %#v, want Interrupted by %v, exit code %d", err, tc.sig, tc.code)
			}
			if !strings.Contains(log.String(), tc.log) {
				t.Errorf("log %q lacks %q", log, tc.log)
			}
		})
	}
}

// waitFor waits until the log has want in it.
func waitFor(t *testing.T, log *syncBuffer, want string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(log.String(), want); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("log %q never had %q", log, want)
		}
	}
}

// TestSignalsUnused: with a channel that carries no signal, hooks end and
// fail as with Run and SourceEnv.
func TestSignalsUnused(t *testing.T) {
	dir := hookDir(t, map[string]string{
		"ok":          "#!/bin/sh\necho fine\n",
		"fails":       "#!/bin/sh\necho broke\nexit 3\n",
		"deploy-env!": "FOO=bar\nexit 0\n",
	})
	sigs := make(chan os.Signal)
	for _, tc := range []struct {
		name   string
		status int
	}{{"ok", 0}, {"fails", 3}} {
		err := RunWithSignals(dir, t.TempDir(), tc.name, Env{}, io.Discard, sigs)
		var f Failure
		if (tc.status == 0 && err != nil) || (tc.status != 0 && (!errors.As(err, &f) || f.Status != tc.status)) {
			t.Errorf("%s: err = %#v, want status %d", tc.name, err, tc.status)
		}
	}
	env, err := SourceEnvWithSignals(dir, t.TempDir(), "deploy-env", Env{"PATH": os.Getenv("PATH")}, io.Discard, sigs)
	if err != nil || env["FOO"] != "bar" {
		t.Errorf("env = %v, err = %v", env, err)
	}
}

func TestInterruptedExitCode(t *testing.T) {
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGTERM, 143}, {syscall.SIGINT, 130}, {syscall.SIGKILL, 137}, {syscall.SIGHUP, 129}} {
		in := Interrupted{Name: "deploy", Signal: tc.sig}
		if in.ExitCode() != tc.code {
			t.Errorf("%v: ExitCode() = %d, want %d", tc.sig, in.ExitCode(), tc.code)
		}
		if !strings.Contains(in.Error(), "deploy") {
			t.Errorf("Error() = %q lacks the hook's name", in.Error())
		}
	}
}
