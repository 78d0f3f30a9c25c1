package layers

import (
	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"
)

// PipCache contributes pip's download and wheel cache: a cache-only layer, so
// a venv rebuilt from scratch downloads and compiles nothing twice. It is kept
// while the Python version, pip version and target stay the same (wheels built
// for one interpreter are useless to another).
type PipCache struct {
	Runtime Runtime
	Target  string
	Logger  log.Logger
}

// Contribute returns the cache layer; pip fills it during later steps.
func (p PipCache) Contribute(layers *libcnb.Layers) (libcnb.Layer, error) {
	return Contribute(layers, p.Logger, Cached{
		Name:  "pip-cache",
		Title: "pip cache",
		Metadata: Metadata{
			"python_version": p.Runtime.Version,
			"pip_version":    p.Runtime.PipVersion,
			"target":         p.Target,
		},
		Types: libcnb.LayerTypes{Cache: true},
	}, func(*libcnb.Layer) error { return nil })
}
