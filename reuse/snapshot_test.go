package reuse

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	"github.com/klauspost/compress/zstd"
	"github.com/paketo-buildpacks/libpak/v2/log"
)

// Restoring streams large files from the archive: the memory it allocates
// stays a small fraction of the files' sizes (a venv with torch holds files
// of hundreds of MiB, and a build pod has a few GiB).
func TestSnapshotRestoreMemoryIsBounded(t *testing.T) {
	const files, size = 4, 32 << 20
	src := t.TempDir()
	rng := rand.New(rand.NewSource(1))
	chunk := make([]byte, 1<<20)
	for i := range files {
		f, err := os.Create(filepath.Join(src, "lib"+string(rune('a'+i))+".so"))
		must(t, err)
		for range size / len(chunk) {
			rng.Read(chunk) // incompressible, as shared libraries nearly are
			_, err := f.Write(chunk)
			must(t, err)
		}
		must(t, f.Close())
	}
	must(t, os.WriteFile(filepath.Join(src, "small.py"), []byte("x = 1\n"), 0o644))
	snaps := Snapshots{Dir: t.TempDir()}
	must(t, snaps.Save("venv", "k", src))

	dst := filepath.Join(t.TempDir(), "venv")
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	must(t, snaps.Restore("venv", dst))
	runtime.ReadMemStats(&after)

	allocated := after.TotalAlloc - before.TotalAlloc
	total := uint64(files * size)
	t.Logf("restoring %d MiB allocated %.1f MiB", total>>20, float64(allocated)/(1<<20))
	if allocated > total/8 {
		t.Errorf("restoring %d MiB of files allocated %d MiB: the files are held in memory", total>>20, allocated>>20)
	}
	for i := range files {
		name := "lib" + string(rune('a'+i)) + ".so"
		if fi, err := os.Stat(filepath.Join(dst, name)); err != nil || fi.Size() != size {
			t.Errorf("%s: %v %v", name, fi, err)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dst, "small.py")); err != nil || string(b) != "x = 1\n" {
		t.Errorf("small.py: %q %v", b, err)
	}
}

// zstdTar compresses what write puts in a tar stream, without closing the
// tar (so a truncated archive can be made).
func zstdTar(t *testing.T, write func(tw *tar.Writer, raw io.Writer)) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc, err := zstd.NewWriter(&buf)
	must(t, err)
	write(tar.NewWriter(enc), enc)
	must(t, enc.Close())
	return buf.Bytes()
}

// A corrupt or truncated snapshot is a CorruptSnapshotError (which the
// build treats as a cache miss), never a panic or an attempt to hold an
// impossible file in memory.
func TestSnapshotRestoreCorrupt(t *testing.T) {
	src := t.TempDir()
	must(t, os.WriteFile(filepath.Join(src, "big"), bytes.Repeat([]byte("0123456789"), 1<<17), 0o644))
	good := Snapshots{Dir: t.TempDir()}
	must(t, good.Save("venv", "k", src))
	valid, err := os.ReadFile(good.archive("venv"))
	must(t, err)

	tests := []struct {
		name    string
		archive []byte
	}{
		{"not zstd", []byte("this is not a snapshot")},
		{"truncated", valid[:len(valid)/2]},
		{"a header with a bad checksum", zstdTar(t, func(_ *tar.Writer, raw io.Writer) {
			block := make([]byte, 512)
			copy(block, "file.py")
			copy(block[148:], "1234567\x00") // the checksum field, wrong
			raw.Write(block)
		})},
		{"a header claiming a file larger than memory", zstdTar(t, func(tw *tar.Writer, _ io.Writer) {
			must(t, tw.WriteHeader(&tar.Header{Name: "huge.so", Mode: 0o644, Size: 1 << 50, Typeflag: tar.TypeReg, Format: tar.FormatPAX}))
			tw.Write([]byte("only this much"))
		})},
		{"a small file cut short", zstdTar(t, func(tw *tar.Writer, _ io.Writer) {
			must(t, tw.WriteHeader(&tar.Header{Name: "small.py", Mode: 0o644, Size: 100, Typeflag: tar.TypeReg}))
			tw.Write([]byte("x = 1\n"))
		})},
		{"a path outside the layer", zstdTar(t, func(tw *tar.Writer, _ io.Writer) {
			must(t, tw.WriteHeader(&tar.Header{Name: "../escape", Mode: 0o644, Typeflag: tar.TypeReg}))
			must(t, tw.Close())
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snaps := Snapshots{Dir: t.TempDir()}
			must(t, os.WriteFile(snaps.archive("venv"), tt.archive, 0o644))
			must(t, os.WriteFile(snaps.keyFile("venv"), []byte("k\n"), 0o644))
			err := snaps.Restore("venv", filepath.Join(t.TempDir(), "venv"))
			var corrupt CorruptSnapshotError
			if !errors.As(err, &corrupt) || !strings.Contains(err.Error(), "the snapshot of venv in the cache cannot be read") {
				t.Errorf("err = %v, want a CorruptSnapshotError", err)
			}
		})
	}
}

// A snapshot that cannot be read is a cache miss: the layer is built again
// and its snapshot replaced, whether the layer was being restored or
// unpacked for a build step.
func TestContributeSnapshotBackedRebuildsFromACorruptSnapshot(t *testing.T) {
	fill := func(fills *int) func(l *libcnb.Layer) error {
		return func(l *libcnb.Layer) error {
			*fills++
			return os.WriteFile(filepath.Join(l.Path, "payload"), []byte("built"), 0o644)
		}
	}
	spec := Cached{Name: "python", Title: "CPython", Metadata: Metadata{"version": "1"}}
	tests := []struct {
		name string
		// inImage: the previous image holds the layer, so it is reused and
		// only unpacked when a step needs it.
		inImage bool
	}{
		{"restoring the layer", false},
		{"unpacking it for a build step", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			layersDir := t.TempDir()
			layers := &libcnb.Layers{Path: layersDir}
			snaps := Snapshots{Dir: t.TempDir()}
			var logBuf bytes.Buffer
			logger := log.NewPaketoLogger(&logBuf)
			fills := 0
			d, err := ContributeSnapshotBacked(layers, logger, snaps, SnapshotBackedSpec{Cached: spec, Fill: fill(&fills)})
			must(t, err)
			layer, err := d.Finish()
			must(t, err)
			if tt.inImage {
				storeLayerMetadata(t, layersDir, layer)
			} else {
				must(t, os.RemoveAll(layer.Path))
			}
			must(t, os.WriteFile(snaps.archive("python"), []byte("garbage"), 0o644))

			d, err = ContributeSnapshotBacked(layers, logger, snaps, SnapshotBackedSpec{Cached: spec, Fill: fill(&fills)})
			must(t, err)
			if tt.inImage {
				must(t, d.Materialize())
			}
			if b, err := os.ReadFile(filepath.Join(d.Layer.Path, "payload")); fills != 2 || err != nil || string(b) != "built" {
				t.Fatalf("fills=%d payload=%q %v", fills, b, err)
			}
			if !strings.Contains(logBuf.String(), "WARNING: the snapshot of python in the cache cannot be read") {
				t.Errorf("log:\n%s", logBuf.String())
			}
			if err := snaps.Restore("python", filepath.Join(t.TempDir(), "python")); err != nil {
				t.Errorf("the snapshot was not replaced: %v", err)
			}
			layer, err = d.Finish()
			must(t, err)
			if _, err := os.Stat(filepath.Join(layer.Path, "payload")); err != nil {
				t.Errorf("a rebuilt layer is exported with its files: %v", err)
			}
		})
	}
}

