package layers

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2"
	plog "github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/pip"
	"github.com/warpdrive-buildpack/warpdrive/reuse"
)

// keyChange is one change to what a layer is given, and whether it must
// change the layer's key (rebuild it).
type keyChange[L any] struct {
	name    string
	change  func(*L)
	rebuilt bool
}

// checkKeyChanges applies each change to a copy of base and compares the
// layer's metadata (as key makes it) with base's.
func checkKeyChanges[L any](t *testing.T, base L, key func(L) reuse.Metadata, changes []keyChange[L]) {
	t.Helper()
	before := key(base)
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			l := base
			c.change(&l)
			after := key(l)
			if rebuilt := !reflect.DeepEqual(after, before); rebuilt != c.rebuilt {
				t.Errorf("key changed: %v, want %v (%v -> %v)", rebuilt, c.rebuilt, before, after)
			}
		})
	}
}

// The metadata of each layer below is the one earlier buildpacks stored,
// key for key, so an upgraded buildpack reuses their layers.

func samplePython() Python {
	return Python{Dependency: libpak.BuildModuleDependency{ID: "cpython", Name: "CPython", Version: "3.13.5",
		URI: "https://example.test/cpython-3.13.5.tar.zst", Checksum: libpak.Checksum("sha256:" + hex64("a")),
		PURLS: []string{"pkg:generic/cpython@3.13.5"}, CPEs: []string{"cpe:2.3:a:python:python:3.13.5"}},
		Target: "linux/amd64 debian-12", Logger: plog.NewDiscardLogger()}
}

func TestPythonKeyIsTheOldMetadata(t *testing.T) {
	want := reuse.Metadata{"version": "3.13.5", "checksum": hex64("a"), "target": "linux/amd64 debian-12"}
	if got := samplePython().Key().Metadata(); !reflect.DeepEqual(got, want) {
		t.Errorf("metadata = %v\nwant       %v", got, want)
	}
}

func TestPythonKeyChanges(t *testing.T) {
	checkKeyChanges(t, samplePython(), func(p Python) reuse.Metadata { return p.Key().Metadata() }, []keyChange[Python]{
		{"the version", func(p *Python) { p.Dependency.Version = "3.13.6" }, true},
		{"the archive's checksum", func(p *Python) { p.Dependency.Checksum = libpak.Checksum("sha256:" + hex64("b")) }, true},
		{"the target", func(p *Python) { p.Target = "linux/arm64 debian-12" }, true},
		{"the archive's URI (same checksum)", func(p *Python) { p.Dependency.URI = "https://mirror.test/cpython.tar.zst" }, false},
		{"the snapshots layer's path", func(p *Python) { p.Snapshots = reuse.Snapshots{Dir: "/elsewhere"} }, false},
	})
}

// libpak verifies the download against buildpack.toml's older sha256 field
// when checksum is not set: the key follows that one then.
func TestPythonKeyFollowsTheOlderSHA256Field(t *testing.T) {
	base := samplePython()
	base.Dependency.Checksum, base.Dependency.SHA256 = "", libpak.Checksum(hex64("c"))
	if got := base.Key().Checksum; got != hex64("c") {
		t.Errorf("checksum = %q, want the sha256 field's", got)
	}
	checkKeyChanges(t, base, func(p Python) reuse.Metadata { return p.Key().Metadata() }, []keyChange[Python]{
		{"the archive's sha256", func(p *Python) { p.Dependency.SHA256 = libpak.Checksum(hex64("d")) }, true},
	})
}

func samplePipCache() PipCache {
	return PipCache{Runtime: Runtime{Home: "/layers/warpdrive/python", Version: "3.13.5", PipVersion: "25.1.1"},
		Target: "linux/amd64 debian-12", Logger: plog.NewDiscardLogger()}
}

