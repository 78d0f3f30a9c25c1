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
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/warpdrive-buildpack/warpdrive/hooks"
	"github.com/warpdrive-buildpack/warpdrive/server"
)

// DefaultPort is used when neither PORT nor WARPDRIVE_HTTP_PORT is set.
const DefaultPort = "8080"

// Plan is the final command line and environment, ready to exec.
type Plan struct {
	Argv []string
	Env  MapEnv
	// Notes are printed to the startup log before the server starts.
	Notes []string
}

// MapEnv is an environment as a map.
type MapEnv = hooks.Env

// Options are Prepare's inputs besides the start plan.
type Options struct {
	Env MapEnv
	// ServerArgs returns `.warpdrive/server_args` for a mode, already expanded.
	ServerArgs func(mode string) ([]string, error)
	// Limits reads the container's CPU and memory limits.
	Limits func() Limits
}

// Prepare computes the command to exec from the build's start plan, the
// arguments given to `docker run` and the environment. The order is the same
// for every mode:
//
//	base command, tuning flags (MOD_WSGI_*), the worker count,
//	.warpdrive/server_args, derived arguments, `docker run` arguments
//
// Every word is expanded exactly once: the build's words ($PORT) here, shell
// style; server_args by ShellWords when read; `docker run` arguments and
// tuning values never (they reach the server as given).
func Prepare(p StartPlan, user []string, o Options) (Plan, error) {
	env := copyEnv(o.Env)
	env["PORT"] = resolvePort(env)

	var inserted, notes []string
	if srv, ok := server.Lookup(p.Mode); ok && srv.Tuning != nil {
		flags, err := srv.Tuning(env.Lookup)
		if err != nil {
			return Plan{}, err
		}
		inserted = append(inserted, flags...)
	}
	// A shell command is the user's whole command line: server_args are for
	// the servers and scripts warpdrive starts.
	var extra []string
	if o.ServerArgs != nil && !p.Shell {
		var err error
		if extra, err = o.ServerArgs(p.Mode); err != nil {
			return Plan{}, err
		}
	}
	workers, err := concurrency(p.Mode, env, o.Limits, userWords(p, extra, user))
	if err != nil {
		return Plan{}, err
	}
	inserted = append(inserted, workers.flags...)
	notes = append(notes, workers.notes...)
	if len(extra) > 0 {
		notes = append(notes, "Adding .warpdrive/server_args: "+strings.Join(extra, " "))
	}
	inserted = append(inserted, extra...)

	argv := p.Command
	if !p.Shell {
		argv = ExpandWords(p.Command, env)
	}
	argv = append(append([]string{}, argv...), inserted...)
	argv = append(argv, ExpandWords(p.Derived, env)...)
	argv = append(argv, user...)
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

func copyEnv(env MapEnv) MapEnv {
	out := MapEnv{}
	for k, v := range env {
		out[k] = v
	}
	return out
}

// Main is warpdrive-start's entry point; it returns only on failure.
//
//	warpdrive-start SERVER ARGS... [-- DERIVED...]  the web process, as its start plan says
//	warpdrive-start --process NAME COMMAND...         a Procfile process, as its start plan says
//	warpdrive-start --hook NAME [ARGS...]            an action hook as a process type
//	warpdrive-start --exec COMMAND [ARGS...]         any command in the app's environment
func Main(args []string, stderr io.Writer) int {
	env := hooks.FromOS()
	fail := func(code int, format string, a ...interface{}) int {
		fmt.Fprintf(stderr, "ERROR: warpdrive-start: "+format+"\n", a...)
		return code
	}
	// Every process type is refused as root, before any hook runs: a hook
	// or `shell` as root is as much a flaw of the whole container as a
	// server. WARPDRIVE_ALLOW_ROOT is read from the container's environment,
	// not from deploy-env, which would already run as root.
	if err := checkUser(getuid(), env); err != nil {
		return fail(1, "%s", err)
	}
	root := env["WARPDRIVE_SRC_ROOT"]
	if root == "" {
		root, _ = os.Getwd()
	}
	workdir, _ := os.Getwd() // the process's working directory: the application home
	// Until the exec, this process is PID 1: docker stop's SIGTERM is relayed
	// to a running hook, and then this process ends with 128+signal.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	actions := Hooks{Dir: filepath.Join(root, ".warpdrive", "action_hooks"), Workdir: workdir, Log: stderr, Signals: sigs}
	hookFailed := func(err error) int {
		var stopped hooks.Interrupted
		if errors.As(err, &stopped) {
			fmt.Fprintf(stderr, "-----> Stopping: %s\n", err)
			return stopped.ExitCode()
		}
		return fail(1, "%s", err)
	}

	env["WARPDRIVE_PHASE"] = "deploy"
	env, err := actions.DeployEnv(env)
	if err != nil {
		return hookFailed(err)
	}
	if len(args) >= 1 && (args[0] == "--hook" || args[0] == "--exec") {
		if len(args) < 2 {
			return fail(2, "%s needs an argument", args[0])
		}
		argv := args[1:]
		if args[0] == "--hook" {
			if err := actions.DeployCfg(env); err != nil {
				return hookFailed(err)
			}
			path, err := actions.Runnable(args[1])
			if err != nil {
				return fail(1, "%s", err)
			}
			fmt.Fprintf(stderr, "-----> Running action hook %s\n", args[1])
			argv = append([]string{path}, args[2:]...)
		}
		return execve(argv, env.List(), sigs, stderr)
	}

	process := "web"
	if len(args) >= 2 && args[0] == "--process" {
		process, args = args[1], args[2:]
	}
	start, err := ReadStartPlan(env[PlanVariable], process)
	if err != nil {
		return fail(1, "%s", err)
	}
	user, err := start.UserArguments(args)
	if err != nil {
		return fail(1, "%s", err)
	}
	plan, err := Prepare(start, user, Options{
		Env:        env,
		ServerArgs: func(mode string) ([]string, error) { return ServerArgs(root, mode, env) },
		Limits:     ReadLimits,
	})
	if err != nil {
		return fail(1, "%s", err)
	}
	if err := actions.DeployCfg(plan.Env); err != nil {
		return hookFailed(err)
	}
	// deploy prepares the web server's start; a Procfile's release or worker
	// process is not the web server.
	if process == "web" {
		if err := actions.Run("deploy", plan.Env); err != nil {
			return hookFailed(err)
		}
	}
	for _, n := range plan.Notes {
		fmt.Fprintf(stderr, "-----> %s\n", n)
	}
	fmt.Fprintf(stderr, "-----> Executing server command '%s'\n", strings.Join(plan.Argv, " "))
	if m, ok := splitModWSGIStart(plan.Argv); ok {
		if code := runToEnd(m.Setup, plan.Env.List(), stderr); code != 0 {
			return code
		}
		apache, err := m.ApacheArgv()
		if err != nil {
			return fail(1, "%s", err)
		}
		return execve(apache, plan.Env.List(), sigs, stderr)
	}
	return execve(plan.Argv, plan.Env.List(), sigs, stderr)
}

// runToEnd runs argv (found on env's PATH) with the container's stdout and
// stderr and returns its exit code.
func runToEnd(argv, env []string, stderr io.Writer) int {
	path, err := lookPath(argv[0], env)
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: warpdrive-start: cannot run %s: %s\n", argv[0], err)
		return 127
	}
	cmd := exec.Command(path, argv[1:]...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, os.Stdout, stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) && exit.ExitCode() > 0 {
			return exit.ExitCode()
		}
		fmt.Fprintf(stderr, "ERROR: warpdrive-start: %s: %s\n", argv[0], err)
		return 1
	}
	return 0
}

