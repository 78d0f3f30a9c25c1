package launch

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// childVariable makes the test binary run warpdrive-start's Main with its
// arguments instead of the tests; its value says which seam to set first.
const childVariable = "WARPDRIVE_TEST_START_CHILD"

func TestMain(m *testing.M) {
	if seam, ok := os.LookupEnv(childVariable); ok {
		var host Host = osHost{}
		var proc Process = osProcess{}
		switch seam {
		case "as-root":
			host = rootHost{}
		case "sigterm-before-exec":
			proc = sigtermBeforeExec{}
		}
		os.Exit(start(host, proc, os.Args[1:], os.Stderr))
	}
	os.Exit(m.Run())
}

// rootHost is this machine, but for a uid that says root where the tests
// do not run as root.
type rootHost struct{ osHost }

func (rootHost) Getuid() int { return 0 }

// sigtermBeforeExec is this process, sent docker stop's SIGTERM after the
// hooks ran and before the exec: the window the signal used to be lost in.
type sigtermBeforeExec struct{ osProcess }

func (p sigtermBeforeExec) Stop(sigs chan<- os.Signal) {
	syscall.Kill(os.Getpid(), syscall.SIGTERM)
	time.Sleep(100 * time.Millisecond)
	p.osProcess.Stop(sigs)
}

// runStart runs warpdrive-start in a process of its own, as the container
// does, in an application directory, and returns its output and exit code.
func runStart(t *testing.T, seam, appDir string, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = appDir
	cmd.Env = append([]string{childVariable + "=" + seam, "PATH=" + os.Getenv("PATH"), "WARPDRIVE_SRC_ROOT=" + appDir}, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), code
}

// appWithHooks is an application directory whose hooks each record in ran/
// that they ran.
func appWithHooks(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	hooksDir := filepath.Join(dir, ".warpdrive", "action_hooks")
	must(t, os.MkdirAll(hooksDir, 0o755))
	must(t, os.MkdirAll(filepath.Join(dir, "ran"), 0o755))
	for _, name := range names {
		script := "#!/bin/sh\ntouch " + filepath.Join(dir, "ran", name) + "\n"
		must(t, os.WriteFile(filepath.Join(hooksDir, name), []byte(script), 0o755))
	}
	return dir
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Every process type is refused as root, and before any hook runs (a hook
// as root is the flaw the refusal prevents).
func TestMainRefusesRootForEveryProcessType(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"web", []string{"gunicorn", "app:app"}},
		{"a Procfile process", []string{"--process", "worker", "python", "worker.py"}},
		{"shell", []string{"--exec", "bash", "-c", "echo started"}},
		{"migrate and the other hook process types", []string{"--hook", "migrate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := appWithHooks(t, "deploy-env", "deploy-cfg", "deploy", "migrate")
			out, code := runStart(t, "as-root", dir, nil, tt.args...)
			if code != 1 || !strings.Contains(out, "ERROR: warpdrive-start: [Running as root]") {
				t.Errorf("exit %d, want 1 and the refusal:\n%s", code, out)
			}
			if ran, _ := os.ReadDir(filepath.Join(dir, "ran")); len(ran) > 0 {
				t.Errorf("a hook ran as root before the refusal: %s", ran[0].Name())
			}
		})
	}
	t.Run("WARPDRIVE_ALLOW_ROOT=1", func(t *testing.T) {
		dir := appWithHooks(t, "migrate")
		out, code := runStart(t, "as-root", dir, []string{AllowRootVariable + "=1"}, "--hook", "migrate")
		if _, err := os.Stat(filepath.Join(dir, "ran", "migrate")); code != 0 || err != nil {
			t.Errorf("exit %d, migrate ran: %v\n%s", code, err, out)
		}
	})
}

// docker stop's SIGTERM that arrives after warpdrive-start began catching
// signals and before the exec stops the start with 143: the server, which
// would never receive it, is not started.
func TestSignalBeforeExecStopsTheStart(t *testing.T) {
	dir := appWithHooks(t)
	out, code := runStart(t, "sigterm-before-exec", dir, []string{AllowRootVariable + "=1"}, "--exec", "sh", "-c", "echo the command ran")
	if code != 128+int(syscall.SIGTERM) || strings.Contains(out, "the command ran") {
		t.Errorf("exit %d, want 143 without starting the command:\n%s", code, out)
	}
	if !strings.Contains(out, "Stopping: terminated before the server started") {
		t.Errorf("the log does not say why:\n%s", out)
	}
	// Without a signal the same start runs the command.
	out, code = runStart(t, "", dir, []string{AllowRootVariable + "=1"}, "--exec", "sh", "-c", "echo the command ran")
	if code != 0 || !strings.Contains(out, "the command ran") {
		t.Errorf("without a signal: exit %d\n%s", code, out)
	}
}

// deploy-cfg runs once per container, recorded by a marker; without the
// hook nothing is written, and a marker that cannot be written (a read-only
// root without a writable /tmp) lets the start go on with a warning.
func TestDeployCfgMarker(t *testing.T) {
	tests := []struct {
		name      string
		hook      bool
		writable  bool
		wantRuns  string
		wantLog   string
		wantMarks bool
	}{
		{"no hook: nothing written", false, true, "", "", false},
		{"no hook, nowhere to write", false, false, "", "", false},
		{"the hook runs once", true, true, "x\n", "Running action hook deploy-cfg", true},
		{"nowhere to write the marker", true, false, "x\nx\n", "deploy-cfg ran, but this container cannot record that it did", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			counter := filepath.Join(dir, "count")
			if tt.hook {
				must(t, os.WriteFile(filepath.Join(dir, "deploy-cfg"), []byte("#!/bin/sh\necho x >> "+counter+"\n"), 0o755))
			}
			tmp := filepath.Join(dir, "tmp")
			if tt.writable {
				must(t, os.Mkdir(tmp, 0o755))
			} else {
				// A file where the directory should be: not writable, even for root.
				must(t, os.WriteFile(tmp, nil, 0o644))
			}
			t.Setenv("TMPDIR", tmp) // where os.TempDir looks too
			var log strings.Builder
			h := Hooks{Dir: dir, Log: &log}
			env := MapEnv{"PATH": os.Getenv("PATH"), "TMPDIR": tmp}
			for range 2 {
				if err := h.DeployCfg(env); err != nil {
					t.Fatal(err)
				}
			}
			if got, _ := os.ReadFile(counter); string(got) != tt.wantRuns {
				t.Errorf("deploy-cfg ran %q, want %q", got, tt.wantRuns)
			}
			if !strings.Contains(log.String(), tt.wantLog) {
				t.Errorf("log %q lacks %q", log.String(), tt.wantLog)
			}
			entries, _ := os.ReadDir(tmp)
			if (len(entries) > 0) != tt.wantMarks {
				t.Errorf("the temporary directory holds %v, want a marker: %v", entries, tt.wantMarks)
			}
		})
	}
}
