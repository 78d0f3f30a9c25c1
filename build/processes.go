package build

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/buildpacks/libcnb/v2"

	"github.com/warpdrive-buildpack/warpdrive/launch"
	"github.com/warpdrive-buildpack/warpdrive/server"
)

// processes declares `web` (the server), `shell` (bash in the same
// environment) and a process per hook process type.
func (b Build) processes(s *step) error {
	s.result.Processes = append(webAndShell(webPlan(s), s.config.Home), b.hookProcesses(s)...)
	for _, p := range s.result.Processes {
		b.Logger.Headerf("Process %s: %s", p.Type, strings.Join(p.Command, " "))
	}
	return nil
}

// webAndShell: `web` runs the start plan through warpdrive-start; `shell`
// opens bash in the same environment.
func webAndShell(plan launch.StartPlan, home string) []libcnb.Process {
	web := process("web", home, append([]string{server.Helper}, plan.Declared()...)...)
	web.Default = true
	return []libcnb.Process{web, process("shell", home, server.Helper, "--exec", "bash")}
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
