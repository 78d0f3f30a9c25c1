package reuse

import (
	"errors"
	"fmt"
	"os"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/sbom"
)

// SnapshotBackedLayer is a launch layer backed by a snapshot in the cache (see
// SnapshotsLayer). When its inputs are those of the previous image's layer,
// that layer is reused as it is and its files are unpacked only if a build
// step needs them; Finish then removes them again, so the exporter reuses the
// previous image's layer instead of tarring an identical copy. When a later
// buildpack requires it at build, FinishForLaterBuildpacks hands it over as a
// build layer instead.
type SnapshotBackedLayer struct {
	// Layer is the layer; its Metadata holds the inputs and the outputs.
	Layer libcnb.Layer
	// Present: the layer's files are in Layer.Path.
	Present bool
	// inImage: the previous image holds this exact layer.
	inImage bool
	// fromCache: the layer's files came from an earlier build (the
	// previous image and its snapshot, or the snapshot alone), not this one.
	fromCache bool
	title     string
	snapshots Snapshots
	logger    log.Logger
	// spec and expected build the layer again when its snapshot turns out
	// to be unreadable.
	spec     SnapshotBackedSpec
	expected Metadata
}

// outputPrefix marks metadata a layer records about what it holds (a
// version read from its files), which later builds read instead of the
// files; it never decides reuse.
const outputPrefix = "out_"

// SnapshotBackedSpec describes a snapshot-backed launch layer.
type SnapshotBackedSpec struct {
	Cached
	// Outputs reads what the built layer holds (recorded in its metadata).
	Outputs func(dir string) (Metadata, error)
	// Needs are unpacked before Fill runs.
	Needs []*SnapshotBackedLayer
	// Fill builds the layer.
	Fill func(layer *libcnb.Layer) error
	// SBOM lists what the layer holds, for its CycloneDX SBOM; a reused
	// layer keeps the SBOM the lifecycle restores from the previous image.
	SBOM func(dir string) ([]cdx.Component, error)
}

// ContributeSnapshotBacked reuses, restores or builds a snapshot-backed launch
// layer:
//   - inputs unchanged from the previous image, snapshot present: reused,
//     its files not unpacked;
//   - a snapshot with these inputs but no such layer in the previous image
//     (the image was removed, the cache kept): unpacked from the snapshot;
//   - otherwise: needs are unpacked (what fill runs), fill builds the layer,
//     outputs reads what it holds, and a snapshot is saved.
func ContributeSnapshotBacked(layers *libcnb.Layers, logger log.Logger, snaps Snapshots, spec SnapshotBackedSpec) (*SnapshotBackedLayer, error) {
	c := spec.Cached
	layer, err := layers.Layer(c.Name)
	if err != nil {
		return nil, fmt.Errorf("unable to read layer %s\n%w", c.Name, err)
	}
	expected := Metadata{"snapshot": snapshotFormat}
	if spec.SBOM != nil {
		expected["sbom"] = sbom.Format
	}
	for k, v := range c.Metadata {
		expected[k] = v
	}
	key := expected.Key()
	d := &SnapshotBackedLayer{title: c.Title, snapshots: snaps, logger: logger, spec: spec, expected: expected}
	reason := ChangeReason(layer.Metadata, expected)
	snapshotted := snaps.Has(c.Name, key)
	if reason == "" && snapshotted {
		logger.Headerf("%s: Reusing cached layer", c.Title)
		d.Layer, d.inImage, d.fromCache = layer, true, true
		// A launch-only layer comes back as metadata alone; anything else
		// in its directory is not what the image holds.
		if err := os.RemoveAll(layer.Path); err != nil {
			return nil, err
		}
		return d, nil
	}

	if reason == "" {
		reason = "its snapshot is not in the cache"
	}
	start := time.Now()
	if layer, err = layer.Reset(); err != nil {
		return nil, fmt.Errorf("unable to reset layer %s\n%w", c.Name, err)
	}
	d.Layer = layer
	if snapshotted {
		logger.Headerf("%s: Restoring the layer from the cache (%s)", c.Title, reason)
		var rebuilt bool
		if rebuilt, err = d.restore(); err == nil && !rebuilt {
			err = d.record()
			d.fromCache = true
		}
	} else {
		logger.Headerf("%s: Contributing to layer (%s)", c.Title, reason)
		err = d.build()
	}
	if err != nil {
		return nil, err
	}
	logger.Bodyf("Completed in %s", time.Since(start).Round(100*time.Millisecond))
	return d, nil
}

// restore unpacks the layer's files from its snapshot. An unreadable
// snapshot is a cache miss: the layer is built again (rebuilt).
func (d *SnapshotBackedLayer) restore() (rebuilt bool, err error) {
	err = d.snapshots.Restore(d.Layer.Name, d.Layer.Path)
	var corrupt CorruptSnapshotError
	if !errors.As(err, &corrupt) {
		d.Present = err == nil
		return false, err
	}
	d.logger.Bodyf("WARNING: %s; building the layer again", corrupt)
	d.snapshots.Remove(d.Layer.Name)
	d.inImage = false // what is built now is not the previous image's layer
	if err := emptyDir(d.Layer.Path); err != nil {
		return false, err
	}
	return true, d.build()
}

