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
	return start(osHost{}, osProcess{}, args, stderr)
}

// Host is what warpdrive-start reads of the container it starts in.
type Host interface {
	// Environ is the container's environment.
	Environ() MapEnv
	Getuid() int
	// Getwd is the process's working directory: the application home.
	Getwd() (string, error)
	// Limits are the container's CPU and memory limits.
	Limits() Limits
}

// Process is what warpdrive-start does as a process: catch the stop
// signals until it execs, run a program to its end, replace itself.
type Process interface {
	// Notify relays SIGTERM and SIGINT to sigs; Stop ends that.
	Notify(sigs chan<- os.Signal)
	Stop(sigs chan<- os.Signal)
	// Run runs path with the container's stdout and stderr, to its end.
	Run(path string, argv, env []string, stderr io.Writer) error
	// Exec replaces this process with path; it returns only on failure.
	Exec(path string, argv, env []string) error
}

// starter is one start: what every step of it reads and writes.
type starter struct {
	host   Host
	proc   Process
	stderr io.Writer
	env    MapEnv
	// root is WARPDRIVE_SRC_ROOT, where .warpdrive is.
	root    string
	sigs    chan os.Signal
	actions Hooks
}

// start is Main with its host and process given.
func start(host Host, proc Process, args []string, stderr io.Writer) int {
	s := &starter{host: host, proc: proc, stderr: stderr, env: host.Environ()}
	// Every process type is refused as root, before any hook runs: a hook
	// or `shell` as root is as much a flaw of the whole container as a
	// server. WARPDRIVE_ALLOW_ROOT is read from the container's environment,
	// not from deploy-env, which would already run as root.
	if err := checkUser(host.Getuid(), s.env); err != nil {
		return s.fail(1, "%s", err)
	}
	workdir, _ := host.Getwd() // the process's working directory: the application home
	s.root = s.env["WARPDRIVE_SRC_ROOT"]
	if s.root == "" {
		s.root = workdir
	}
	// Until the exec, this process is PID 1: docker stop's SIGTERM is relayed
	// to a running hook, and then this process ends with 128+signal.
	s.sigs = make(chan os.Signal, 4)
	proc.Notify(s.sigs)
	s.actions = Hooks{Dir: filepath.Join(s.root, ".warpdrive", "action_hooks"), Workdir: workdir, Log: stderr, Signals: s.sigs}

	s.env["WARPDRIVE_PHASE"] = "deploy"
	env, err := s.actions.DeployEnv(s.env)
	if err != nil {
		return s.hookFailed(err)
	}
	s.env = env
	if len(args) >= 1 && (args[0] == "--hook" || args[0] == "--exec") {
		return s.command(args[0], args[1:])
	}
	process := "web"
	if len(args) >= 2 && args[0] == "--process" {
		process, args = args[1], args[2:]
	}
	return s.process(process, args)
}

func (s *starter) fail(code int, format string, a ...interface{}) int {
	fmt.Fprintf(s.stderr, "ERROR: warpdrive-start: "+format+"\n", a...)
	return code
}

// hookFailed ends the start after a hook failed, or was stopped by a signal.
func (s *starter) hookFailed(err error) int {
	var stopped hooks.Interrupted
	if errors.As(err, &stopped) {
		fmt.Fprintf(s.stderr, "-----> Stopping: %s\n", err)
		return stopped.ExitCode()
	}
	return s.fail(1, "%s", err)
}

// command runs `--exec COMMAND...` or `--hook NAME ARGS...`.
func (s *starter) command(flag string, argv []string) int {
	if len(argv) < 1 {
		return s.fail(2, "%s needs an argument", flag)
	}
	if flag == "--hook" {
		if err := s.actions.DeployCfg(s.env); err != nil {
			return s.hookFailed(err)
		}
		path, err := s.actions.Runnable(argv[0])
		if err != nil {
			return s.fail(1, "%s", err)
		}
		fmt.Fprintf(s.stderr, "-----> Running action hook %s\n", argv[0])
		argv = append([]string{path}, argv[1:]...)
	}
	return s.execve(argv, s.env.List())
}

