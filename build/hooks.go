package build

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/buildpacks/libcnb/v2"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/hooks"
	"github.com/warpdrive-buildpack/warpdrive/server"
)

// hookEnv is the environment build hooks run with: the build's own, with
// WARPDRIVE_PHASE=build and prefix/bin first on PATH (the runtime before the
// venv exists, then the venv, "activated").
func hookEnv(prefix string, venv bool) hooks.Env {
	env := hooks.FromOS()
	env["WARPDRIVE_PHASE"] = "build"
	env["PATH"] = filepath.Join(prefix, "bin") + string(os.PathListSeparator) + env["PATH"]
	if venv {
		env["VIRTUAL_ENV"] = prefix
	}
	return env
}

// runHook runs a build hook (pre-build, build) if the application has one.
func (b Build) runHook(s *step, name, prefix string) error {
	dir := hooks.Dir(s.app.Root)
	if !hooks.Exists(dir, name) {
		return nil
	}
	b.Logger.Headerf("Running action hook %s", name)
	start := time.Now()
	err := hooks.Run(dir, s.app.Home, name, hookEnv(prefix, s.venv != ""), indentWriter(b))
	var ne hooks.NotExecutableError
	if errors.As(err, &ne) {
		b.Logger.Bodyf("WARNING: .warpdrive/action_hooks/%s is not executable, so it was not run (chmod +x it)", name)
		return nil
	} else if err != nil {
		return err
	}
	b.Logger.Bodyf("Completed in %s", time.Since(start).Round(100*time.Millisecond))
	return nil
}

// sourceBuildEnv sources the build-env hook and exports what it sets into the
// rest of the build (pip, the build hook, collectstatic).
func (b Build) sourceBuildEnv(s *step) error {
	dir := hooks.Dir(s.app.Root)
	if !hooks.Exists(dir, "build-env") {
		return nil
	}
	b.Logger.Header("Sourcing action hook build-env")
	before := hookEnv(s.runtime.Home, false)
	after, err := hooks.SourceEnv(dir, s.app.Home, "build-env", before, indentWriter(b))
	if err != nil {
		return err
	}
	var set []string
	for k, v := range after {
		if before[k] != v && k != "PATH" {
			os.Setenv(k, v)
			set = append(set, k)
		}
	}
	if len(set) > 0 {
		b.Logger.Bodyf("Exported %s", strings.Join(set, ", "))
	}
	return nil
}

// hookProcesses turns the application's setup, migrate, alive, ready and
// verify hooks into process types that run with the server's environment.
func (b Build) hookProcesses(s *step) []libcnb.Process {
	dir := hooks.Dir(s.app.Root)
	var out []libcnb.Process
	for _, name := range hooks.ProcessHooks {
		switch {
		case hooks.Executable(dir, name):
			out = append(out, process(name, s.app.Home, server.Helper, "--hook", name))
		case hooks.Exists(dir, name):
			b.Logger.Bodyf("WARNING: .warpdrive/action_hooks/%s is not executable, so it is not a process type (chmod +x it)", name)
		}
	}
	return out
}

// whiteNoiseWrapper writes the module gunicorn and waitress load instead of the
// application: WhiteNoise serving the static files around it, so the app's
// code does not change.
func (b Build) whiteNoiseWrapper(layer libcnb.Layer, spec *server.Spec) error {
	if spec.StaticURL == "" || spec.StaticDir == "" || (spec.Server != "gunicorn" && spec.Server != "waitress") || spec.Launch.Mode != "wsgi" {
		return nil
	}
	dir := filepath.Join(layer.Path, "python")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	src := fmt.Sprintf(`"""Written by warpdrive: serves %[3]s from %[4]s with WhiteNoise around
%[1]s.%[2]s, so %[5]s serves the static files without changes to the application."""
import importlib

from whitenoise import WhiteNoise

application = WhiteNoise(getattr(importlib.import_module(%[1]q), %[2]q), root=%[4]q, prefix=%[3]q)
`, spec.Module, spec.Callable, spec.StaticURL, spec.StaticDir, spec.Server)
	if err := os.WriteFile(filepath.Join(dir, server.WrapperModule+".py"), []byte(src), 0o644); err != nil {
		return err
	}
	layer.LaunchEnvironment.Prepend("PYTHONPATH", string(os.PathListSeparator), dir)
	spec.WrapperModule = server.WrapperModule
	b.Logger.Headerf("Static files: %s serves %s through WhiteNoise (%s)", spec.Server, spec.StaticURL, server.WrapperModule)
	return nil
}

// serverPackages are the distributions the chosen server needs that the
// application did not list: the server itself, and WhiteNoise for the servers
// that serve static files through it.
func serverPackages(srv, home string, files []app.RequirementFile) []string {
	var want []string
	switch srv {
	case app.ServerGunicorn:
		want = []string{"gunicorn", "whitenoise"}
	case app.ServerWaitress:
		want = []string{"waitress", "whitenoise"}
	case app.ServerUWSGI:
		want = []string{"uwsgi"}
	}
	var out []string
	for _, w := range want {
		if !app.Requires(home, files, w) {
			out = append(out, w)
		}
	}
	return out
}

// indentWriter puts a hook's output into the build log as body lines.
func indentWriter(b Build) *bodyWriter { return &bodyWriter{b: b} }

type bodyWriter struct {
	b   Build
	mu  sync.Mutex
	buf []byte
}

func (w *bodyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := strings.IndexByte(string(w.buf), '\n')
		if i < 0 {
			break
		}
		w.b.Logger.Body(string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
	return len(p), nil
}
