// Package build turns a Python web application into layers and a `web`
// process: CPython, pip's cache, the packages venv, mod_wsgi, Django's static
// files and the launch helper, each reused while its inputs are unchanged.
package build

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/layers"
	"github.com/warpdrive-buildpack/warpdrive/server"
)

// Build is warpdrive's build phase.
type Build struct {
	Logger log.Logger
}

// Build runs the build; every failure is reported once, as a titled message
// saying what happened and how to fix it.
func (b Build) Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	start := time.Now()
	b.Logger.Title(ctx.Buildpack.Info.Name, ctx.Buildpack.Info.Version, ctx.Buildpack.Info.Homepage)
	result, err := b.build(ctx)
	if err != nil {
		msg := Explain(err)
		fmt.Fprint(os.Stderr, msg.Format())
		return libcnb.BuildResult{}, errors.New(msg.Title)
	}
	b.Logger.Headerf("warpdrive finished in %s", time.Since(start).Round(100*time.Millisecond))
	return result, nil
}

// step carries what later steps need from earlier ones.
type step struct {
	ctx     libcnb.BuildContext
	config  libpak.ConfigurationResolver
	app     app.Config
	launch  app.Launch
	target  string
	runtime layers.Runtime
	// venv is the packages layer, once contributed.
	venv   string
	result libcnb.BuildResult
}

func (b Build) build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	md, err := libpak.NewBuildModuleMetadata(ctx.Buildpack.Metadata)
	if err != nil {
		return libcnb.BuildResult{}, fmt.Errorf("unable to read buildpack metadata\n%w", err)
	}
	cr, err := libpak.NewConfigurationResolver(md)
	if err != nil {
		return libcnb.BuildResult{}, err
	}
	cr.LogConfiguration(b.Logger)

	s := &step{ctx: ctx, config: cr, target: target(ctx), result: libcnb.NewBuildResult()}
	if s.app, err = app.LoadConfig(ctx.ApplicationPath, os.LookupEnv); err != nil {
		return libcnb.BuildResult{}, err
	}
	applyEnvironmentFile(s.app.Environment, b.Logger)
	if s.launch, err = app.ResolveLaunch(s.app); err != nil {
		return libcnb.BuildResult{}, err
	}
	b.Logger.Headerf("Deploy mode: %s (%s)", s.launch.Mode, s.launch.Reason)

	if err := b.python(s, md); err != nil {
		return libcnb.BuildResult{}, err
	}
	if err := b.packagesAndServer(s); err != nil {
		return libcnb.BuildResult{}, err
	}
	return s.result, nil
}

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
// hooks and the Django settings see it); variables given to the build win.
func applyEnvironmentFile(vars []app.EnvVar, logger log.Logger) {
	for _, v := range vars {
		if _, set := os.LookupEnv(v.Name); set {
			logger.Bodyf(".warpdrive/environment: %s is already set for the build; keeping that value", v.Name)
			continue
		}
		os.Setenv(v.Name, v.Value)
	}
}

func (b Build) python(s *step, md libpak.BuildModuleMetadata) error {
	def, _ := s.config.Resolve("BP_PYTHON_VERSION")
	req, err := app.RequestedPythonVersion(s.app.Home, os.LookupEnv, def)
	if err != nil {
		return err
	}
	dr, err := libpak.NewDependencyResolver(md, s.ctx.StackID)
	if err != nil {
		return err
	}
	dep, err := dr.Resolve("cpython", req.Constraint())
	if libpak.IsNoValidDependencies(err) {
		return PythonUnavailableError{Request: req, Available: availableVersions(md)}
	} else if err != nil {
		return err
	}
	b.Logger.Headerf("Python %s: requested %s by %s", dep.Version, req.Version, req.Source)

	dc, err := libpak.NewDependencyCache(s.ctx.Buildpack.Info.ID, s.ctx.Buildpack.Info.Version, s.ctx.Buildpack.Path, s.ctx.Platform.Bindings, b.Logger)
	if err != nil {
		return err
	}
	layer, rt, err := layers.Python{Dependency: dep, Cache: dc, Target: s.target, Logger: b.Logger}.Contribute(&s.ctx.Layers)
	if err != nil {
		return err
	}
	s.runtime = rt
	s.result.Layers = append(s.result.Layers, layer)
	return nil
}