// A readable snapshot whose files cannot be written is a
// SnapshotRestoreError (a titled build error), not a cache miss: building
// the layer again would fail to write as well.
func TestSnapshotRestoreWriteFailure(t *testing.T) {
	src := t.TempDir()
	must(t, os.WriteFile(filepath.Join(src, "mod.py"), []byte("x = 1\n"), 0o644))
	snaps := Snapshots{Dir: t.TempDir()}
	must(t, snaps.Save("venv", "k", src))
	notADir := filepath.Join(t.TempDir(), "file")
	must(t, os.WriteFile(notADir, nil, 0o644))

	err := snaps.Restore("venv", filepath.Join(notADir, "venv"))
	var restore SnapshotRestoreError
	var corrupt CorruptSnapshotError
	if !errors.As(err, &restore) || errors.As(err, &corrupt) || restore.Name != "venv" {
		t.Errorf("err = %#v, want a SnapshotRestoreError", err)
	}
}

// A small file that cannot be written (its path is a directory) fails the
// restore with the write's error, not as a corrupt snapshot, and the decoding
// stops instead of waiting on workers that have stopped: more files than the
// queue and the workers hold follow the failing one.
func TestSnapshotRestoreSmallFileWriteFailure(t *testing.T) {
	src := t.TempDir()
	for i := range 4 * (restoreQueue + restoreWorkers) {
		must(t, os.WriteFile(filepath.Join(src, fmt.Sprintf("m%04d.py", i)), []byte("x = 1\n"), 0o644))
	}
	snaps := Snapshots{Dir: t.TempDir()}
	must(t, snaps.Save("venv", "k", src))
	dst := t.TempDir()
	must(t, os.Mkdir(filepath.Join(dst, "m0000.py"), 0o755))

	err := snaps.Restore("venv", dst)
	var restore SnapshotRestoreError
	var corrupt CorruptSnapshotError
	if !errors.As(err, &restore) || errors.As(err, &corrupt) || !strings.Contains(err.Error(), "m0000.py") {
		t.Errorf("err = %v, want a SnapshotRestoreError naming m0000.py", err)
	}
}

func TestSnapshotsKey(t *testing.T) {
	base := SnapshotsKey{Format: snapshotFormat, Target: "linux/amd64 debian-12"}
	want := Metadata{"format": "tar.zst-1", "target": "linux/amd64 debian-12"}
	if got := base.Metadata(); !reflect.DeepEqual(got, want) {
		t.Errorf("metadata = %v\nwant       %v", got, want)
	}
	for _, c := range []struct {
		name   string
		change func(*SnapshotsKey)
	}{
		{"the archive format", func(k *SnapshotsKey) { k.Format = "tar.zst-2" }},
		{"the target", func(k *SnapshotsKey) { k.Target = "linux/arm64 debian-12" }},
	} {
		k := base
		c.change(&k)
		if reflect.DeepEqual(k.Metadata(), base.Metadata()) {
			t.Errorf("%s left the key as it was: %v", c.name, k.Metadata())
		}
	}
}
