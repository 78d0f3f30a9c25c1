package reuse

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"
)

func TestSnapshotRoundTripKeepsModesLinksAndTimes(t *testing.T) {
	src := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(src, "bin"), 0o755))
	must(t, os.WriteFile(filepath.Join(src, "bin", "python3.13"), []byte("#!interp"), 0o755))
	must(t, os.Symlink("python3.13", filepath.Join(src, "bin", "python3")))
	must(t, os.WriteFile(filepath.Join(src, "mod.py"), []byte("x = 1\n"), 0o644))
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	must(t, os.Chtimes(filepath.Join(src, "mod.py"), old, old))
	must(t, os.MkdirAll(filepath.Join(src, "ro"), 0o755))
	must(t, os.WriteFile(filepath.Join(src, "ro", "f"), []byte("f"), 0o444))
	must(t, os.Chmod(filepath.Join(src, "ro"), 0o555))
	t.Cleanup(func() { os.Chmod(filepath.Join(src, "ro"), 0o755) })

	snaps := Snapshots{Dir: t.TempDir()}
	must(t, snaps.Save("python", "k1", src))
	if !snaps.Has("python", "k1") || snaps.Has("python", "k2") || snaps.Has("venv", "k1") {
		t.Fatal("Has must match the layer name and the key exactly")
	}
	dst := filepath.Join(t.TempDir(), "python")
	must(t, snaps.Restore("python", dst))
	t.Cleanup(func() { os.Chmod(filepath.Join(dst, "ro"), 0o755) })

	if fi, err := os.Stat(filepath.Join(dst, "bin", "python3.13")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("executable: %v %v", fi, err)
	}
	if link, err := os.Readlink(filepath.Join(dst, "bin", "python3")); err != nil || link != "python3.13" {
		t.Errorf("symlink: %q %v", link, err)
	}
	if fi, err := os.Stat(filepath.Join(dst, "mod.py")); err != nil || !fi.ModTime().Equal(old) {
		t.Errorf("mtime (a .pyc records it): %v %v", fi.ModTime(), err)
	}
	if fi, err := os.Stat(filepath.Join(dst, "ro")); err != nil || fi.Mode().Perm() != 0o555 {
		t.Errorf("a read-only directory is filled, then made read-only: %v %v", fi, err)
	}
}

// storeLayerMetadata is what the lifecycle restores before a build: the
// previous image's layer metadata as <layer>.toml, without the files.
func storeLayerMetadata(t *testing.T, dir string, layer libcnb.Layer) {
	t.Helper()
	writeLayerTOML(t, dir, layer)
	must(t, os.RemoveAll(layer.Path))
}