// availableVersions lists the CPython versions for this architecture, oldest first.
func availableVersions(md libpak.BuildModuleMetadata) []string {
	var out []string
	for _, d := range md.Dependencies {
		arch, _ := d.GetArch()
		if d.ID == "cpython" && arch == hostArch() {
			out = append(out, d.Version)
		}
	}
	sort.Slice(out, func(i, j int) bool { return versionLess(out[i], out[j]) })
	return out
}

// versionLess compares dotted numeric versions (3.9.1 < 3.10.0).
func versionLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		na, _ := strconv.Atoi(pa[i])
		nb, _ := strconv.Atoi(pb[i])
		if na != nb {
			return na < nb
		}
	}
	return len(pa) < len(pb)
}

// serverFor names the WSGI server a deploy mode runs, "" for shell and python.
func serverFor(l app.Launch, configured string) string {
	switch l.Mode {
	case app.ModeWSGI:
		return configured
	case app.ModePaste:
		return app.ServerModWSGI
	case app.ModeShell, app.ModePython:
		return ""
	default:
		return l.Mode
	}
}

func (b Build) packagesAndServer(s *step) error {
	home := s.app.Home
	pipCache, err := layers.PipCache{Runtime: s.runtime, Target: s.target, Logger: b.Logger}.Contribute(&s.ctx.Layers)
	if err != nil {
		return err
	}
	s.result.Layers = append(s.result.Layers, pipCache)

	roots := requirementRoots(home, s.config)
	files := app.RequirementFiles(home, roots)
	srv := serverFor(s.launch, s.app.ServerType)

	// mod_wsgi comes from its own layer unless the app pins it itself.
	modWSGI := srv == app.ServerModWSGI && !app.Requires(home, files, "mod_wsgi")
	var apache layers.Apache
	var pth []string
	modWSGIPath := filepath.Join(s.ctx.Layers.Path, "mod_wsgi")
	if modWSGI {
		if apache, err = layers.FindApache(); err != nil {
			return err
		}
		pth = append(pth, layers.ModWSGISitePackages(modWSGIPath, s.runtime))
	} else if srv == app.ServerModWSGI {
		b.Logger.Header("mod_wsgi: installed from the application's requirements")
	}

	if err := b.runHook(s, "pre-build", s.runtime.Home); err != nil {
		return err
	}
	if err := b.sourceBuildEnv(s); err != nil {
		return err
	}

	extra := serverPackages(srv, home, files)
	if len(extra) > 0 {
		b.Logger.Headerf("Server %s: adding %s (not in the application's requirements)", srv, strings.Join(extra, ", "))
	}
	wheelhouse := filepath.Join(s.app.Root, ".warpdrive", "wheelhouse")
	if fi, err := os.Stat(wheelhouse); err != nil || !fi.IsDir() {
		wheelhouse = ""
	}
	pkgLayer, pkgMD, err := layers.Packages{
		Runtime: s.runtime, Home: home, Roots: roots, Files: files, Wheelhouse: wheelhouse, Extra: extra,
		PthPaths: pth, PipCache: pipCache.Path, Target: s.target, Logger: b.Logger,
	}.Contribute(&s.ctx.Layers)
	if err != nil {
		return err
	}
	s.result.Layers = append(s.result.Layers, pkgLayer)
	venvPython := layers.VenvPython(pkgLayer.Path)

	if modWSGI {
		version, _ := s.config.Resolve("BP_MOD_WSGI_VERSION")
		l, err := layers.ModWSGI{Version: version, Runtime: s.runtime, Venv: pkgLayer.Path, PipCache: pipCache.Path,
			Target: s.target, Logger: b.Logger}.Contribute(&s.ctx.Layers, apache)
		if err != nil {
			return err
		}
		s.result.Layers = append(s.result.Layers, l)
	}

	s.venv = pkgLayer.Path
	if err := b.runHook(s, "build", s.venv); err != nil {
		return err
	}

	spec := server.Spec{Launch: s.launch, Server: srv, Home: home}
	env := libcnb.Environment{}
	if s.launch.Mode == app.ModeWSGI {
		if s.launch.Django {
			if err := b.django(s, venvPython, pkgMD, &spec, env); err != nil {
				return err
			}
		} else {
			spec.Module, spec.Callable = s.launch.WSGIModule, s.launch.Callable
			b.plainStatic(s, &spec)
		}
	}
	if s.launch.Mode == app.ModePaste {
		b.plainStatic(s, &spec)
	}

	start, err := layers.Start{Binary: executable(s.ctx), Logger: b.Logger}.Contribute(&s.ctx.Layers)
	if err != nil {
		return err
	}
	s.result.Layers = append(s.result.Layers, start)

	envLayer, err := b.launchEnvironment(s, env, &spec)
	if err != nil {
		return err
	}
	s.result.Layers = append(s.result.Layers, envLayer)

	s.result.Processes = append(processes(spec, home), b.hookProcesses(s)...)
	for _, p := range s.result.Processes {
		b.Logger.Headerf("Process %s: %s %s", p.Type, strings.Join(p.Command, " "), strings.Join(p.Arguments, " "))
	}
	return nil
}

