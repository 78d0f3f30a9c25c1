package reuse

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"
)

func TestChangeReason(t *testing.T) {
	tests := []struct {
		name     string
		stored   map[string]interface{}
		expected Metadata
		want     string
	}{
		{"nothing stored", nil, Metadata{"a": "1"}, "no cached layer"},
		{"equal", map[string]interface{}{"a": "1"}, Metadata{"a": "1"}, ""},
		{"version change shows old and new", map[string]interface{}{"python_version": "3.11.2"}, Metadata{"python_version": "3.13.5"}, "python_version 3.11.2 -> 3.13.5"},
		{"hash change is named", map[string]interface{}{"requirements": strings.Repeat("a", 64)}, Metadata{"requirements": strings.Repeat("b", 64)}, "requirements changed"},
		{"new key", map[string]interface{}{"a": "1"}, Metadata{"a": "1", "b": "2"}, "b is new"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ChangeReason(tt.stored, tt.expected); got != tt.want {
				t.Errorf("ChangeReason() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestContributeReusesOnlyWhenMetadataMatches(t *testing.T) {
	layersDir := t.TempDir()
	layers := &libcnb.Layers{Path: layersDir}
	var logBuf bytes.Buffer
	logger := log.NewPaketoLogger(&logBuf)
	calls := 0
	fill := func(l *libcnb.Layer) error {
		calls++
		return os.WriteFile(filepath.Join(l.Path, "marker"), []byte("x"), 0o644)
	}
	spec := Cached{Name: "thing", Title: "Thing", Metadata: Metadata{"version": "1"}, Types: libcnb.LayerTypes{Cache: true, Build: true}}

	layer, err := Contribute(layers, logger, spec, fill)
	if err != nil || calls != 1 {
		t.Fatalf("first contribution: calls=%d err=%v", calls, err)
	}
	// What libcnb writes after a build: <layer>.toml with the metadata.
	writeLayerTOML(t, layersDir, layer)

	if _, err := Contribute(layers, logger, spec, fill); err != nil || calls != 1 {
		t.Fatalf("unchanged metadata must reuse: calls=%d err=%v", calls, err)
	}
	spec.Metadata = Metadata{"version": "2"}
	if _, err := Contribute(layers, logger, spec, fill); err != nil || calls != 2 {
		t.Fatalf("changed metadata must rebuild: calls=%d err=%v", calls, err)
	}
	out := logBuf.String()
	for _, want := range []string{"Thing: Contributing to layer (no cached layer)", "Thing: Reusing cached layer", "Thing: Contributing to layer (version 1 -> 2)"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

func writeLayerTOML(t *testing.T, dir string, layer libcnb.Layer) {
	t.Helper()
	var b strings.Builder
	b.WriteString("[metadata]\n")
	for k, v := range layer.Metadata {
		b.WriteString(k + " = \"" + v.(string) + "\"\n")
	}
	if err := os.WriteFile(filepath.Join(dir, layer.Name+".toml"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
