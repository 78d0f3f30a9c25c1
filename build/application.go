package build

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/layers"
	"github.com/warpdrive-buildpack/warpdrive/server"
)

// application finds what the web process serves: the entry point (checked
// by importing it) and the static files (Django's collected ones, or a plain
// app's directory). A Procfile's web process still gets Django's static files
// collected, as on Heroku.
func (b Build) application(s *step) error {
	s.entry = server.Entry{Home: s.config.Home}
	switch {
	case usesDjangoSettings(s.launch):
		if err := b.django(s); err != nil {
			return err
		}
		if s.launch.Mode == app.ModeWSGI && s.launch.Entry.Module != "" {
			return b.entryPoint(s)
		}
	case s.launch.Mode == app.ModeWSGI:
		if err := b.entryPoint(s); err != nil {
			return err
		}
		if s.launch.Mode == app.ModeWSGI { // not app.py run as a script after all
			b.plainStatic(s)
		}
	case s.launch.Mode == app.ModePaste:
		b.plainStatic(s)
	}
	return nil
}

// usesDjangoSettings: the build reads the Django settings (for the entry point
// and the static files) in the wsgi and Procfile modes.
func usesDjangoSettings(l app.Launch) bool {
	return l.Django && (l.Mode == app.ModeWSGI || l.Mode == app.ModeProcfile)
}

// probeTimeout bounds the build-time import of the entry module.
const probeTimeout = 30 * time.Second

// entryPoint imports the entry module in the venv and checks its callable: a
// missing name fails the build, naming what the module has; an import that
// fails (the app may need variables only the runtime has) is a warning. A
// factory or a dotted attribute is served through a generated module with a
// plain name, which every server and static-files wrapper can load.
func (b Build) entryPoint(s *step) error {
	ep := s.launch.Entry
	guess := ep.Attr == "" // a module alone: the name is found as `flask run` finds it
	if guess {
		ep.Attr = "app"
	}
	probe, err := b.probeEntryPoint(s, ep, probeTimeout)
	if err != nil {
		return err
	}
	found := guessedName(probe.Candidates)
	if s.launch.ScriptFallback && (probe.TimedOut || !probe.Found && probe.ImportError == "" && found == nil) {
		why := "it defines none of app, application, create_app or make_app"
		if probe.TimedOut {
			why = "importing it did not finish in " + probeTimeout.String()
		}
		b.Logger.Headerf("app.py runs as a script after all (python app.py): %s", why)
		s.launch.Mode, s.launch.Reason = app.ModePython, "auto: found app.py; "+why
		return nil
	}
	switch {
	case probe.TimedOut:
		b.Logger.Headerf("WARNING: importing %s took longer than %s; the entry point %s was not checked", ep.Module, probeTimeout, ep)
	case probe.ImportError != "":
		b.Logger.Headerf("WARNING: importing %s at build time failed, so the entry point %s was not checked (the app may need variables only the running container has):", ep.Module, ep)
		for _, line := range strings.Split(strings.TrimRight(probe.ImportError, "\n"), "\n") {
			b.Logger.Body(line)
		}
	case !probe.Found && guess && found != nil:
		ep.Attr, ep.Call = found.Attr, found.Call
		// What the found name is (an application or a factory) is only
		// known from a probe of that name.
		if probe, err = b.probeEntryPoint(s, ep, probeTimeout); err != nil {
			return err
		}
	case !probe.Found:
		return app.CallableError{Entry: ep, Candidates: probe.Candidates, Guessed: guess}
	}
	if err := s.checkProtocol(ep, probe.Kind); err != nil {
		return err
	}
	b.Logger.Headerf("%s entry point: %s", strings.ToUpper(string(s.protocol)), ep)
	if !ep.Plain() {
		s.entryModule = &ep
		s.entry.Module, s.entry.Callable = layers.EntryModule, "application"
		s.entry.PythonPath = []string{layers.EnvironmentPythonPath(s.ctx.Layers.Path)}
		if ep.Call {
			b.Logger.Bodyf("%s is a factory: the server loads %s:application, which calls it once per process", ep, layers.EntryModule)
		} else {
			b.Logger.Bodyf("%s is a dotted name: the server loads %s:application, which resolves it once per process", ep, layers.EntryModule)
		}
		return nil
	}
	s.entry.Module, s.entry.Callable = ep.Module, ep.Attr
	return nil
}

