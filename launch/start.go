// Package launch is warpdrive-start, the program every warpdrive process runs
// through at launch. The lifecycle's launcher expands no variables, so the
// values known only when the container starts (the platform's $PORT, the
// MOD_WSGI_* tuning, `.warpdrive/server_args`) are applied here; then the
// server replaces this process (exec), so it is the one receiving SIGTERM.
package launch

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

// DefaultPort is used when neither PORT nor WARPDRIVE_HTTP_PORT is set.
const DefaultPort = "8080"

// marker separates base from derived arguments in the process command.
const marker = "--"

// Plan is the final command line and environment, ready to exec.
type Plan struct {
	Argv []string
	Env  []string
}

// Env is the launch environment, read-only to Prepare.
type Env interface {
	Lookup(name string) (string, bool)
}

// MapEnv is an Env backed by a map (used by tests and built from os.Environ).
type MapEnv map[string]string

func (m MapEnv) Lookup(name string) (string, bool) { v, ok := m[name]; return v, ok }

// Prepare computes the command to exec from the process arguments (server
// command, the marker, derived arguments) and the environment.
func Prepare(args []string, env MapEnv, serverArgs func(mode string) ([]string, error)) (Plan, error) {
	if len(args) == 0 {
		return Plan{}, errors.New("no command given: warpdrive-start COMMAND [ARGS...]")
	}
	env = copyEnv(env)
	env["PORT"] = resolvePort(env)

	baseArgs, derivedArgs := splitAtMarker(args)
	mode := ModeOf(baseArgs[0])
	var inserted []string
	if mode == "mod_wsgi" {
		flags, err := ModWSGIFlags(env.Lookup)
		if err != nil {
			return Plan{}, err
		}
		inserted = append(inserted, flags...)
	}
	if err := checkConcurrency(env); err != nil {
		return Plan{}, err
	}
	if serverArgs != nil {
		extra, err := serverArgs(mode)
		if err != nil {
			return Plan{}, err
		}
		inserted = append(inserted, extra...)
	}

	argv := append(append(append([]string{}, baseArgs...), inserted...), derivedArgs...)
	for i, a := range argv {
		argv[i] = expand(a, env)
	}
	return Plan{Argv: argv, Env: env.List()}, nil
}

// checkConcurrency rejects a WEB_CONCURRENCY that no server can use.
func checkConcurrency(env MapEnv) error {
	if v, ok := env["WEB_CONCURRENCY"]; ok && v != "" {
		if _, err := positiveCount("WEB_CONCURRENCY", v); err != nil {
			return err
		}
	}
	return nil
}

// resolvePort: the platform's PORT (Cloud Run, Heroku), else warpdrive's
// WARPDRIVE_HTTP_PORT, else 8080.
func resolvePort(env MapEnv) string {
	for _, name := range []string{"PORT", "WARPDRIVE_HTTP_PORT"} {
		if v := strings.TrimSpace(env[name]); v != "" {
			return v
		}
	}
	return DefaultPort
}

// ModeOf names the server_args mode of a command: the server for WSGI
// servers, "python" for python, "shell" for a script.
func ModeOf(command string) string {
	switch base := filepath.Base(command); base {
	case "mod_wsgi-express":
		return "mod_wsgi"
	case "gunicorn", "uwsgi":
		return base
	case "waitress-serve":
		return "waitress"
	case "python", "python3":
		return "python"
	default:
		return "shell"
	}
}

// expand replaces $NAME and ${NAME} with set variables; unset ones stay as
// written, so a literal "$" in an argument survives.
func expand(s string, env MapEnv) string {
	return os.Expand(s, func(name string) string {
		if v, ok := env[name]; ok {
			return v
		}
		if strings.ContainsAny(name, "{}") {
			return "$" + name
		}
		return "${" + name + "}"
	})
}

// splitAtMarker splits the process arguments at the first marker: base
// arguments before it, derived ones after it.
func splitAtMarker(args []string) (base, derived []string) {
	for i, a := range args {
		if a == marker {
			return args[:i], args[i+1:]
		}
	}
	return args, nil
}

func copyEnv(env MapEnv) MapEnv {
	out := MapEnv{}
	for k, v := range env {
		out[k] = v
	}
	return out
}

// List returns the environment as NAME=value strings.
func (m MapEnv) List() []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	return out
}

// EnvFromOS reads the process environment.
func EnvFromOS() MapEnv {
	env := MapEnv{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return env
}

// Main is warpdrive-start's entry point; it returns only on failure.
func Main(args []string, stderr io.Writer) int {
	env := EnvFromOS()
	root := env["WARPDRIVE_SRC_ROOT"]
	if root == "" {
		root, _ = os.Getwd()
	}
	plan, err := Prepare(args, env, func(mode string) ([]string, error) {
		return ServerArgs(root, mode, env)
	})
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: warpdrive-start: %s\n", err)
		return 1
	}
	path, err := exec.LookPath(plan.Argv[0])
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: warpdrive-start: cannot run %s: %s\n", plan.Argv[0], err)
		return 127
	}
	fmt.Fprintf(stderr, "-----> Executing server command '%s'\n", strings.Join(plan.Argv, " "))
	err = syscall.Exec(path, plan.Argv, plan.Env)
	fmt.Fprintf(stderr, "ERROR: warpdrive-start: exec %s: %s\n", path, err)
	return 126
}
