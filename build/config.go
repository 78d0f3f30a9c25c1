package build

import (
	"os"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/server"
)

// target identifies the platform layers were built for; a change invalidates them.
func target(ctx libcnb.BuildContext) string {
	os, arch := ctx.TargetInfo.OS, ctx.TargetInfo.Arch
	if os == "" {
		os = "linux"
	}
	if arch == "" {
		arch = hostArch()
	}
	t := os + "/" + arch
	if ctx.TargetDistro.Name != "" {
		t += " " + ctx.TargetDistro.Name + "-" + ctx.TargetDistro.Version
	}
	return t
}

// applyEnvironmentFile exports `.warpdrive/environment` into the build (pip,
// hooks, the configuration and the Django settings see it); variables given to
// the build win.
func applyEnvironmentFile(vars []app.EnvVar, logger log.Logger) {
	for _, v := range vars {
		if _, set := os.LookupEnv(v.Name); set {
			logger.Bodyf(".warpdrive/environment: %s is already set for the build; keeping that value", v.Name)
			continue
		}
		os.Setenv(v.Name, v.Value)
	}
}

// checkEnvironment stops the build, before any work, on variables that would
// break the install, and warns about those warpdrive overrides. It runs again
// after the build-env hook, which may set more.
func (b Build) checkEnvironment() error {
	warnings, err := app.CheckBuildEnvironment(os.LookupEnv)
	for _, w := range warnings {
		b.Logger.Headerf("WARNING: %s", w)
	}
	return err
}

// resolveConfiguration resolves every setting once, now that
// `.warpdrive/environment` and the build-env hook have been applied, and
// decides how the application starts.
func (b Build) resolveConfiguration(s *step) error {
	if err := b.checkEnvironment(); err != nil {
		return err
	}
	s.resolver.LogConfiguration(b.Logger)
	var err error
	if s.config, err = app.ResolveConfig(s.source, &s.resolver); err != nil {
		return err
	}
	if s.launch, err = app.ResolveLaunch(s.config); err != nil {
		return err
	}
	b.Logger.Headerf("Deploy mode: %s (%s)", s.launch.Mode, s.launch.Reason)
	s.server, s.hasServer = server.Lookup(serverName(s.launch, s.config.ServerType))
	if s.hasServer && s.launch.Mode == app.ModeWSGI {
		b.Logger.Headerf("Server: %s (%s)", s.server.Name, s.config.ServerTypeSource)
	}
	return nil
}

// serverName names the WSGI server a deploy mode runs, "" for shell and python.
func serverName(l app.Launch, configured string) string {
	switch l.Mode {
	case app.ModeWSGI:
		return configured
	case app.ModePaste:
		return server.ModWSGI
	case app.ModeShell, app.ModePython, app.ModeProcfile:
		return ""
	default: // full control: the mode is the server's name
		return l.Mode
	}
}