// guessedName is the application a module defines when no name is given,
// found as Flask's `flask run` finds it: app, then application, then the
// one application-looking attribute, then a create_app or make_app factory
// called without arguments; nil when none. (app itself is the first probe.)
func guessedName(candidates []string) *app.EntryPoint {
	factories := []string{"create_app", "make_app"}
	if slices.Contains(candidates, "application") {
		return &app.EntryPoint{Attr: "application"}
	}
	var apps []string
	for _, c := range candidates {
		if !slices.Contains(factories, c) {
			apps = append(apps, c)
		}
	}
	if len(apps) == 1 {
		return &app.EntryPoint{Attr: apps[0]}
	}
	for _, f := range factories {
		if slices.Contains(candidates, f) {
			return &app.EntryPoint{Attr: f, Call: true}
		}
	}
	return nil
}

// checkProtocol: what the import found (kind "wsgi" or "asgi"; "unknown"
// for a factory, "" when the import failed) must be what the server
// speaks. The server was chosen before anything was installed, from the
// app's dependencies; the import has the last word.
func (s *step) checkProtocol(ep app.EntryPoint, kind string) error {
	found := server.Protocol(kind)
	if found != server.WSGI && found != server.ASGI {
		s.entry.ASGI = s.protocol == server.ASGI
		return nil
	}
	if !s.server.Speaks(found) || (found == server.ASGI && s.protocol != server.ASGI) {
		return app.ServerProtocolError{Entry: ep, Protocol: strings.ToUpper(kind), Server: s.server.Name,
			ServerSource: s.config.ServerTypeSource, Servers: server.NamesFor(found)}
	}
	s.protocol = found
	s.entry.ASGI = found == server.ASGI
	return nil
}

func (b Build) django(s *step) error {
	settings, err := b.probeDjango(s)
	if err != nil {
		return err
	}
	b.Logger.Headerf("Django settings %s: WSGI_APPLICATION=%s STATIC_URL=%s STATIC_ROOT=%s",
		settings.SettingsModule, orUnset(settings.WSGIApplication), orUnset(settings.StaticURL), orUnset(settings.StaticRoot))
	s.env.Default("DJANGO_SETTINGS_MODULE", settings.SettingsModule)
	if err := b.reportDeployChecks(s.config.DjangoDeployCheck, settings); err != nil {
		return err
	}

	if err := b.djangoEntry(s, settings); err != nil {
		return err
	}

	switch {
	case s.config.DisableCollectstatic:
		b.Logger.Header("Django static files: collectstatic skipped (DISABLE_COLLECTSTATIC is set)")
		// Serve STATIC_ROOT only if something (a build hook, the source)
		// filled it: an alias to a missing directory only answers 403.
		if settings.StaticRoot == "" {
			return nil
		}
		if fi, err := os.Stat(settings.StaticRoot); err != nil || !fi.IsDir() {
			b.Logger.Bodyf("STATIC_ROOT %s does not exist, so no static files are served", settings.StaticRoot)
			return nil
		}
		s.entry.StaticURL, s.entry.StaticDir = settings.ServedURL(), settings.StaticRoot
	case !settings.StaticFiles:
		b.Logger.Header("Django static files: collectstatic skipped (django.contrib.staticfiles is not in INSTALLED_APPS)")
	case settings.StaticRoot != "":
		if err := b.collectIntoStaticRoot(s, settings); err != nil {
			return err
		}
		s.entry.StaticURL, s.entry.StaticDir = settings.ServedURL(), settings.StaticRoot
	default:
		common, err := s.stepKey()
		if err != nil {
			return err
		}
		common.Probe = layers.CollectstaticDigest()
		layer, dir, err := layers.Static{Venv: s.venv, Home: s.config.Home, Settings: settings, Inputs: settingsKey{stepKey: common, SettingsModule: settings.SettingsModule}.inputs(),
			Probes: s.probes, Need: s.needPython, Logger: b.Logger}.Contribute(&s.ctx.Layers)
		if err != nil {
			return err
		}
		s.result.Layers = append(s.result.Layers, layer)
		s.entry.StaticURL, s.entry.StaticDir = settings.ServedURL(), dir
	}
	return nil
}

