package build

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/layers"
	"github.com/warpdrive-buildpack/warpdrive/reuse"
	"github.com/warpdrive-buildpack/warpdrive/stepcache"
)

func entry(name string, metadata map[string]interface{}) libcnb.BuildpackPlanEntry {
	return libcnb.BuildpackPlanEntry{Name: name, Metadata: metadata}
}

var (
	atBuild    = map[string]interface{}{"build": true}
	launchOnly = map[string]interface{}{"launch": true}
)

func TestReadLaterBuild(t *testing.T) {
	tests := []struct {
		name    string
		entries []libcnb.BuildpackPlanEntry
		want    laterBuild
	}{
		{"warpdrive alone: its own requirements ask for launch only",
			[]libcnb.BuildpackPlanEntry{entry("cpython", launchOnly), entry("site-packages", launchOnly)}, laterBuild{}},
		{"a later buildpack requires CPython at build",
			[]libcnb.BuildpackPlanEntry{entry("cpython", launchOnly), entry("site-packages", launchOnly), entry("cpython", atBuild)},
			laterBuild{python: true}},
		{"a later buildpack requires the packages at build: CPython too, the venv's python is a link to it",
			[]libcnb.BuildpackPlanEntry{entry("cpython", launchOnly), entry("site-packages", launchOnly), entry("site-packages", atBuild)},
			laterBuild{python: true, packages: true}},
		{"both at build, with other metadata beside",
			[]libcnb.BuildpackPlanEntry{entry("cpython", map[string]interface{}{"build": true, "launch": true}), entry("site-packages", map[string]interface{}{"build": true, "launch": false})},
			laterBuild{python: true, packages: true}},
		{"build = false", []libcnb.BuildpackPlanEntry{entry("cpython", map[string]interface{}{"build": false})}, laterBuild{}},
		{"build as a string is not TOML's true", []libcnb.BuildpackPlanEntry{entry("cpython", map[string]interface{}{"build": "true"})}, laterBuild{}},
		{"another name at build", []libcnb.BuildpackPlanEntry{entry("node", atBuild)}, laterBuild{}},
		{"no plan", nil, laterBuild{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := readLaterBuild(libcnb.BuildpackPlan{Entries: tt.entries}); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// finishLayers makes CPython and the venv (with mod_wsgi's layer, which the
// venv imports) build layers exactly when a later buildpack requires them at
// build; without such a requirement every layer stays launch-only.
func TestFinishLayersForLaterBuildpacks(t *testing.T) {
	launch, both := libcnb.LayerTypes{Launch: true}, libcnb.LayerTypes{Build: true, Launch: true}
	tests := []struct {
		name    string
		entries []libcnb.BuildpackPlanEntry
		want    map[string]libcnb.LayerTypes
		logs    string
	}{
		{"nobody requires them at build", []libcnb.BuildpackPlanEntry{entry("cpython", launchOnly), entry("site-packages", launchOnly)},
			map[string]libcnb.LayerTypes{"python": launch, layers.VenvLayer: launch, layers.ModWSGILayer: launch}, ""},
		{"CPython at build", []libcnb.BuildpackPlanEntry{entry("cpython", atBuild)},
			map[string]libcnb.LayerTypes{"python": both, layers.VenvLayer: launch, layers.ModWSGILayer: launch},
			"For later buildpacks (their build plan requires Python at build): python made build layers too"},
		{"the packages at build", []libcnb.BuildpackPlanEntry{entry("site-packages", atBuild)},
			map[string]libcnb.LayerTypes{"python": both, layers.VenvLayer: both, layers.ModWSGILayer: both},
			"For later buildpacks (their build plan requires Python at build): python, venv, mod_wsgi made build layers too"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			s := snapshotBackedStep(t, log.NewPaketoLogger(&buf))
			s.ctx.Plan = libcnb.BuildpackPlan{Entries: tt.entries}
			if err := (Build{Logger: log.NewPaketoLogger(&buf)}).finishLayers(s); err != nil {
				t.Fatal(err)
			}
			got := map[string]libcnb.LayerTypes{}
			for _, l := range s.result.Layers {
				got[l.Name] = l.LayerTypes
				_, err := os.Stat(filepath.Join(l.Path, "payload"))
				if present := err == nil; present != l.Build {
					t.Errorf("layer %s: files present = %v, but build = %v", l.Name, present, l.Build)
				}
			}
			for name, want := range tt.want {
				if got[name] != want {
					t.Errorf("layer %s: types %+v, want %+v", name, got[name], want)
				}
			}
			if !strings.Contains(buf.String(), tt.logs) || (tt.logs == "" && strings.Contains(buf.String(), "For later buildpacks")) {
				t.Errorf("log:\n%s\nwant %q", buf.String(), tt.logs)
			}
		})
	}
}

// snapshotBackedStep is a step whose python, venv and mod_wsgi layers are the
// previous image's, reused without their files (a rebuild of unchanged
// source), their snapshots in the cache.
func snapshotBackedStep(t *testing.T, logger log.Logger) *step {
	t.Helper()
	dir := t.TempDir()
	ls := &libcnb.Layers{Path: filepath.Join(dir, "layers")}
	snaps := reuse.Snapshots{Dir: filepath.Join(dir, "snapshots")}
	if err := os.MkdirAll(snaps.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := &step{snapshots: snaps, probes: stepcache.Load(snaps), result: libcnb.NewBuildResult()}
	contribute := func(name string) *reuse.SnapshotBackedLayer {
		d, err := reuse.ContributeSnapshotBacked(ls, logger, snaps, reuse.SnapshotBackedSpec{
			Cached: reuse.Cached{Name: name, Title: name, Metadata: reuse.Metadata{"v": "1"}},
			Fill:   func(l *libcnb.Layer) error { return os.WriteFile(filepath.Join(l.Path, "payload"), nil, 0o644) },
		})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, name := range []string{"python", layers.VenvLayer, layers.ModWSGILayer} {
		// Built once, then left in the image: what the lifecycle restores
		// of a launch-only layer is its metadata alone.
		d := contribute(name)
		var out bytes.Buffer
		if err := toml.NewEncoder(&out).Encode(map[string]interface{}{"metadata": d.Layer.Metadata}); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(ls.Path, name+".toml"), out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		os.RemoveAll(d.Layer.Path)
		s.snapshotBacked = append(s.snapshotBacked, contribute(name))
	}
	s.python, s.venvLayer = s.snapshotBacked[0], s.snapshotBacked[1]
	return s
}

func TestCheckLaterVersions(t *testing.T) {
	available := []string{"3.11.2", "3.13.5"}
	req := app.VersionRequest{Version: "3.13", Source: app.SourceDefault}
	cpython := func(md map[string]interface{}) libcnb.BuildpackPlanEntry { return entry("cpython", md) }
	tests := []struct {
		name    string
		entries []libcnb.BuildpackPlanEntry
		fits    []string // nil: no error
		bad     bool     // the constraint does not parse
	}{
		{"no version asked", []libcnb.BuildpackPlanEntry{cpython(atBuild), cpython(launchOnly)}, nil, false},
		{"\"default\" asks for nothing", []libcnb.BuildpackPlanEntry{cpython(map[string]interface{}{"version": "default"})}, nil, false},
		{"the installed minor", []libcnb.BuildpackPlanEntry{cpython(map[string]interface{}{"version": "3.13.*", "build": true})}, nil, false},
		{"a range that holds it", []libcnb.BuildpackPlanEntry{cpython(map[string]interface{}{"version": ">=3.11, <3.14"})}, nil, false},
		{"another provided minor", []libcnb.BuildpackPlanEntry{cpython(map[string]interface{}{"version": "3.11.*"})}, []string{"3.11.2"}, false},
		{"a minor not provided", []libcnb.BuildpackPlanEntry{cpython(map[string]interface{}{"version": "3.8"})}, []string{}, false},
		{"site-packages has no version to check", []libcnb.BuildpackPlanEntry{entry("site-packages", map[string]interface{}{"version": "3.8"})}, nil, false},
		{"not a constraint", []libcnb.BuildpackPlanEntry{cpython(map[string]interface{}{"version": "python3"})}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkLaterVersions(libcnb.BuildpackPlan{Entries: tt.entries}, "3.13.5", req, available)
			var later LaterVersionError
			switch {
			case tt.fits == nil && !tt.bad:
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
			case !errors.As(err, &later):
				t.Fatalf("err = %v, want a LaterVersionError", err)
			case tt.bad != (later.Unreadable != nil):
				t.Errorf("Unreadable = %v, want it set: %v", later.Unreadable, tt.bad)
			case !tt.bad && strings.Join(later.Fits, " ") != strings.Join(tt.fits, " "):
				t.Errorf("Fits = %v, want %v", later.Fits, tt.fits)
			}
		})
	}
}
