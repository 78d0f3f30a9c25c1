package layers

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"
)

// pip's cache is kept while the interpreter, its pip and the target stay
// the same, and emptied when one changes.
func TestPipCacheKeptWhileItsKeyHolds(t *testing.T) {
	dir := t.TempDir()
	layers := &libcnb.Layers{Path: dir}
	var out bytes.Buffer
	cache := PipCache{Runtime: Runtime{Version: "3.13.5", PipVersion: "25.1"}, Target: "linux/amd64 debian-12", Logger: log.NewPaketoLogger(&out)}
	contribute := func(c PipCache) bool {
		t.Helper()
		layer, restored, err := c.Contribute(layers)
		must(t, err)
		if !layer.Cache || layer.Launch || layer.Build {
			t.Errorf("layer types %+v, want cache only", layer.LayerTypes)
		}
		storeLayerMetadata(t, dir, layer)
		return restored
	}
	if contribute(cache) {
		t.Error("the first build's cache was restored")
	}
	if !contribute(cache) {
		t.Errorf("an unchanged key did not keep the cache:\n%s", out.String())
	}
	cache.Runtime.Version = "3.11.2"
	if contribute(cache) {
		t.Error("a cache for another Python was kept")
	}
	if want := "pip cache: Contributing to layer (python_version 3.13.5 -> 3.11.2)"; !strings.Contains(out.String(), want) {
		t.Errorf("the log lacks %q:\n%s", want, out.String())
	}
}

// storeLayerMetadata writes what the lifecycle gives the next build of a
// layer: its metadata as <layer>.toml (a cache layer keeps its files too).
func storeLayerMetadata(t *testing.T, dir string, layer libcnb.Layer) {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, layer.Name+".toml"))
	must(t, err)
	defer f.Close()
	must(t, toml.NewEncoder(f).Encode(map[string]any{"metadata": layer.Metadata}))
}
