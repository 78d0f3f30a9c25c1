package layers

import (
	"io"
	"os"
	"path/filepath"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/reuse"
)

// Start contributes warpdrive-start, the launch helper every process runs
// through (see package launch): the buildpack's own binary, which dispatches on
// its name. Reused while the binary is unchanged.
type Start struct {
	// Binary is the buildpack's executable.
	Binary string
	Logger log.Logger
}

// StartKey is exactly what invalidates the launch helper's layer.
type StartKey struct {
	// BinarySHA256 is the buildpack's binary, which the layer is a copy of:
	// any change to the buildpack's code is a new warpdrive-start.
	BinarySHA256 string
}

// reuse.Metadata is the key as layer metadata.
func (k StartKey) Metadata() reuse.Metadata { return reuse.Metadata{"sha256": k.BinarySHA256} }

// Key is the binary's content (not its path: the lifecycle may put the
// buildpack anywhere).
func (s Start) Key() (StartKey, error) {
	sum, err := app.FileDigest(s.Binary)
	return StartKey{BinarySHA256: sum}, err
}

// Contribute copies the binary into a launch layer's bin/ (on PATH at launch).
func (s Start) Contribute(layers *libcnb.Layers) (libcnb.Layer, error) {
	key, err := s.Key()
	if err != nil {
		return libcnb.Layer{}, err
	}
	return reuse.Contribute(layers, s.Logger, reuse.Cached{
		Name:     "start",
		Title:    "Launch helper warpdrive-start",
		Metadata: key.Metadata(),
		Types:    libcnb.LayerTypes{Launch: true},
	}, func(layer *libcnb.Layer) error {
		bin := filepath.Join(layer.Path, "bin")
		if err := os.MkdirAll(bin, 0o755); err != nil {
			return err
		}
		return copyFile(s.Binary, filepath.Join(bin, "warpdrive-start"), 0o755)
	})
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