// requirementRoots are the files named by WARPDRIVE_PIP_PACKAGES; the default
// requirements.txt is skipped when absent, a file named explicitly is passed to
// pip so it reports the missing file.
func requirementRoots(home string, cr libpak.ConfigurationResolver) []string {
	value, explicit := cr.Resolve("WARPDRIVE_PIP_PACKAGES")
	var roots []string
	for _, f := range strings.Fields(value) {
		if explicit || app.FileExists(filepath.Join(home, f)) {
			roots = append(roots, f)
		}
	}
	return roots
}

func (b Build) django(s *step, python string, pkgMD layers.Metadata, spec *server.Spec, env libcnb.Environment) error {
	settings, err := layers.ProbeDjango(python, s.app.Home, s.launch.SettingsModule)
	if err != nil {
		return err
	}
	b.Logger.Headerf("Django settings %s: WSGI_APPLICATION=%s STATIC_URL=%s STATIC_ROOT=%s",
		settings.SettingsModule, orUnset(settings.WSGIApplication), orUnset(settings.StaticURL), orUnset(settings.StaticRoot))
	env.Default("DJANGO_SETTINGS_MODULE", settings.SettingsModule)

	module, callable, ok := layers.SplitWSGIApplication(settings.WSGIApplication)
	if !ok {
		return app.EntryPointError{Mode: s.launch.Mode, LookedFor: []string{"WSGI_APPLICATION in " + settings.SettingsModule + " (it is " + orUnset(settings.WSGIApplication) + ")"}}
	}
	spec.Module, spec.Callable = module, callable

	switch {
	case disabled(s.config, "DISABLE_COLLECTSTATIC"):
		b.Logger.Header("Django static files: collectstatic skipped (DISABLE_COLLECTSTATIC is set)")
		// Serve STATIC_ROOT only if something (a build hook, the source)
		// filled it: an alias to a missing directory only answers 403.
		if settings.StaticRoot == "" {
			break
		}
		if fi, err := os.Stat(settings.StaticRoot); err != nil || !fi.IsDir() {
			b.Logger.Bodyf("STATIC_ROOT %s does not exist, so no static files are served", settings.StaticRoot)
			break
		}
		spec.StaticURL, spec.StaticDir = settings.StaticURL, settings.StaticRoot
	case !settings.StaticFiles:
		b.Logger.Header("Django static files: django.contrib.staticfiles is not installed; nothing to collect")
	case settings.StaticRoot != "":
		b.Logger.Headerf("Django static files: collecting into the application's STATIC_ROOT %s", settings.StaticRoot)
		start := time.Now()
		if err := layers.Collectstatic(python, s.app.Home, nil, b.Logger); err != nil {
			return err
		}
		b.Logger.Bodyf("Completed in %s", time.Since(start).Round(100*time.Millisecond))
		spec.StaticURL, spec.StaticDir = settings.StaticURL, settings.StaticRoot
	default:
		appHash, err := app.TreeHash(s.ctx.ApplicationPath, ".git")
		if err != nil {
			return err
		}
		layer, dir, err := layers.Static{Python: python, Home: s.app.Home, Settings: settings, AppHash: appHash,
			PackagesHash: hashMetadata(pkgMD), Logger: b.Logger}.Contribute(&s.ctx.Layers)
		if err != nil {
			return err
		}
		s.result.Layers = append(s.result.Layers, layer)
		spec.StaticURL, spec.StaticDir = settings.StaticURL, dir
	}
	return nil
}

