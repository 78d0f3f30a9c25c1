package layers

import (
	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/reuse"
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

// PipCacheKey is exactly what empties pip's cache: what it holds is of no
// use to another interpreter or pip.
type PipCacheKey struct {
	// PythonVersion: the wheels pip built are for one interpreter's ABI.
	PythonVersion string
	// PipVersion is the runtime's bundled pip: pip's cache layout is its own.
	PipVersion string
	// Target: wheels are built for one OS, architecture and distribution.
	Target string
}

// reuse.Metadata is the key as layer metadata, one entry per field.
func (k PipCacheKey) Metadata() reuse.Metadata {
	return reuse.Metadata{"python_version": k.PythonVersion, "pip_version": k.PipVersion, "target": k.Target}
}

// Key is what the cache's content is valid for: the runtime's versions
// and the target, not where the runtime lives.
func (p PipCache) Key() PipCacheKey {
	return PipCacheKey{PythonVersion: p.Runtime.Version, PipVersion: p.Runtime.PipVersion, Target: p.Target}
}

// Contribute returns the cache layer, which pip fills during later steps,
// and whether it was restored from an earlier build (with what pip put in it then).
func (p PipCache) Contribute(layers *libcnb.Layers) (libcnb.Layer, bool, error) {
	restored := true
	layer, err := reuse.Contribute(layers, p.Logger, reuse.Cached{
		Name:     "pip-cache",
		Title:    "pip cache",
		Metadata: p.Key().Metadata(),
		Types:    libcnb.LayerTypes{Cache: true},
	}, func(*libcnb.Layer) error { restored = false; return nil })
	return layer, restored && err == nil, err
}
