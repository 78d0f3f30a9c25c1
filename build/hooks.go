package build

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/warpdrive-buildpack/warpdrive/hooks"
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

// preBuildHooks runs pre-build (the runtime's python3 on PATH) and sources
// build-env, whose variables join the rest of the build and its configuration.
func (b Build) preBuildHooks(s *step) error {
	if err := b.runHook(s, "pre-build", s.runtime.Home); err != nil {
		return err
	}
	return b.sourceBuildEnv(s)
}

// buildHook runs the build hook with the venv active, after the packages and
// the server are installed and before collectstatic.
func (b Build) buildHook(s *step) error { return b.runHook(s, "build", s.venv) }

// runHook runs a build hook (pre-build, build) if the application has one.
func (b Build) runHook(s *step, name, prefix string) error {
	dir := hooks.Dir(s.source.Root)
	if !hooks.Exists(dir, name) {
		return nil
	}
	// A hook may run python3, or anything from the venv.
	if err := s.needPython(); err != nil {
		return err
	}
	b.Logger.Headerf("Running action hook %s", name)
	start := time.Now()
	err := hooks.Run(dir, s.source.Home, name, hookEnv(prefix, s.venv != ""), indentWriter(b))
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
	dir := hooks.Dir(s.source.Root)
	if !hooks.Exists(dir, "build-env") {
		return nil
	}
	if err := s.needPython(); err != nil {
		return err
	}
	b.Logger.Header("Sourcing action hook build-env")
	before := hookEnv(s.runtime.Home, false)
	after, err := hooks.SourceEnv(dir, s.source.Home, "build-env", before, indentWriter(b))
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
		sort.Strings(set)
		b.Logger.Bodyf("Exported %s", strings.Join(set, ", "))
	}
	return nil
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