// build runs the spec's Fill (its needs unpacked first), records what the
// layer holds and saves its snapshot.
func (d *SnapshotBackedLayer) build() error {
	for _, n := range d.spec.Needs {
		if err := n.Materialize(); err != nil {
			return err
		}
	}
	if err := d.spec.Fill(&d.Layer); err != nil {
		return err
	}
	if err := d.record(); err != nil {
		return err
	}
	name := d.Layer.Name
	if err := d.snapshots.Save(name, d.expected.Key(), d.Layer.Path); err != nil {
		return fmt.Errorf("unable to save a snapshot of layer %s in the cache\n%w", name, err)
	}
	d.logger.Bodyf("Snapshot for later builds: %s", HumanSize(d.snapshots.Size(name)))
	return nil
}

// record sets the layer's metadata, its inputs and what its files hold, and
// writes its SBOM.
func (d *SnapshotBackedLayer) record() error {
	layer := &d.Layer
	layer.Metadata = make(map[string]interface{}, len(d.expected))
	for k, v := range d.expected {
		layer.Metadata[k] = v
	}
	if d.spec.Outputs != nil {
		out, err := d.spec.Outputs(layer.Path)
		if err != nil {
			return err
		}
		for k, v := range out {
			layer.Metadata[outputPrefix+k] = v
		}
	}
	if d.spec.SBOM != nil {
		components, err := d.spec.SBOM(layer.Path)
		if err != nil {
			return fmt.Errorf("unable to list what layer %s holds for its SBOM\n%w", layer.Name, err)
		}
		if err := sbom.Write(layer.SBOMPath(libcnb.CycloneDXJSON), components); err != nil {
			return err
		}
		if err := sbom.WriteSPDX(layer.SBOMPath(libcnb.SPDXJSON), layer.Name, components); err != nil {
			return err
		}
	}
	d.Present = true
	return nil
}

// emptyDir removes what a failed restore left in dir.
func emptyDir(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return os.MkdirAll(dir, 0o755)
}

// FromCache says the layer came from an earlier build's cache rather than
// being built by this one: a failed build exports nothing, so the next
// build finds it there again.
func (d *SnapshotBackedLayer) FromCache() bool { return d != nil && d.fromCache }

// Output is what the layer recorded under name (see outputPrefix).
func (d *SnapshotBackedLayer) Output(name string) string {
	v, _ := d.Layer.Metadata[outputPrefix+name].(string)
	return v
}

// Materialize unpacks the layer's files from its snapshot, if they are not
// already there, for a build step that runs them.
func (d *SnapshotBackedLayer) Materialize() error {
	return d.materialize("a build step runs it")
}

// materialize unpacks the layer's files, saying why in the log.
func (d *SnapshotBackedLayer) materialize(why string) error {
	if d == nil || d.Present {
		return nil
	}
	start := time.Now()
	if err := emptyDir(d.Layer.Path); err != nil {
		return err
	}
	if _, err := d.restore(); err != nil {
		return err
	}
	d.logger.Bodyf("%s: unpacked from the cache in %s (%s)", d.title, time.Since(start).Round(100*time.Millisecond), why)
	return nil
}

// Finish is the layer to hand to the lifecycle: launch-only, and when the
// previous image already holds it, without files or environment files (so
// the exporter reuses that layer rather than tarring and hashing a copy).
func (d *SnapshotBackedLayer) Finish() (libcnb.Layer, error) {
	l := d.Layer
	l.LayerTypes = libcnb.LayerTypes{Launch: true}
	if d.inImage && d.Present {
		if err := os.RemoveAll(l.Path); err != nil {
			return libcnb.Layer{}, err
		}
		d.Present = false
	}
	if !d.Present {
		// libcnb writes environment files into the layer's directory, and
		// the previous image's layer already has them.
		l.BuildEnvironment, l.LaunchEnvironment, l.SharedEnvironment = libcnb.Environment{}, libcnb.Environment{}, libcnb.Environment{}
	}
	return l, nil
}

// FinishForLaterBuildpacks is the layer to hand to the lifecycle when a
// later buildpack requires it at build: a build and launch layer, with its
// files and environment in place (the lifecycle puts its bin/ on PATH and
// applies its env/ for the buildpacks after this one). The price: the
// lifecycle restores no metadata of a build layer that is not cached, so the
// next build finds no layer to reuse and unpacks it from its snapshot, and
// the exporter tars and hashes it (an unchanged layer still gets the
// previous image's digest and is not stored again).
func (d *SnapshotBackedLayer) FinishForLaterBuildpacks() (libcnb.Layer, error) {
	if err := d.materialize("a later buildpack uses it at build"); err != nil {
		return libcnb.Layer{}, err
	}
	l := d.Layer
	l.LayerTypes = libcnb.LayerTypes{Build: true, Launch: true}
	return l, nil
}

// HumanSize is "12.3 MB".
func HumanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