// execve replaces this process with argv[0] (found on PATH), so the server or
// hook is the process that receives signals. A signal that came since Main
// started catching them (docker stop during the start) ends this process with
// the signal's status instead: the server would never hear of it.
func execve(argv, env []string, sigs chan os.Signal, stderr io.Writer) int {
	if sig, ok := stopSignal(sigs); ok {
		fmt.Fprintf(stderr, "-----> Stopping: %s before the server started\n", sig)
		return 128 + int(sig)
	}
	path, err := lookPath(argv[0], env)
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: warpdrive-start: cannot run %s: %s\n", argv[0], err)
		return 127
	}
	err = syscall.Exec(path, argv, env)
	fmt.Fprintf(stderr, "ERROR: warpdrive-start: exec %s: %s\n", path, err)
	return 126
}

// getuid is os.Getuid; a test makes it say root on a machine where the
// tests do not run as root.
var getuid = os.Getuid

// beforeExec runs just before the last look at the caught signals; a test
// sets it to send a signal inside the window between signal.Notify and exec.
var beforeExec = func() {}

// stopSignal stops catching signals and returns one that arrived meanwhile.
// signal.Stop returns only once every signal caught so far is on the channel,
// and from then on a signal has its default action (it ends this process,
// and after the exec it reaches the server): none falls in between.
func stopSignal(sigs chan os.Signal) (syscall.Signal, bool) {
	beforeExec()
	signal.Stop(sigs)
	for {
		select {
		case s := <-sigs:
			if sig, ok := s.(syscall.Signal); ok {
				return sig, true
			}
		default:
			return 0, false
		}
	}
}

// lookPath searches the PATH of env (which deploy-env may have changed); a
// name with a slash is a path already.
func lookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
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