func TestPipCacheKeyIsTheOldMetadata(t *testing.T) {
	want := reuse.Metadata{"python_version": "3.13.5", "pip_version": "25.1.1", "target": "linux/amd64 debian-12"}
	if got := samplePipCache().Key().Metadata(); !reflect.DeepEqual(got, want) {
		t.Errorf("metadata = %v\nwant       %v", got, want)
	}
}

func TestPipCacheKeyChanges(t *testing.T) {
	checkKeyChanges(t, samplePipCache(), func(p PipCache) reuse.Metadata { return p.Key().Metadata() }, []keyChange[PipCache]{
		{"the Python version", func(p *PipCache) { p.Runtime.Version = "3.12.11" }, true},
		{"the bundled pip", func(p *PipCache) { p.Runtime.PipVersion = "25.2" }, true},
		{"the target", func(p *PipCache) { p.Target = "linux/arm64 debian-12" }, true},
		{"where the runtime lives", func(p *PipCache) { p.Runtime.Home = "/layers/other/python" }, false},
	})
}

// sampleModWSGI is a mod_wsgi layer with what it is given, and the Apache.
type sampleModWSGI struct {
	m      ModWSGI
	apache Apache
}

func newSampleModWSGI() sampleModWSGI {
	return sampleModWSGI{ModWSGI{Version: "5.0.2", Runtime: Runtime{Home: "/layers/warpdrive/python", Version: "3.13.5", PipVersion: "25.1.1"},
		Venv: "/layers/warpdrive/venv", PipCache: "/layers/warpdrive/pip-cache", Target: "linux/amd64 debian-12", Logger: plog.NewDiscardLogger()},
		Apache{APXS: "/usr/bin/apxs2", Version: "2.4.62"}}
}

func TestModWSGIKeyIsTheOldMetadata(t *testing.T) {
	t.Setenv("CFLAGS", "")
	t.Setenv("LDFLAGS", " ")
	s := newSampleModWSGI()
	want := reuse.Metadata{"mod_wsgi_version": "5.0.2", "build": "pep517, debug info stripped", "python_version": "3.13.5",
		"apache_version": "2.4.62", "target": "linux/amd64 debian-12"}
	if got := s.m.Key(s.apache).Metadata(); !reflect.DeepEqual(got, want) {
		t.Errorf("metadata = %v\nwant       %v", got, want)
	}
}

// mod_wsgi is its own layer so the application's packages do not recompile
// it: the venv's content is nothing it is keyed on.
func TestModWSGIKeyChanges(t *testing.T) {
	t.Setenv("CFLAGS", "")
	t.Setenv("LDFLAGS", "")
	checkKeyChanges(t, newSampleModWSGI(), func(s sampleModWSGI) reuse.Metadata { return s.m.Key(s.apache).Metadata() }, []keyChange[sampleModWSGI]{
		{"the mod_wsgi version", func(s *sampleModWSGI) { s.m.Version = "5.0.1" }, true},
		{"the Python version", func(s *sampleModWSGI) { s.m.Runtime.Version = "3.12.11" }, true},
		{"the Apache version", func(s *sampleModWSGI) { s.apache.Version = "2.4.65" }, true},
		{"the target", func(s *sampleModWSGI) { s.m.Target = "linux/arm64 debian-12" }, true},
		{"the bundled pip", func(s *sampleModWSGI) { s.m.Runtime.PipVersion = "25.2" }, false},
		{"where apxs is", func(s *sampleModWSGI) { s.apache.APXS = "/usr/local/bin/apxs" }, false},
		{"the venv and pip cache paths", func(s *sampleModWSGI) { s.m.Venv, s.m.PipCache = "/v", "/c" }, false},
		{"a private index's credentials", func(s *sampleModWSGI) {
			s.m.Credentials = pip.Credentials{Env: map[string]string{"PIP_INDEX_URL": "https://u:p@x"}}
		}, false},
	})
}

