// Package hooks runs an application's warpdrive action hooks
// (`.warpdrive/action_hooks/`), at build time and at launch.
package hooks

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/internal/lines"
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

// EnvironmentLostError says a sourced hook ended without the environment it
// leaves being written: it exec'd, or replaced the EXIT trap and then exited.
type EnvironmentLostError struct{ Name string }

func (e EnvironmentLostError) Error() string {
	return fmt.Sprintf("action hook %s exited before its environment could be read", e.Name)
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
// env unchanged. The hook may end with `exit 0`; another exit status is a
// Failure.
func SourceEnv(dir, workdir, name string, env Env, log io.Writer) (Env, error) {
	return SourceEnvWithSignals(dir, workdir, name, env, log, nil)
}

// SourceEnvWithSignals is SourceEnv, relaying the signals that arrive on sigs
// to the hook as RunWithSignals does.
func SourceEnvWithSignals(dir, workdir, name string, env Env, log io.Writer, sigs <-chan os.Signal) (Env, error) {
	if !Exists(dir, name) {
		return env, nil
	}
	var tail bytes.Buffer
	cmd := exec.Command("bash", "-c", sourceScript, "warpdrive-"+name, filepath.Join(dir, name))
	cmd.Env = env.List()
	cmd.Dir = workdir
	cmd.Stderr = io.MultiWriter(log, &tail)
	dump, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var next Env
	var complete bool
	sig, err := supervise(cmd, sigs, func() { next, complete = readEnv(dump) })
	switch {
	case sig != 0:
		return nil, Interrupted{Name: name, Signal: sig}
	case err != nil:
		return nil, Failure{Name: name, Status: exitStatus(err), Tail: lines.Last(tail.String(), 15)}
	case !complete:
		return nil, EnvironmentLostError{Name: name}
	}
	return next, nil
}

// sourceScript sources the hook ($1) with its output going to stderr, and
// writes the environment it leaves, then envEnd, to the original stdout,
// kept on a descriptor bash picks (10 or above, clear of the 3-9 scripts
// use by hand).
//
// A hook that calls `exit 0` ends the shell before the line after `.`, so the
// EXIT trap dumps as well; the guard makes it happen once. A hook that
// replaces the trap and then exits leaves no dump, which SourceEnv reports
// rather than returning an empty environment. The bookkeeping comes before
// `set -a`, and the guard is set after `env -0`, so that none of it is
// exported into the result.
const sourceScript = `exec {__warpdrive_env}>&1 >&2
__warpdrive_dumped=
__warpdrive_dump() {
	[ -z "$__warpdrive_dumped" ] || return 0
	env -0 >&"$__warpdrive_env" && printf '` + envEnd + `\0' >&"$__warpdrive_env"
	__warpdrive_dumped=1
}
trap __warpdrive_dump EXIT
set -a
. "$1"
__warpdrive_dump`

// envEnd ends the dump; having no "=", it cannot be a variable.
const envEnd = "warpdrive-env-end"

// readEnv reads the NUL-separated dump up to envEnd, without the variables
// bash sets for itself. complete is false if the dump never came. Reading
// stops at envEnd rather than at EOF because the hook's background children
// inherit the dump's descriptor and may keep it open.
func readEnv(r io.Reader) (env Env, complete bool) {
	br := bufio.NewReader(r)
	env = Env{}
	for {
		kv, err := br.ReadString(0)
		if err != nil {
			return env, false
		}
		kv = strings.TrimSuffix(kv, "\x00")
		if kv == envEnd {
			return env, true
		}
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" && k != "_" && k != "SHLVL" && k != "PWD" {
			env[k] = v
		}
	}
}

// Run runs an executable hook to completion in workdir (the application
// directory), with its output going to log. A missing hook does nothing.
func Run(dir, workdir, name string, env Env, log io.Writer) error {
	return RunWithSignals(dir, workdir, name, env, log, nil)
}

// RunWithSignals is Run for a caller that catches signals (signal.Notify)
// and passes them on sigs: while the hook runs, each is relayed to the
// hook's process group, and if one came, the result is Interrupted however
// the hook ended. A nil sigs is Run: the hook stays in the caller's process
// group and so gets a terminal's Ctrl-C directly.
func RunWithSignals(dir, workdir, name string, env Env, log io.Writer, sigs <-chan os.Signal) error {
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
	sig, err := supervise(cmd, sigs, nil)
	if sig != 0 {
		return Interrupted{Name: name, Signal: sig}
	}
	if err != nil {
		return Failure{Name: name, Status: exitStatus(err), Tail: lines.Last(tail.String(), 15)}
	}
	return nil
}

func exitStatus(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -1
}
