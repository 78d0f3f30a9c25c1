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

// Contribute returns the cache layer, which pip fills during later steps,
// and whether it was restored from an earlier build (with what pip put in it then).
func (p PipCache) Contribute(layers *libcnb.Layers) (libcnb.Layer, bool, error) {
	restored := true
	layer, err := Contribute(layers, p.Logger, Cached{
		Name:  "pip-cache",
		Title: "pip cache",
		Metadata: Metadata{
			"python_version": p.Runtime.Version,
			"pip_version":    p.Runtime.PipVersion,
			"target":         p.Target,
		},
		Types: libcnb.LayerTypes{Cache: true},
	}, func(*libcnb.Layer) error { restored = false; return nil })
	return layer, restored && err == nil, err
}
