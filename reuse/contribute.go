// Package reuse decides, for every layer warpdrive contributes, whether the
// previous build's is reused or the layer built again: a cached layer by its
// metadata (Contribute), a launch layer by a compressed snapshot of it kept
// in the snapshots cache layer (ContributeSnapshotBacked, Snapshots).
package reuse

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"
)

// Metadata is a layer's expected metadata: exactly the inputs whose change
// must invalidate it. Values are strings so the log can say what changed.
type Metadata map[string]string

// Cached describes one layer to contribute.
type Cached struct {
	// Name is the layer directory name.
	Name string
	// Title names the layer in the build log.
	Title string
	// Metadata decides reuse: the layer is reused only when it equals what the
	// previous build stored.
	Metadata Metadata
	// Types are set again every build (the lifecycle restores them as false).
	Types libcnb.LayerTypes
	// Reason, when set, says in the log why the metadata differs (what
	// changed among inputs the metadata only holds a digest of).
	Reason string
}

// Contribute reuses the layer when its stored metadata equals c.Metadata and
// its content is available, otherwise wipes it and calls fill. The log says
// "Reusing" or "Contributing" with the reason (what changed) and the duration.
func Contribute(layers *libcnb.Layers, logger log.Logger, c Cached, fill func(layer *libcnb.Layer) error) (libcnb.Layer, error) {
	layer, err := layers.Layer(c.Name)
	if err != nil {
		return libcnb.Layer{}, fmt.Errorf("unable to read layer %s\n%w", c.Name, err)
	}
	reason := ChangeReason(layer.Metadata, c.Metadata)
	if reason != "" && c.Reason != "" && len(layer.Metadata) > 0 {
		reason = c.Reason
	}
	if reason == "" && !contentAvailable(layer, c.Types) {
		reason = "its cached content is not available"
	}
	if reason == "" {
		logger.Headerf("%s: Reusing cached layer", c.Title)
		layer.LayerTypes = c.Types
		return layer, nil
	}

	logger.Headerf("%s: Contributing to layer (%s)", c.Title, reason)
	start := time.Now()
	if layer, err = layer.Reset(); err != nil {
		return libcnb.Layer{}, fmt.Errorf("unable to reset layer %s\n%w", c.Name, err)
	}
	if err := fill(&layer); err != nil {
		return libcnb.Layer{}, err
	}
	layer.LayerTypes = c.Types
	// What fill recorded (outputs, or an input only known once it ran)
	// overrides the expected metadata.
	recorded := layer.Metadata
	layer.Metadata = make(map[string]interface{}, len(c.Metadata)+len(recorded))
	for k, v := range c.Metadata {
		layer.Metadata[k] = v
	}
	for k, v := range recorded {
		layer.Metadata[k] = v
	}
	logger.Bodyf("Completed in %s", time.Since(start).Round(100*time.Millisecond))
	return layer, nil
}

// contentAvailable: a cached layer's directory must have been restored; a
// launch-only layer comes back as metadata alone, and writing nothing lets the
// exporter reuse the previous image's layer.
func contentAvailable(layer libcnb.Layer, types libcnb.LayerTypes) bool {
	if types.Launch && !types.Cache {
		return true
	}
	fi, err := os.Stat(layer.Path)
	return err == nil && fi.IsDir()
}

// ChangeReason says, in words, how the stored metadata differs from the
// expected one; "" when they are equal.
func ChangeReason(stored map[string]interface{}, expected Metadata) string {
	if len(stored) == 0 {
		return "no cached layer"
	}
	var changes []string
	for _, k := range slices.Sorted(maps.Keys(expected)) {
		old, ok := stored[k]
		switch {
		case !ok:
			changes = append(changes, k+" is new")
		case fmt.Sprint(old) != expected[k]:
			changes = append(changes, describeChange(k, fmt.Sprint(old), expected[k]))
		}
	}
	for k := range stored {
		if _, ok := expected[k]; !ok && !strings.HasPrefix(k, outputPrefix) {
			changes = append(changes, k+" no longer applies")
		}
	}
	return strings.Join(changes, ", ")
}

// describeChange shows short values (versions) as old -> new; hashes just changed.
func describeChange(key, old, new string) string {
	if len(old) > 24 || len(new) > 24 {
		return key + " changed"
	}
	return fmt.Sprintf("%s %s -> %s", key, orNone(old), orNone(new))
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