// plainStatic serves a plain WSGI application's static directory, when it has one.
func (b Build) plainStatic(s *step, spec *server.Spec) {
	url, _ := s.config.Resolve("WARPDRIVE_STATIC_URL")
	dir, _ := s.config.Resolve("WARPDRIVE_STATIC_DIR")
	if dir == "" || url == "" {
		return
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(s.app.Home, dir)
	}
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		spec.StaticURL, spec.StaticDir = layers.NormalizeStaticURL(url), dir
		b.Logger.Headerf("Static files: %s served at %s", dir, spec.StaticURL)
	}
}

// launchEnvironment is a small launch layer holding the environment every
// process gets: the source root for warpdrive-start, Django's settings module,
// and `.warpdrive/environment`. It is rewritten every build (it is tiny).
func (b Build) launchEnvironment(s *step, env libcnb.Environment, spec *server.Spec) (libcnb.Layer, error) {
	layer, err := s.ctx.Layers.Layer("environment")
	if err != nil {
		return libcnb.Layer{}, err
	}
	if layer, err = layer.Reset(); err != nil {
		return libcnb.Layer{}, err
	}
	if err := b.whiteNoiseWrapper(layer, spec); err != nil {
		return libcnb.Layer{}, err
	}
	layer.LayerTypes = libcnb.LayerTypes{Launch: true}
	layer.Metadata = map[string]interface{}{"purpose": "launch environment"}
	for k, v := range env {
		layer.LaunchEnvironment[k] = v
	}
	layer.LaunchEnvironment.Default("WARPDRIVE_SRC_ROOT", s.ctx.ApplicationPath)
	for _, v := range s.app.Environment {
		layer.LaunchEnvironment.Default(v.Name, v.Value)
	}
	return layer, nil
}

// processes: `web` runs the server; `shell` opens bash in the same environment.
func processes(spec server.Spec, home string) []libcnb.Process {
	web := process("web", home, server.Command(spec)...)
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

func disabled(cr libpak.ConfigurationResolver, name string) bool {
	v, _ := cr.Resolve(name)
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "false", "no":
		return false
	}
	return true
}

func hashMetadata(md layers.Metadata) string {
	var parts []string
	for _, k := range app.SortedNames(md) {
		parts = append(parts, k+"="+md[k])
	}
	return app.Digest(strings.Join(parts, "\n"))
}

func orUnset(s string) string {
	if s == "" {
		return "(unset)"
	}
	return s
}

// executable is the buildpack binary (bin/build links to it).
func executable(ctx libcnb.BuildContext) string {
	if p, err := os.Executable(); err == nil {
		return p
	}
	return filepath.Join(ctx.Buildpack.Path, "bin", "main")
}
