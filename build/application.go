package build

import (
	"os"
	"path/filepath"
	"time"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/layers"
	"github.com/warpdrive-buildpack/warpdrive/server"
)

// application finds what the web process serves: the entry point and the
// static files (Django's collected ones, or a plain app's directory).
func (b Build) application(s *step) error {
	s.entry = server.Entry{Home: s.config.Home}
	switch {
	case s.launch.Mode == app.ModeWSGI && s.launch.Django:
		return b.django(s)
	case s.launch.Mode == app.ModeWSGI:
		s.entry.Module, s.entry.Callable = s.launch.WSGIModule, s.launch.Callable
		b.plainStatic(s)
	case s.launch.Mode == app.ModePaste:
		b.plainStatic(s)
	}
	return nil
}

func (b Build) django(s *step) error {
	python := layers.VenvPython(s.venv)
	settings, err := layers.ProbeDjango(python, s.config.Home, s.launch.SettingsModule)
	if err != nil {
		return err
	}
	b.Logger.Headerf("Django settings %s: WSGI_APPLICATION=%s STATIC_URL=%s STATIC_ROOT=%s",
		settings.SettingsModule, orUnset(settings.WSGIApplication), orUnset(settings.StaticURL), orUnset(settings.StaticRoot))
	s.env.Default("DJANGO_SETTINGS_MODULE", settings.SettingsModule)

	module, callable, ok := layers.SplitWSGIApplication(settings.WSGIApplication)
	if !ok {
		return app.EntryPointError{Mode: s.launch.Mode, LookedFor: []string{"WSGI_APPLICATION in " + settings.SettingsModule + " (it is " + orUnset(settings.WSGIApplication) + ")"}}
	}
	s.entry.Module, s.entry.Callable = module, callable

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
		s.entry.StaticURL, s.entry.StaticDir = settings.StaticURL, settings.StaticRoot
	case !settings.StaticFiles:
		b.Logger.Header("Django static files: django.contrib.staticfiles is not installed; nothing to collect")
	case settings.StaticRoot != "":
		b.Logger.Headerf("Django static files: collecting into the application's STATIC_ROOT %s", settings.StaticRoot)
		start := time.Now()
		if err := layers.Collectstatic(python, s.config.Home, nil, b.Logger); err != nil {
			return err
		}
		b.Logger.Bodyf("Completed in %s", time.Since(start).Round(100*time.Millisecond))
		s.entry.StaticURL, s.entry.StaticDir = settings.StaticURL, settings.StaticRoot
	default:
		layer, dir, err := layers.Static{Python: python, Home: s.config.Home, Settings: settings, AppHash: s.appHash,
			PackagesHash: hashMetadata(s.packagesMD), Logger: b.Logger}.Contribute(&s.ctx.Layers)
		if err != nil {
			return err
		}
		s.result.Layers = append(s.result.Layers, layer)
		s.entry.StaticURL, s.entry.StaticDir = settings.StaticURL, dir
	}
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

func hashMetadata(md layers.Metadata) string {
	var text string
	for _, k := range app.SortedNames(md) {
		text += k + "=" + md[k] + "\n"
	}
	return app.Digest(text)
}

func orUnset(s string) string {
	if s == "" {
		return "(unset)"
	}
	return s
}
