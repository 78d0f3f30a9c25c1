package build

import (
	"os"

	"github.com/paketo-buildpacks/libpak/v2"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/layers"
	"github.com/warpdrive-buildpack/warpdrive/reuse"
	"github.com/warpdrive-buildpack/warpdrive/stepcache"
)

// python resolves the requested Python version to a provided CPython and
// contributes it.
func (b Build) python(s *step) error {
	def, _ := s.resolver.Resolve("BP_PYTHON_VERSION")
	req, err := app.RequestedPythonVersion(s.source.Home, os.LookupEnv, def)
	if err != nil {
		return err
	}
	// PEP 440 (and Poetry's) specifiers are resolved here, against the
	// versions buildpack.toml provides; libpak then finds that exact one.
	res, err := app.ResolvePythonVersion(req, availableVersions(s.metadata))
	if err != nil {
		return err
	}
	if res.Warning != "" {
		b.Logger.Headerf("WARNING: %s", res.Warning)
	}
	if err := app.CheckRequiresPython(s.source.Home, req, res.Version); err != nil {
		return err
	}
	// Before CPython is installed: a lock that cannot be installed fails
	// in a second, not after the runtime's download.
	if err := analyzeDependencies(s, res.Version); err != nil {
		return err
	}
	dr, err := libpak.NewDependencyResolver(s.metadata, s.ctx.StackID)
	if err != nil {
		return err
	}
	dep, err := dr.Resolve("cpython", res.Version)
	if err != nil {
		return err
	}
	if err := checkLaterVersions(s.ctx.Plan, dep.Version, req, availableVersions(s.metadata)); err != nil {
		return err
	}
	b.Logger.Headerf("Python %s: requested %s by %s", dep.Version, req.Version, req.Source)

	dc, err := libpak.NewDependencyCache(s.ctx.Buildpack.Info.ID, s.ctx.Buildpack.Info.Version, s.ctx.Buildpack.Path, s.ctx.Platform.Bindings, b.Logger)
	if err != nil {
		return err
	}
	snapshots, snaps, err := reuse.ContributeSnapshots(&s.ctx.Layers, s.target, b.Logger)
	if err != nil {
		return err
	}
	s.result.Layers = append(s.result.Layers, snapshots)
	s.snapshots, s.probes = snaps, stepcache.Load(snaps)
	d, rt, err := layers.Python{Dependency: dep, Cache: dc, Snapshots: snaps, Target: s.target, Logger: b.Logger}.Contribute(&s.ctx.Layers)
	if err != nil {
		return err
	}
	s.runtime, s.python = rt, d
	s.snapshotBacked = append(s.snapshotBacked, d)
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
	app.SortVersions(out)
	return out
}

// pipCache contributes pip's download and wheel cache.
func (b Build) pipCache(s *step) error {
	layer, restored, err := layers.PipCache{Runtime: s.runtime, Target: s.target, Logger: b.Logger}.Contribute(&s.ctx.Layers)
	if err != nil {
		return err
	}
	s.pipCacheRestored = restored
	s.pipCache = layer.Path
	s.result.Layers = append(s.result.Layers, layer)
	return nil
}
