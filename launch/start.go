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

	"github.com/warpdrive-buildpack/warpdrive/hooks"
)

// DefaultPort is used when neither PORT nor WARPDRIVE_HTTP_PORT is set.
const DefaultPort = "8080"

// marker separates base from derived arguments in the process command.
const marker = "--"

// Plan is the final command line and environment, ready to exec.
type Plan struct {
	Argv []string
	Env  MapEnv
	// Notes are printed to the startup log before the server starts.
	Notes []string
}

// MapEnv is an environment as a map.
type MapEnv = hooks.Env

// Options are Prepare's inputs besides the process arguments.
type Options struct {
	Env MapEnv
	// ServerArgs returns `.warpdrive/server_args` for a mode.
	ServerArgs func(mode string) ([]string, error)
	// Limits reads the container's CPU and memory limits.
	Limits func() Limits
}

// Prepare computes the command to exec from the process arguments (server
// command, the marker, derived arguments) and the environment.
func Prepare(args []string, o Options) (Plan, error) {
	if len(args) == 0 {
		return Plan{}, errors.New("no command given: warpdrive-start COMMAND [ARGS...]")
	}
	env := copyEnv(o.Env)
	env["PORT"] = resolvePort(env)
	baseArgs, derivedArgs := splitAtMarker(args)

	mode := ModeOf(baseArgs[0])
	var inserted, notes []string
	if mode == "mod_wsgi" {
		flags, err := ModWSGIFlags(env.Lookup)
		if err != nil {
			return Plan{}, err
		}
		inserted = append(inserted, flags...)
	}
	workers, err := concurrency(mode, env, o.Limits)
	if err != nil {
		return Plan{}, err
	}
	inserted = append(inserted, workers.flags...)
	notes = append(notes, workers.notes...)
	if o.ServerArgs != nil {
		extra, err := o.ServerArgs(mode)
		if err != nil {
			return Plan{}, err
		}
		if len(extra) > 0 {
			notes = append(notes, "Adding .warpdrive/server_args: "+strings.Join(extra, " "))
		}
		inserted = append(inserted, extra...)
	}

	argv := append(append(append([]string{}, baseArgs...), inserted...), derivedArgs...)
	for i, a := range argv {
		argv[i] = expand(a, env)
	}
	return Plan{Argv: argv, Env: env, Notes: notes}, nil
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

// Main is warpdrive-start's entry point; it returns only on failure.
//
//	warpdrive-start SERVER ARGS... [-- DERIVED...]  the web process
//	warpdrive-start --hook NAME [ARGS...]            an action hook as a process type
//	warpdrive-start --exec COMMAND [ARGS...]         any command in the app's environment
func Main(args []string, stderr io.Writer) int {
	env := hooks.FromOS()
	root := env["WARPDRIVE_SRC_ROOT"]
	if root == "" {
		root, _ = os.Getwd()
	}
	workdir, _ := os.Getwd() // the process's working directory: the application home
	hooks := Hooks{Dir: filepath.Join(root, ".warpdrive", "action_hooks"), Workdir: workdir, Log: stderr}
	fail := func(code int, format string, a ...interface{}) int {
		fmt.Fprintf(stderr, "ERROR: warpdrive-start: "+format+"\n", a...)
		return code
	}

	env["WARPDRIVE_PHASE"] = "deploy"
	env, err := hooks.DeployEnv(env)
	if err != nil {
		return fail(1, "%s", err)
	}
	if len(args) >= 1 && (args[0] == "--hook" || args[0] == "--exec") {
		if len(args) < 2 {
			return fail(2, "%s needs an argument", args[0])
		}
		argv := args[1:]
		if args[0] == "--hook" {
			if err := hooks.DeployCfg(env); err != nil {
				return fail(1, "%s", err)
			}
			path, err := hooks.Runnable(args[1])
			if err != nil {
				return fail(1, "%s", err)
			}
			fmt.Fprintf(stderr, "-----> Running action hook %s\n", args[1])
			argv = append([]string{path}, args[2:]...)
		}
		return execve(argv, env.List(), stderr)
	}

	plan, err := Prepare(args, Options{
		Env:        env,
		ServerArgs: func(mode string) ([]string, error) { return ServerArgs(root, mode, env) },
		Limits:     func() Limits { return ReadLimits("/sys/fs/cgroup", "/proc/meminfo") },
	})
	if err != nil {
		return fail(1, "%s", err)
	}
	if err := hooks.DeployCfg(plan.Env); err != nil {
		return fail(1, "%s", err)
	}
	if err := hooks.Run("deploy", plan.Env); err != nil {
		return fail(1, "%s", err)
	}
	for _, n := range plan.Notes {
		fmt.Fprintf(stderr, "-----> %s\n", n)
	}
	fmt.Fprintf(stderr, "-----> Executing server command '%s'\n", strings.Join(plan.Argv, " "))
	return execve(plan.Argv, plan.Env.List(), stderr)
}

// execve replaces this process with argv[0] (found on PATH), so the server or
// hook is the process that receives signals.
func execve(argv, env []string, stderr io.Writer) int {
	path := argv[0]
	if !strings.Contains(path, "/") {
		p, err := lookPath(path, env)
		if err != nil {
			fmt.Fprintf(stderr, "ERROR: warpdrive-start: cannot run %s: %s\n", argv[0], err)
			return 127
		}
		path = p
	}
	err := syscall.Exec(path, argv, env)
	fmt.Fprintf(stderr, "ERROR: warpdrive-start: exec %s: %s\n", path, err)
	return 126
}

// lookPath searches the PATH of env (which deploy-env may have changed).
func lookPath(name string, env []string) (string, error) {
	for _, kv := range env {
		if dirs, ok := strings.CutPrefix(kv, "PATH="); ok {
			for _, dir := range filepath.SplitList(dirs) {
				p := filepath.Join(dir, name)
				if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
					return p, nil
				}
			}
		}
	}
	return exec.LookPath(name)
}