// The build's CFLAGS and LDFLAGS reach mod_wsgi's compiler and linker, so
// they are in its key.
func TestModWSGIKeyFollowsTheBuildsFlags(t *testing.T) {
	s := newSampleModWSGI()
	tests := []struct{ name, variable, value, entry string }{
		{"CFLAGS", "CFLAGS", "-O3 -march=x86-64-v3", "cflags"},
		{"LDFLAGS", "LDFLAGS", "-Wl,-z,now", "ldflags"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CFLAGS", "")
			t.Setenv("LDFLAGS", "")
			before := s.m.Key(s.apache).Metadata()
			t.Setenv(tt.variable, tt.value)
			after := s.m.Key(s.apache).Metadata()
			if reason := reuse.ChangeReason(toStored(before), after); reason != tt.entry+" is new" || after[tt.entry] != tt.value {
				t.Errorf("with %s=%s the key changed by %q (%v), want %s added", tt.variable, tt.value, reason, after, tt.entry)
			}
		})
	}
}

// pip caches the wheel it builds from mod_wsgi's sdist by the sdist's URL
// and the interpreter only: a rebuild for a changed key must not find the
// previous build there, an unchanged key may.
func TestModWSGIBuildsWithACacheOfItsKey(t *testing.T) {
	t.Setenv("CFLAGS", "")
	t.Setenv("LDFLAGS", "")
	cache := t.TempDir()
	build := func(apacheVersion string) string {
		t.Helper()
		s := newSampleModWSGI()
		s.apache.Version = apacheVersion
		fake := &fakePython{}
		s.m.PipCache, s.m.Executor = cache, fake
		must(t, s.m.build(&libcnb.Layer{Path: t.TempDir()}, s.apache, s.m.Key(s.apache)))
		for i, c := range fake.calls {
			if len(c) > 3 && c[2] == "pip" && c[3] == "install" {
				for _, kv := range fake.envs[i] {
					if dir, ok := strings.CutPrefix(kv, "PIP_CACHE_DIR="); ok {
						os.MkdirAll(dir, 0o755) // as pip would
						return dir
					}
				}
			}
		}
		t.Fatalf("no pip install with a PIP_CACHE_DIR among %v", fake.calls)
		return ""
	}
	first := build("2.4.62")
	if filepath.Dir(first) != cache {
		t.Errorf("PIP_CACHE_DIR = %s, want a directory of pip's cache %s", first, cache)
	}
	if again := build("2.4.62"); again != first {
		t.Errorf("the same key built with cache %s, then %s", first, again)
	}
	if other := build("2.4.65"); other == first {
		t.Errorf("a new Apache built with the cache of the old one's build (%s)", other)
	}
	if _, err := os.Stat(first); !os.IsNotExist(err) {
		t.Errorf("the old key's cache %s is still there (%v)", first, err)
	}
}

func TestStartKey(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "main")
	must(t, os.WriteFile(bin, []byte("binary 1"), 0o755))
	key := func(s Start) reuse.Metadata {
		k, err := s.Key()
		must(t, err)
		return k.Metadata()
	}
	// sha256 of "binary 1"
	want := reuse.Metadata{"sha256": "a9f1ee29177a0603743de201e2ed1d5701bf9ccbfdf6243c200e1cf93f68c057"}
	if got := key(Start{Binary: bin}); !reflect.DeepEqual(got, want) {
		t.Errorf("metadata = %v\nwant       %v", got, want)
	}
	copied := filepath.Join(dir, "elsewhere")
	must(t, os.WriteFile(copied, []byte("binary 1"), 0o755))
	changed := filepath.Join(dir, "changed")
	must(t, os.WriteFile(changed, []byte("binary 2"), 0o755))
	checkKeyChanges(t, Start{Binary: bin}, key, []keyChange[Start]{
		{"the binary's content", func(s *Start) { s.Binary = changed }, true},
		{"the binary's path", func(s *Start) { s.Binary = copied }, false},
	})
}

func hex64(c string) string {
	out := ""
	for len(out) < 64 {
		out += c
	}
	return out
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
