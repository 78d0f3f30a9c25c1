package build

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/layers"
)

// packages installs the application's requirements, and what its server needs,
// into the venv layer.
func (b Build) packages(s *step) error {
	home := s.config.Home
	roots := requirementRoots(s.config)
	if len(roots) == 0 {
		if in, ok := app.UninstallableInput(home); ok {
			return in
		}
	}
	files, err := app.RequirementFilesChecked(home, roots)
	if err != nil {
		return err
	}
	s.requirementFiles = files

	var pth []string
	if s.buildsModWSGI(files) {
		pth = append(pth, layers.ModWSGISitePackages(filepath.Join(s.ctx.Layers.Path, layers.ModWSGILayer), s.runtime))
	} else if s.hasServer && s.server.CompiledModule {
		b.Logger.Headerf("%s: installed from the application's requirements", s.server.Name)
	}
	extra := serverPackages(s, files)
	if len(extra) > 0 {
		b.Logger.Headerf("Server: adding %s (not in the application's requirements)", strings.Join(extra, ", "))
	}
	wheelhouse := filepath.Join(s.config.Root, ".warpdrive", "wheelhouse")
	if fi, err := os.Stat(wheelhouse); err != nil || !fi.IsDir() {
		wheelhouse = ""
	}
	layer, md, err := layers.Packages{
		Runtime: s.runtime, Home: home, Roots: roots, Files: files, Wheelhouse: wheelhouse, Extra: extra,
		PthPaths: pth, PipCache: s.pipCache, Target: s.target, Logger: b.Logger,
	}.Contribute(&s.ctx.Layers)
	if err != nil {
		return err
	}
	s.venv, s.packagesMD = layer.Path, md
	s.result.Layers = append(s.result.Layers, layer)
	return nil
}

// buildsModWSGI: the server is mod_wsgi and the application does not pin it
// itself, so it is compiled in a layer of its own.
func (s *step) buildsModWSGI(files []app.RequirementFile) bool {
	return s.hasServer && s.server.CompiledModule && !app.Requires(s.config.Home, files, s.server.Name)
}

// modWSGI compiles mod_wsgi against the runtime and the builder's Apache.
func (b Build) modWSGI(s *step) error {
	if !s.buildsModWSGI(s.requirementFiles) {
		return nil
	}
	apache, err := layers.FindApache()
	if err != nil {
		return err
	}
	layer, err := layers.ModWSGI{Version: s.config.ModWSGIVersion, Runtime: s.runtime, Venv: s.venv, PipCache: s.pipCache,
		Target: s.target, Logger: b.Logger}.Contribute(&s.ctx.Layers, apache)
	if err != nil {
		return err
	}
	s.result.Layers = append(s.result.Layers, layer)
	return nil
}

// requirementRoots are the files named by WARPDRIVE_PIP_PACKAGES; the default
// requirements.txt is skipped when absent, a file named explicitly is passed to
// pip so it reports the missing file.
func requirementRoots(c app.Config) []string {
	var roots []string
	for _, f := range c.PipPackages {
		if c.PipPackagesExplicit || app.FileExists(filepath.Join(c.Home, f)) {
			roots = append(roots, f)
		}
	}
	return roots
}

// serverPackages are the distributions the server needs that the application
// did not list.
func serverPackages(s *step, files []app.RequirementFile) []string {
	var want []string
	switch {
	case s.launch.Mode == app.ModeProcfile:
		// The Procfile names its server; install it if the app does not.
		if srv, ok := procfileServer(s.launch.Procfile); ok && !srv.CompiledModule {
			want = []string{srv.Name}
		}
	case s.hasServer:
		want = s.server.Packages
	}
	var out []string
	for _, p := range want {
		if !app.Requires(s.config.Home, files, p) {
			out = append(out, p)
		}
	}
	return out
}
