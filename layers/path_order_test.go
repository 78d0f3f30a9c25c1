package layers

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/paketo-buildpacks/libpak/v2/effect"
	plog "github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/reuse"
)

// fakeRuntimeArchive is a python-build-standalone archive (python/...) with
// what the runtime layer looks for: bin/python3, which answers the layer's
// version question and nothing else, pip, and ensurepip's bundled wheel.
func fakeRuntimeArchive(t *testing.T) (path, sum string) {
	t.Helper()
	files := map[string]string{
		"python/bin/python3": "#!/bin/sh\ncase \"$*\" in *sysconfig*) echo 3.13.5 /install/lib;; esac\n",
		"python/bin/pip3":    "#!/bin/sh\n",
		"python/lib/python3.13/ensurepip/_bundled/pip-25.1.1-py3-none-any.whl": "",
	}
	path = filepath.Join(t.TempDir(), "cpython.tar.gz")
	f, err := os.Create(path)
	must(t, err)
	z := gzip.NewWriter(f)
	tw := tar.NewWriter(z)
	for name, body := range files {
		must(t, tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(body)), Typeflag: tar.TypeReg}))
		_, err := tw.Write([]byte(body))
		must(t, err)
	}
	must(t, tw.Close())
	must(t, z.Close())
	must(t, f.Close())
	data, err := os.ReadFile(path)
	must(t, err)
	s := sha256.Sum256(data)
	return path, hex.EncodeToString(s[:])
}

// venvPython is the runtime's `python -m venv` as far as the packages
// layer needs it: the venv's bin/ with its python, python3 and pip.
type venvPython struct{ fakePython }

func (f *venvPython) Execute(e effect.Execution) error {
	if len(e.Args) >= 3 && e.Args[1] == "venv" {
		bin := filepath.Join(e.Args[2], "bin")
		if err := os.MkdirAll(bin, 0o755); err != nil {
			return err
		}
		for _, name := range []string{"python", "python3", "pip", "pip3"} {
			if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
				return err
			}
		}
	}
	return f.fakePython.Execute(e)
}

// lifecyclePATH is PATH as the lifecycle makes it for a buildpack's layers
// (at build, for later buildpacks, and at launch): each layer's bin/
// prepended in the order of the layers' directory names, so the layer that
// sorts last comes first.
func lifecyclePATH(t *testing.T, layersDir string) []string {
	t.Helper()
	entries, err := os.ReadDir(layersDir) // sorted by name, as the lifecycle reads them
	must(t, err)
	var path []string
	for _, e := range entries {
		if bin := filepath.Join(layersDir, e.Name(), "bin"); e.IsDir() && isDir(bin) {
			path = append([]string{bin}, path...)
		}
	}
	return path
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// lookPath is the first dir of path holding program.
func lookPath(path []string, program string) string {
	for _, dir := range path {
		if fi, err := os.Stat(filepath.Join(dir, program)); err == nil && fi.Mode().IsRegular() {
			return filepath.Join(dir, program)
		}
	}
	return ""
}

// The layers the build contributes with programs in bin/ (the runtime, the
// venv, the launch helper), made by their own Contribute, and PATH made as
// the lifecycle makes it: python, python3 and pip are the venv's, so every
// process runs the app's packages, not the bare runtime.
func TestVenvLayerComesFirstOnPath(t *testing.T) {
	layersDir := t.TempDir()
	layers := &libcnb.Layers{Path: layersDir}
	logger := plog.NewPaketoLogger(&strings.Builder{})
	snaps := reuse.Snapshots{Dir: t.TempDir()}

	archive, sum := fakeRuntimeArchive(t)
	runtimeLayer, runtime, err := Python{
		Dependency: libpak.BuildModuleDependency{ID: "python", Name: "CPython", Version: "3.13.5", URI: "file://" + archive, Checksum: libpak.Checksum(sum)},
		Cache:      libpak.DependencyCache{CachePath: t.TempDir(), DownloadPath: t.TempDir(), Logger: logger},
		Snapshots:  snaps, Target: "linux/amd64", Logger: logger,
	}.Contribute(layers)
	must(t, err)
	_, _, err = Packages{Runtime: runtime, Python: runtimeLayer, Snapshots: snaps, Target: "linux/amd64", Logger: logger,
		Home: t.TempDir(), Executor: &venvPython{}}.Contribute(layers)
	must(t, err)
	binary := filepath.Join(t.TempDir(), "main")
	must(t, os.WriteFile(binary, []byte("binary"), 0o755))
	_, err = Start{Binary: binary, Logger: logger}.Contribute(layers)
	must(t, err)

	path := lifecyclePATH(t, layersDir)
	if len(path) < 3 {
		t.Fatalf("PATH %v: the runtime, the venv and the launch helper each have a bin/", path)
	}
	venvBin := filepath.Join(layersDir, VenvLayer, "bin")
	for _, program := range []string{"python", "python3", "pip", "pip3"} {
		if got := lookPath(path, program); filepath.Dir(got) != venvBin {
			t.Errorf("%s on the lifecycle's PATH is %q, want the venv's (%s); PATH %v", program, got, venvBin, path)
		}
	}
	if got := lookPath(path, "warpdrive-start"); got == "" {
		t.Errorf("warpdrive-start is not on PATH %v", path)
	}
}