func TestContributeSnapshotBacked(t *testing.T) {
	layersDir := t.TempDir()
	layers := &libcnb.Layers{Path: layersDir}
	snaps := Snapshots{Dir: t.TempDir()}
	var logBuf bytes.Buffer
	logger := log.NewPaketoLogger(&logBuf)
	fills := 0
	fill := func(l *libcnb.Layer) error {
		fills++
		return os.WriteFile(filepath.Join(l.Path, "payload"), []byte("built"), 0o644)
	}
	outputs := func(dir string) (Metadata, error) {
		b, err := os.ReadFile(filepath.Join(dir, "payload"))
		return Metadata{"payload": string(b)}, err
	}
	spec := Cached{Name: "python", Title: "CPython", Metadata: Metadata{"version": "1"}}

	// Cold: built, snapshotted, exported with its files.
	d, err := ContributeSnapshotBacked(layers, logger, snaps, SnapshotBackedSpec{Cached: spec, Outputs: outputs, Fill: fill})
	must(t, err)
	if fills != 1 || !d.Present || d.Output("payload") != "built" {
		t.Fatalf("cold: fills=%d present=%v output=%q", fills, d.Present, d.Output("payload"))
	}
	d.Layer.SharedEnvironment.Default("PYTHONUNBUFFERED", "1")
	layer, err := d.Finish()
	must(t, err)
	if len(layer.SharedEnvironment) == 0 || !layer.Launch || layer.Cache {
		t.Errorf("a new layer is exported with its files and environment, launch-only: %+v", layer.LayerTypes)
	}

	// Unchanged: reused from the image, nothing unpacked, nothing written.
	storeLayerMetadata(t, layersDir, layer)
	d, err = ContributeSnapshotBacked(layers, logger, snaps, SnapshotBackedSpec{Cached: spec, Outputs: outputs, Fill: fill})
	must(t, err)
	if fills != 1 || d.Present || d.Output("payload") != "built" {
		t.Fatalf("unchanged: fills=%d present=%v output=%q", fills, d.Present, d.Output("payload"))
	}
	// A step needs its files: unpacked; then removed again for the exporter.
	must(t, d.Materialize())
	if b, err := os.ReadFile(filepath.Join(d.Layer.Path, "payload")); err != nil || string(b) != "built" {
		t.Fatalf("materialized: %q %v", b, err)
	}
	d.Layer.SharedEnvironment.Default("PYTHONUNBUFFERED", "1")
	layer, err = d.Finish()
	must(t, err)
	if _, err := os.Stat(layer.Path); !os.IsNotExist(err) || len(layer.SharedEnvironment) != 0 {
		t.Errorf("a layer the previous image holds must leave no files (the exporter would tar them): %v env=%v", err, layer.SharedEnvironment)
	}

	// The image is gone but the cache kept: restored from the snapshot.
	must(t, os.Remove(filepath.Join(layersDir, "python.toml")))
	d, err = ContributeSnapshotBacked(layers, logger, snaps, SnapshotBackedSpec{Cached: spec, Outputs: outputs, Fill: fill})
	must(t, err)
	if fills != 1 || !d.Present {
		t.Fatalf("image removed: fills=%d present=%v", fills, d.Present)
	}

	// The cache cleared (pack build --clear-cache), the image kept: built
	// again, saying why.
	layer, _ = d.Finish()
	storeLayerMetadata(t, layersDir, layer)
	emptyCache := Snapshots{Dir: t.TempDir()}
	if d, err = ContributeSnapshotBacked(layers, logger, emptyCache, SnapshotBackedSpec{Cached: spec, Outputs: outputs, Fill: fill}); err != nil || fills != 2 || !d.Present {
		t.Fatalf("cache cleared: fills=%d err=%v", fills, err)
	}
	if !strings.Contains(logBuf.String(), "CPython: Contributing to layer (its snapshot is not in the cache)") {
		t.Errorf("log:\n%s", logBuf.String())
	}

	// Changed inputs: built again, and its needs unpacked first.
	layer, _ = d.Finish()
	storeLayerMetadata(t, layersDir, layer)
	need, err := ContributeSnapshotBacked(layers, logger, snaps, SnapshotBackedSpec{Cached: spec, Outputs: outputs, Fill: fill})
	must(t, err)
	spec2 := Cached{Name: "venv", Title: "Packages", Metadata: Metadata{"requirements": "a"}}
	_, err = ContributeSnapshotBacked(layers, logger, snaps, SnapshotBackedSpec{Cached: spec2, Needs: []*SnapshotBackedLayer{need}, Fill: func(l *libcnb.Layer) error {
		if _, err := os.Stat(filepath.Join(need.Layer.Path, "payload")); err != nil {
			t.Errorf("the layer fill needs was not unpacked: %v", err)
		}
		return nil
	}})
	must(t, err)
	spec.Metadata = Metadata{"version": "2"}
	if _, err = ContributeSnapshotBacked(layers, logger, snaps, SnapshotBackedSpec{Cached: spec, Outputs: outputs, Fill: fill}); err != nil || fills != 3 {
		t.Fatalf("changed: fills=%d err=%v", fills, err)
	}
	out := logBuf.String()
	for _, want := range []string{"CPython: Contributing to layer (no cached layer)", "CPython: Reusing cached layer",
		"CPython: Restoring the layer from the cache", "CPython: Contributing to layer (version 1 -> 2)", "unpacked from the cache"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A layer a later buildpack requires at build: a build and launch layer with
// its files and environment, even when the previous image holds it and no
// step of warpdrive's own needed its files.
func TestFinishForLaterBuildpacks(t *testing.T) {
	layersDir := t.TempDir()
	layers := &libcnb.Layers{Path: layersDir}
	snaps := Snapshots{Dir: t.TempDir()}
	var logBuf bytes.Buffer
	logger := log.NewPaketoLogger(&logBuf)
	spec := SnapshotBackedSpec{Cached: Cached{Name: "python", Title: "CPython", Metadata: Metadata{"version": "1"}},
		Fill: func(l *libcnb.Layer) error {
			return os.WriteFile(filepath.Join(l.Path, "payload"), []byte("built"), 0o644)
		}}
	d, err := ContributeSnapshotBacked(layers, logger, snaps, spec)
	must(t, err)
	layer, err := d.Finish()
	must(t, err)
	storeLayerMetadata(t, layersDir, layer)

	tests := []struct {
		name      string
		finish    func(*SnapshotBackedLayer) (libcnb.Layer, error)
		wantTypes libcnb.LayerTypes
		wantFiles bool
	}{
		{"nobody needs it at build: launch-only, the image's layer reused", (*SnapshotBackedLayer).Finish, libcnb.LayerTypes{Launch: true}, false},
		{"a later buildpack needs it at build", (*SnapshotBackedLayer).FinishForLaterBuildpacks, libcnb.LayerTypes{Build: true, Launch: true}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ContributeSnapshotBacked(layers, logger, snaps, spec)
			must(t, err)
			if d.Present {
				t.Fatal("an unchanged layer must be reused without unpacking it")
			}
			d.Layer.SharedEnvironment.Default("PYTHONUNBUFFERED", "1")
			layer, err := tt.finish(d)
			must(t, err)
			if layer.LayerTypes != tt.wantTypes {
				t.Errorf("types = %+v, want %+v", layer.LayerTypes, tt.wantTypes)
			}
			b, err := os.ReadFile(filepath.Join(layer.Path, "payload"))
			if gotFiles := err == nil && string(b) == "built"; gotFiles != tt.wantFiles {
				t.Errorf("files present = %v, want %v (%v)", gotFiles, tt.wantFiles, err)
			}
			if gotEnv := len(layer.SharedEnvironment) > 0; gotEnv != tt.wantFiles {
				t.Errorf("environment written = %v, want %v", gotEnv, tt.wantFiles)
			}
			storeLayerMetadata(t, layersDir, layer)
		})
	}
	if !strings.Contains(logBuf.String(), "CPython: unpacked from the cache in") || !strings.Contains(logBuf.String(), "(a later buildpack uses it at build)") {
		t.Errorf("the log must say why the layer was unpacked:\n%s", logBuf.String())
	}
}
