package build

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/reuse"
)

// A failure's message goes to the log's own stream, after what the log said,
// whole and in order.
func TestBuildFailureIsOnTheLogStream(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, ".warpdrive"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".warpdrive", "environment"), []byte("GREETING hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	b := Build{Logger: log.NewPaketoLogger(&out), Out: &out}
	ctx := libcnb.BuildContext{ApplicationPath: dir}
	ctx.Buildpack.Info.Name = "warpdrive"
	_, err := b.Build(ctx)
	if err == nil || err.Error() != "Invalid .warpdrive/environment" {
		t.Fatalf("err = %v, want the message's title", err)
	}
	text := out.String()
	title := strings.Index(text, "warpdrive")
	msg := strings.Index(text, "[Error: Invalid .warpdrive/environment]")
	fix := strings.Index(text, "Write line 1 as NAME=value")
	if title < 0 || msg < title || fix < msg {
		t.Errorf("the log does not hold the buildpack's title, then the error, then its fix:\n%s", text)
	}
}

// What a failed build promises to keep is what it restored from an earlier
// build, since the cache stays as that build left it; a first build
// promises nothing.
func TestKeptLine(t *testing.T) {
	restored := layersFromCache(t)
	tests := []struct {
		name string
		s    *step
		want string
	}{
		{"failed before the steps", nil, ""},
		{"a first build", &step{}, ""},
		{"python and pip's cache restored", &step{python: restored, pipCacheRestored: true},
			"A failed build changes no cache: the next build reuses the Python runtime and pip's download cache from the earlier build."},
		{"all three", &step{python: restored, pipCacheRestored: true, venvLayer: restored},
			"the Python runtime, pip's download cache and the installed packages from the earlier build"},
		{"only pip's cache", &step{pipCacheRestored: true}, "reuses pip's download cache from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.Join(tt.s.keptLine(), "\n")
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("keptLine = %q, want %q", got, tt.want)
			}
		})
	}
}

// layersFromCache is a snapshot-backed layer restored from a snapshot, as a
// second build finds the first one's.
func layersFromCache(t *testing.T) *reuse.SnapshotBackedLayer {
	t.Helper()
	dir := t.TempDir()
	snaps := reuse.Snapshots{Dir: filepath.Join(dir, "snapshots")}
	if err := os.MkdirAll(snaps.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	spec := reuse.SnapshotBackedSpec{Cached: reuse.Cached{Name: "python", Title: "CPython", Metadata: reuse.Metadata{"version": "3.13.5"}},
		Fill: func(l *libcnb.Layer) error { return os.WriteFile(filepath.Join(l.Path, "python3"), []byte("x"), 0o755) }}
	first := libcnb.Layers{Path: filepath.Join(dir, "first")}
	var out bytes.Buffer
	d, err := reuse.ContributeSnapshotBacked(&first, log.NewPaketoLogger(&out), snaps, spec)
	if err != nil {
		t.Fatal(err)
	}
	if d.FromCache() {
		t.Fatal("a layer this build made is said to come from the cache")
	}
	second := libcnb.Layers{Path: filepath.Join(dir, "second")}
	d, err = reuse.ContributeSnapshotBacked(&second, log.NewPaketoLogger(&out), snaps, spec)
	if err != nil {
		t.Fatal(err)
	}
	if !d.FromCache() {
		t.Fatalf("a layer restored from its snapshot is not said to come from the cache:\n%s", out.String())
	}
	return d
}