// djangoSettingsModule checks, before anything is installed (so a build that
// cannot know its settings stops in seconds), that the settings module is known: DJANGO_SETTINGS_MODULE in the build's environment
// (pack build --env, .warpdrive/environment, the build-env hook) wins, as it
// does for manage.py itself; else manage.py's line. A manage.py that builds
// the name (a variable, an f-string) cannot be read without running it: the
// build stops rather than guess, unless a settings.py beside manage.py makes
// the old default (`settings`) the module Django would load.
func (b Build) djangoSettingsModule(s *step) error {
	if !usesDjangoSettings(s.launch) {
		return nil
	}
	if v := strings.TrimSpace(os.Getenv("DJANGO_SETTINGS_MODULE")); v != "" {
		if s.launch.SettingsModule != "" && s.launch.SettingsModule != v {
			b.Logger.Headerf("Django settings: DJANGO_SETTINGS_MODULE=%s from the build's environment (manage.py's default is %s)", v, s.launch.SettingsModule)
		}
		s.launch.SettingsModule = v
		return nil
	}
	if s.launch.SettingsModule != "" {
		return nil
	}
	manage, _ := app.ReadManagePy(s.config.Home)
	if app.FileExists(filepath.Join(s.config.Home, "settings.py")) || app.FileExists(filepath.Join(s.config.Home, "settings", "__init__.py")) {
		b.Logger.Headerf("Django settings: manage.py does not name the module as a plain string (%s); using settings, the module beside it (set DJANGO_SETTINGS_MODULE to choose another)", manage.Line)
		return nil
	}
	rel, _ := filepath.Rel(s.config.Root, s.config.Home)
	if rel == "." {
		rel = ""
	}
	return app.SettingsLineError{Home: rel, Line: manage.Line}
}

// djangoEntry chooses the application the server loads: WSGI_APPLICATION
// when the settings set it; else (Django's own default, which `runserver`
// serves through get_wsgi_application()) the wsgi.py startproject writes
// beside the settings; an entry point the user named wins over both (the
// caller checks it by importing it). A Procfile's web command names its own
// application: nothing is required there. The log says where it came from.
func (b Build) djangoEntry(s *step, settings layers.DjangoSettings) error {
	named := s.launch.Mode == app.ModeWSGI && s.launch.Entry.Module != ""
	wsgiApp, source := settings.WSGIApplication, "WSGI_APPLICATION"
	if _, _, ok := layers.SplitWSGIApplication(wsgiApp); wsgiApp != "" && !ok {
		if named || s.launch.Mode == app.ModeProcfile {
			return nil
		}
		return app.DjangoWSGIError{SettingsModule: settings.SettingsModule, WSGIApplication: wsgiApp}
	}
	if wsgiApp == "" {
		beside, looked := app.DjangoWSGIBeside(s.config.Home, settings.SettingsModule)
		switch {
		case named:
			b.Logger.Headerf("Django WSGI application: %s=%s (the settings set no WSGI_APPLICATION)", s.config.EntrySource, s.launch.Entry)
			return nil
		case beside != "":
			wsgiApp, source = beside, "the wsgi.py beside the settings; they set no WSGI_APPLICATION"
		case s.launch.Mode == app.ModeProcfile:
			return nil
		case s.protocol == server.ASGI && settings.ASGIApplication != "":
			// Channels' ASGI_APPLICATION needs no WSGI application.
		default:
			return app.DjangoWSGIError{SettingsModule: settings.SettingsModule, LookedFor: looked}
		}
	}
	module, callable, _ := layers.SplitWSGIApplication(wsgiApp)
	if named {
		return nil // the entry point's probe logs and sets it
	}
	if s.launch.Mode == app.ModeWSGI && s.protocol == server.WSGI {
		b.Logger.Headerf("Django WSGI application: %s:%s (%s)", module, callable, source)
	}
	if s.protocol == server.ASGI {
		var ok bool
		if module, callable, ok = djangoASGIApplication(s.config.Home, settings.ASGIApplication, wsgiApp); !ok {
			return app.EntryPointError{Mode: s.launch.Mode, LookedFor: []string{"ASGI_APPLICATION in " + settings.SettingsModule,
				"an asgi.py beside the wsgi.py of " + wsgiApp}}
		}
		b.Logger.Headerf("Django ASGI application: %s.%s", module, callable)
		s.entry.ASGI = true
	}
	s.entry.Module, s.entry.Callable = module, callable
	return nil
}

