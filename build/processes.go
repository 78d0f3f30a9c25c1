package build

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/buildpacks/libcnb/v2"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/hooks"
	"github.com/warpdrive-buildpack/warpdrive/launch"
	"github.com/warpdrive-buildpack/warpdrive/layers"
	"github.com/warpdrive-buildpack/warpdrive/server"
)

// processes declares `web`, `shell` (bash in the same environment), one per
// Procfile entry, one per hook process type and, for Django, `migrate`.
func (b Build) processes(s *step) error {
	switch {
	case s.workerOnly():
		b.Logger.Headerf("The Procfile has no web process, and the app no web entry point: the image runs its processes (%s)", strings.Join(s.config.Procfile.Names(), ", "))
	case s.launch.Mode == app.ModeProcfile:
		b.Logger.Headerf("Using the Procfile's web process: %s", s.launch.Procfile)
		b.Logger.Body("To use warpdrive's derived server instead, set WARPDRIVE_DEPLOY_MODE=auto (or a deploy mode) for the build, or write it to .warpdrive/deploy_mode")
	}
	procs := planProcesses(s.plans, s.config.Home)
	taken := map[string]bool{}
	for _, p := range procs {
		taken[p.Type] = true
	}
	for _, p := range b.hookProcesses(s) {
		if taken[p.Type] {
			b.Logger.Bodyf("The Procfile's %s process wins over .warpdrive/action_hooks/%s", p.Type, p.Type)
			continue
		}
		procs, taken[p.Type] = append(procs, p), true
	}
	if s.launch.Django && !taken["migrate"] {
		procs = append(procs, process("migrate", s.config.Home, server.Helper, "--exec", "python", "-m", layers.MigrateModule, "--noinput"))
	}
	s.result.Processes = procs
	for _, p := range s.result.Processes {
		b.Logger.Headerf("Process %s: %s", p.Type, strings.Join(p.Command, " "))
	}
	return nil
}

// planProcesses: `web` (the default) and every other planned process run
// through warpdrive-start; `shell` opens bash in the same environment.
// Without web, a single process is the default (a worker-only app runs
// with a plain `docker run IMAGE`); of several, none is.
func planProcesses(plans launch.StartPlans, home string) []libcnb.Process {
	var out []libcnb.Process
	if web, ok := plans["web"]; ok {
		p := process("web", home, append([]string{server.Helper}, web.Declared()...)...)
		p.Default = true
		out = append(out, p)
	}
	var names []string
	for name := range plans {
		if name != "web" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		out = append(out, process(name, home, append([]string{server.Helper, "--process", name}, plans[name].Declared()...)...))
	}
	if _, ok := plans["web"]; !ok && len(out) == 1 {
		out[0].Default = true
	}
	if _, ok := plans["shell"]; !ok {
		out = append(out, process("shell", home, server.Helper, "--exec", "bash"))
	}
	return out
}

// hookProcesses turns the application's setup, migrate, alive, ready and
// verify hooks into process types that run with the server's environment.
func (b Build) hookProcesses(s *step) []libcnb.Process {
	dir := hooks.Dir(s.source.Root)
	var out []libcnb.Process
	for _, name := range hooks.ProcessHooks {
		switch {
		case hooks.Executable(dir, name):
			out = append(out, process(name, s.source.Home, server.Helper, "--hook", name))
		case hooks.Exists(dir, name):
			b.Logger.Bodyf("WARNING: .warpdrive/action_hooks/%s is not executable, so it is not a process type (chmod +x it)", name)
		}
	}
	return out
}

// process declares a process type whose whole command line is its `command`.
// The launcher (buildpack API 0.9+) lets arguments given to `docker run IMAGE
// ...` replace a process's `args`; with none declared it appends them instead,
// so `docker run --entrypoint shell IMAGE -c CMD` runs `bash -c CMD`, a hook
// gets its arguments, and the server gets extra flags.
func process(kind, home string, command ...string) libcnb.Process {
	return libcnb.Process{Type: kind, Command: command, WorkingDirectory: home}
}

// executable is the buildpack binary (bin/build links to it).
func executable(s *step) string {
	if p, err := os.Executable(); err == nil {
		return p
	}
	return filepath.Join(s.ctx.Buildpack.Path, "bin", "main")
}
