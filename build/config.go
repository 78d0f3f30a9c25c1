package build

import (
	"os"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/pep508"
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

// checkBuildVariables stops the build, before any work, on variables that would
// break the install, and warns about those warpdrive overrides. It runs again
// after the build-env hook, which may set more.
func (b Build) checkBuildVariables() error {
	warnings, err := app.CheckBuildVariables(os.LookupEnv)
	for _, w := range warnings {
		b.Logger.Headerf("WARNING: %s", w)
	}
	return err
}

// resolveConfiguration resolves every setting once, now that
// `.warpdrive/environment` and the build-env hook have been applied, and
// decides how the application starts.
func (b Build) resolveConfiguration(s *step) error {
	if err := b.checkBuildVariables(); err != nil {
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
	if s.dependencies, err = app.ChooseDependencies(s.config, pep508.Target(s.runtime.Version, hostArch())); err != nil {
		return err
	}
	logPlan(b.Logger, s.dependencies)
	name, why := serverName(s.launch, s.config.ServerType), s.config.ServerTypeSource
	s.protocol = server.WSGI
	if s.launch.Mode == app.ModeWSGI {
		s.protocol, name, why = chooseProtocol(s.dependencies, s.config, name, why)
	}
	s.server, s.hasServer = server.Lookup(name)
	switch {
	case s.hasServer && s.launch.Mode == app.ModeWSGI && s.protocol == server.ASGI:
		b.Logger.Headerf("Server: %s for an ASGI application (%s)", s.server.Name, why)
	case s.hasServer && s.launch.Mode == app.ModeWSGI:
		b.Logger.Headerf("Server: %s (%s)", s.server.Name, why)
	}
	return nil
}

// asgiSignals are distributions that make an application ASGI: the async
// frameworks, Django Channels, and the ASGI servers themselves.
var asgiSignals = []string{"fastapi", "starlette", "quart", "litestar", "channels", "uvicorn", "hypercorn", "daphne"}

// chooseProtocol decides, before anything is installed, whether the app is
// WSGI or ASGI, and which server runs it, so the right server is installed:
// a chosen server that speaks only ASGI says ASGI; else a dependency on an
// ASGI framework or server does. A chosen server is kept; without one, a
// server the app itself depends on (server.DependencyOrder, among those that
// speak the protocol) is the server, else uvicorn for an ASGI app and the
// default for a WSGI one. The build's import of the entry point checks the
// decision.
func chooseProtocol(plan app.DependencyPlan, c app.Config, name, why string) (server.Protocol, string, string) {
	srv, _ := server.Lookup(name)
	chosen := c.ServerTypeSource != "the default"
	if chosen && !srv.Speaks(server.WSGI) {
		return server.ASGI, name, why
	}
	files := app.RequirementFiles(c.Home, plan.Roots)
	protocol, signal := server.WSGI, ""
	for _, dist := range asgiSignals {
		if plan.Declares(c.Home, files, dist) {
			protocol, signal = server.ASGI, dist
			break
		}
	}
	switch {
	case chosen && protocol == server.ASGI && srv.Speaks(server.ASGI):
		return server.ASGI, name, why + "; ASGI because the app depends on " + signal
	case chosen:
		// A WSGI-only server chosen for an ASGI framework: the import decides.
		return server.WSGI, name, why
	}
	if dep, ok := dependencyServer(plan, c.Home, files, protocol); ok {
		return protocol, dep, "the app depends on " + dep
	}
	if protocol == server.ASGI {
		return server.ASGI, server.DefaultASGI, "the default for an ASGI app: it depends on " + signal
	}
	return server.WSGI, name, why
}

// dependencyServer is the first server in server.DependencyOrder that the
// app names among its direct dependencies (a lock's transitive pins do not
// count: fastapi[standard] brings uvicorn whatever server the app chose)
// and that speaks protocol.
func dependencyServer(plan app.DependencyPlan, home string, files []app.RequirementFile, protocol server.Protocol) (string, bool) {
	for _, name := range server.DependencyOrder {
		if srv, _ := server.Lookup(name); srv.Speaks(protocol) && plan.DependsDirectlyOn(home, files, name) {
			return name, true
		}
	}
	return "", false
}

// serverName names the WSGI server a deploy mode runs, "" for shell and python.
func serverName(l app.Launch, configured string) string {
	switch l.Mode {
	case app.ModeWSGI:
		return configured
	case app.ModePaste:
		return server.ModWSGI
	case app.ModeShell, app.ModePython, app.ModeProcfile, app.ModeScript:
		return ""
	default: // full control: the mode is the server's name
		return l.Mode
	}
}
