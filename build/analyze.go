package build

import (
	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/hooks"
	"github.com/warpdrive-buildpack/warpdrive/pep508"
)

// analyzeDependencies reads the dependency input as resolveConfiguration
// will, for its errors only (a stale, incomplete or malformed lock), so
// that they stop the build before the runtime is installed. A pre-build or
// build-env hook may still change the source or the configuration, so with
// one the input is read only once, after it ran.
func analyzeDependencies(s *step, pythonVersion string) error {
	dir := hooks.Dir(s.source.Root)
	if hooks.Exists(dir, "pre-build") || hooks.Exists(dir, "build-env") {
		return nil
	}
	config, err := app.ResolveConfig(s.source, &s.resolver)
	if err != nil {
		return err
	}
	_, err = app.ChooseDependencies(config, pep508.Target(pythonVersion, hostArch()))
	return err
}
