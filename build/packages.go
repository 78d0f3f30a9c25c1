package build

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/layers"
	"github.com/warpdrive-buildpack/warpdrive/reuse"
)

// packages installs the application's requirements, and what its server needs,
// into the venv layer.
func (b Build) packages(s *step) error {
	home := s.config.Home
	plan := s.dependencies
	// Roots are set only when the plan installs requirements files: the ones
	// WARPDRIVE_PIP_PACKAGES names (passed even when absent, so pip reports
	// it), else the default requirements.txt.
	roots := plan.Roots
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
		Runtime: s.runtime, Home: home, Plan: plan, Roots: roots, Files: files, Wheelhouse: wheelhouse, Extra: extra,
		IndexURLSet: os.Getenv("PIP_INDEX_URL") != "" || s.pipCredentials.SetsIndex(), Credentials: s.pipCredentials,
		PthPaths: pth, PipCache: s.pipCache, Snapshots: s.snapshots, Python: s.python, Target: s.target, Logger: b.Logger,
		SystemPackages: s.systemPackages,
	}.Contribute(&s.ctx.Layers)
	if err != nil {
		return err
	}
	s.venv, s.packagesMD, s.venvLayer = layer.Layer.Path, md, layer
	s.snapshotBacked = append(s.snapshotBacked, layer)
	return nil
}

// buildsModWSGI: the server is mod_wsgi and the application does not pin it
// itself, so it is compiled in a layer of its own.
func (s *step) buildsModWSGI(files []app.RequirementFile) bool {
	return s.hasServer && s.server.CompiledModule && !s.dependencies.Declares(s.config.Home, files, s.server.Name)
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
	layer, err := layers.ModWSGI{Version: s.config.ModWSGIVersion, Runtime: s.runtime, Venv: s.venv, PipCache: s.pipCache, Credentials: s.pipCredentials,
		Snapshots: s.snapshots, Needs: []*reuse.SnapshotBackedLayer{s.python, s.venvLayer},
		Target: s.target, Logger: b.Logger}.Contribute(&s.ctx.Layers, apache)
	if err != nil {
		return err
	}
	s.snapshotBacked = append(s.snapshotBacked, layer)
	return nil
}

// logPlan says which input was chosen and which were not used.
func logPlan(logger log.Logger, plan app.DependencyPlan) {
	logger.Header(plan.Describe())
	if len(plan.Ignored) > 0 {
		logger.Bodyf("Not used: %s (%s takes precedence; see the table of dependency inputs in docs/dependencies.md)", strings.Join(plan.Ignored, ", "), plan.File)
	}
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
		want = s.server.PackagesFor(s.protocol)
	}
	var out []string
	for _, p := range want {
		if !s.dependencies.Declares(s.config.Home, files, p) {
			out = append(out, p)
		}
	}
	return out
}
