// Package hooks runs an application's warpdrive action hooks
// (`.warpdrive/action_hooks/`), at build time and at launch.
package hooks

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// Dir is where an application keeps its hooks.
func Dir(root string) string { return filepath.Join(root, ".warpdrive", "action_hooks") }

// ProcessHooks become process types of the same name
// (`docker run --entrypoint migrate IMAGE`).
var ProcessHooks = []string{"setup", "migrate", "alive", "ready", "verify"}

// Failure says a hook exited non-zero: its name, exit status and the end of
// its output.
type Failure struct {
	Name   string
	Status int
	Tail   []string
}

func (f Failure) Error() string {
	return fmt.Sprintf("action hook %s exited with status %d", f.Name, f.Status)
}

// NotExecutableError says a hook that must be run is not executable.
type NotExecutableError struct{ Name string }

func (e NotExecutableError) Error() string {
	return fmt.Sprintf(".warpdrive/action_hooks/%s is not executable", e.Name)
}

// Env is an environment as a map.
type Env map[string]string

// Lookup is os.LookupEnv for the map.
func (e Env) Lookup(name string) (string, bool) { v, ok := e[name]; return v, ok }

// FromOS reads the process environment.
func FromOS() Env {
	env := Env{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return env
}

// List returns NAME=value strings, sorted.
func (e Env) List() []string {
	out := make([]string, 0, len(e))
	for k, v := range e {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// Exists reports whether the hook file is present (executable or not).
func Exists(dir, name string) bool {
	fi, err := os.Stat(filepath.Join(dir, name))
	return err == nil && fi.Mode().IsRegular()
}

// Executable reports whether the hook is present and executable.
func Executable(dir, name string) bool {
	fi, err := os.Stat(filepath.Join(dir, name))
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// SourceEnv runs `set -a; . HOOK` in bash with env and returns the resulting
// environment (the *-env hooks need not be executable). A missing hook returns
// env unchanged.
func SourceEnv(dir, workdir, name string, env Env, log io.Writer) (Env, error) {
	path := filepath.Join(dir, name)
	if !Exists(dir, name) {
		return env, nil
	}
	var out, tail bytes.Buffer
	cmd := exec.Command("bash", "-c", `set -a; . "$1" >&2; env -0`, "warpdrive-"+name, path)
	cmd.Env = env.List()
	cmd.Dir = workdir
	cmd.Stdout, cmd.Stderr = &out, io.MultiWriter(log, &tail)
	if err := cmd.Run(); err != nil {
		return nil, Failure{Name: name, Status: exitStatus(err), Tail: lastLines(tail.String(), 15)}
	}
	next := Env{}
	for _, kv := range strings.Split(out.String(), "\x00") {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" && k != "_" && k != "SHLVL" && k != "PWD" {
			next[k] = v
		}
	}
	return next, nil
}

// Run runs an executable hook to completion in workdir (the application
// directory), with its output going to log. A missing hook does nothing.
func Run(dir, workdir, name string, env Env, log io.Writer) error {
	if !Exists(dir, name) {
		return nil
	}
	if !Executable(dir, name) {
		return NotExecutableError{Name: name}
	}
	var tail bytes.Buffer
	cmd := exec.Command(filepath.Join(dir, name))
	cmd.Env = env.List()
	cmd.Dir = workdir
	// One writer for both streams: exec then copies them through one pipe, in order.
	out := io.MultiWriter(log, &tail)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		return Failure{Name: name, Status: exitStatus(err), Tail: lastLines(tail.String(), 15)}
	}
	return nil
}

func exitStatus(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -1
}

func lastLines(s string, n int) []string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}
