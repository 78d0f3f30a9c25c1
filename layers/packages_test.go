package layers

import (
	"sort"
	"testing"
)

// The lifecycle prepends each layer's bin/ to PATH in name order, so the layer
// sorted last comes first: the venv must sort after the runtime and every
// other layer with a bin/ of Python programs.
func TestVenvLayerComesFirstOnPath(t *testing.T) {
	names := []string{"python", VenvLayer, "mod_wsgi", "pip-cache", "start", "static", "environment"}
	sort.Strings(names)
	if names[len(names)-1] != VenvLayer {
		t.Errorf("layer %q sorts before %q, so its bin/ would not be first on PATH", VenvLayer, names[len(names)-1])
	}
}