// plainStatic serves a plain WSGI application's static directory, when it has one.
func (b Build) plainStatic(s *step) {
	url, dir := s.config.StaticURL, s.config.StaticDir
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(s.config.Home, dir)
	}
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		s.entry.StaticURL, s.entry.StaticDir = layers.NormalizeStaticURL(url), dir
		b.Logger.Headerf("Static files: %s served at %s", dir, s.entry.StaticURL)
	}
}

func orUnset(s string) string {
	if s == "" {
		return "(unset)"
	}
	return s
}

// djangoASGIApplication is Channels' ASGI_APPLICATION, else the asgi.py that
// startproject writes beside the wsgi.py of the WSGI application
// (mysite.wsgi.application -> mysite.asgi.application).
func djangoASGIApplication(home, asgiSetting, wsgiApp string) (module, callable string, ok bool) {
	if asgiSetting != "" {
		return layers.SplitWSGIApplication(asgiSetting)
	}
	module, callable, ok = layers.SplitWSGIApplication(wsgiApp)
	if !ok || (module != "wsgi" && !strings.HasSuffix(module, ".wsgi")) {
		return "", "", false
	}
	module = strings.TrimSuffix(module, "wsgi") + "asgi"
	if !app.FileExists(filepath.Join(home, strings.ReplaceAll(module, ".", "/")+".py")) {
		return "", "", false
	}
	return module, callable, true
}

// reportDeployChecks logs what Django's deployment security checks found
// (a warning each), or fails the build on it when they are strict.
func (b Build) reportDeployChecks(mode string, settings layers.DjangoSettings) error {
	switch {
	case mode == app.DeployCheckOff:
		return nil
	case settings.DeployCheckError != "":
		b.Logger.Headerf("WARNING: Django's deployment checks could not run: %s", settings.DeployCheckError)
		return nil
	case len(settings.DeployChecks) == 0:
		b.Logger.Header("Django's deployment checks (manage.py check --deploy): no issues")
		return nil
	case mode == app.DeployCheckStrict:
		return DeployCheckError{Findings: settings.DeployChecks}
	}
	b.Logger.Headerf("WARNING: Django's deployment checks (manage.py check --deploy) found %d issues:", len(settings.DeployChecks))
	for _, f := range settings.DeployChecks {
		b.Logger.Bodyf("WARNING: %s", f)
	}
	b.Logger.Body("Fix them in the settings, silence one with SILENCED_SYSTEM_CHECKS, or set WARPDRIVE_DJANGO_DEPLOY_CHECK=strict to fail the build on them (off skips the checks)")
	return nil
}

// DeployCheckError: Django's deployment checks found issues and
// WARPDRIVE_DJANGO_DEPLOY_CHECK is strict.
type DeployCheckError struct{ Findings []layers.DeployCheck }

func (e DeployCheckError) Error() string {
	return fmt.Sprintf("Django's deployment checks found %d issues", len(e.Findings))
}