// process starts a process type as the build's start plan says, with the
// arguments `docker run` gave after its declared command.
func (s *starter) process(process string, args []string) int {
	start, err := ReadStartPlan(s.env[PlanVariable], process)
	if err != nil {
		return s.fail(1, "%s", err)
	}
	user, err := start.UserArguments(args)
	if err != nil {
		return s.fail(1, "%s", err)
	}
	env := s.env
	plan, err := Prepare(start, user, Options{
		Env:        env,
		ServerArgs: func(mode string) ([]string, error) { return ServerArgs(s.root, mode, env) },
		Limits:     s.host.Limits,
	})
	if err != nil {
		return s.fail(1, "%s", err)
	}
	if err := s.actions.DeployCfg(plan.Env); err != nil {
		return s.hookFailed(err)
	}
	// deploy prepares the web server's start; a Procfile's release or worker
	// process is not the web server.
	if process == "web" {
		if err := s.actions.Run("deploy", plan.Env); err != nil {
			return s.hookFailed(err)
		}
	}
	return s.serve(plan)
}

// serve execs the plan's command; mod_wsgi-express is set up first and
// Apache exec'd through its control script (see splitModWSGIStart).
func (s *starter) serve(plan Plan) int {
	for _, n := range plan.Notes {
		fmt.Fprintf(s.stderr, "-----> %s\n", n)
	}
	fmt.Fprintf(s.stderr, "-----> Executing server command '%s'\n", strings.Join(plan.Argv, " "))
	if m, ok := splitModWSGIStart(plan.Argv); ok {
		if code := s.runToEnd(m.Setup, plan.Env.List()); code != 0 {
			return code
		}
		apache, err := m.ApacheArgv()
		if err != nil {
			return s.fail(1, "%s", err)
		}
		return s.execve(apache, plan.Env.List())
	}
	return s.execve(plan.Argv, plan.Env.List())
}

// runToEnd runs argv (found on env's PATH) with the container's stdout and
// stderr and returns its exit code.
func (s *starter) runToEnd(argv, env []string) int {
	path, err := lookPath(argv[0], env)
	if err != nil {
		return s.fail(127, "cannot run %s: %s", argv[0], err)
	}
	if err := s.proc.Run(path, argv, env, s.stderr); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) && exit.ExitCode() > 0 {
			return exit.ExitCode()
		}
		return s.fail(1, "%s: %s", argv[0], err)
	}
	return 0
}

// execve replaces this process with argv[0] (found on PATH), so the server or
// hook is the process that receives signals. A signal that came since Main
// started catching them (docker stop during the start) ends this process with
// the signal's status instead: the server would never hear of it.
func (s *starter) execve(argv, env []string) int {
	if sig, ok := s.stopSignal(); ok {
		fmt.Fprintf(s.stderr, "-----> Stopping: %s before the server started\n", sig)
		return 128 + int(sig)
	}
	path, err := lookPath(argv[0], env)
	if err != nil {
		return s.fail(127, "cannot run %s: %s", argv[0], err)
	}
	err = s.proc.Exec(path, argv, env)
	return s.fail(126, "exec %s: %s", path, err)
}

// stopSignal stops catching signals and returns one that arrived meanwhile.
// signal.Stop returns only once every signal caught so far is on the channel,
// and from then on a signal has its default action (it ends this process,
// and after the exec it reaches the server): none falls in between.
func (s *starter) stopSignal() (syscall.Signal, bool) {
	s.proc.Stop(s.sigs)
	for {
		select {
		case sig := <-s.sigs:
			if sig, ok := sig.(syscall.Signal); ok {
				return sig, true
			}
		default:
			return 0, false
		}
	}
}

// osHost is the container warpdrive-start runs in.
type osHost struct{}

func (osHost) Environ() MapEnv        { return hooks.FromOS() }
func (osHost) Getuid() int            { return os.Getuid() }
func (osHost) Getwd() (string, error) { return os.Getwd() }
func (osHost) Limits() Limits         { return ReadLimits() }

// osProcess is this process.
type osProcess struct{}

func (osProcess) Notify(sigs chan<- os.Signal) { signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT) }
func (osProcess) Stop(sigs chan<- os.Signal)   { signal.Stop(sigs) }

func (osProcess) Run(path string, argv, env []string, stderr io.Writer) error {
	cmd := exec.Command(path, argv[1:]...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, os.Stdout, stderr
	return cmd.Run()
}

func (osProcess) Exec(path string, argv, env []string) error { return syscall.Exec(path, argv, env) }

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
