package layers

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	plog "github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/debpackages"
	"github.com/warpdrive-buildpack/warpdrive/internal/debtest"
)

// The layer installs what the run image lacks, is on the search paths at
// build and run, lists the packages in its SBOMs, and is reused while the
// requests, the archive and the run image are unchanged.
func TestDebPackagesLayer(t *testing.T) {
	srv := debtest.New(t,
		debtest.Package{Name: "tool", Version: "1.0-1", Depends: "libtool1, libc6", Files: map[string]string{"./usr/bin/tool": "#!/bin/sh\n"}},
		debtest.Package{Name: "libtool1", Version: "1.0-1", Files: map[string]string{"./usr/lib/x86_64-linux-gnu/libtool.so.1": "ELF"}},
		debtest.Package{Name: "libc6", Version: "2.36-9", Files: map[string]string{"./lib/x86_64-linux-gnu/libc.so.6": "ELF"}},
	)
	status := filepath.Join(t.TempDir(), "status")
	must(t, os.WriteFile(status, []byte("Package: libc6\nStatus: install ok installed\nVersion: 2.36-9\n"), 0o644))
	layersDir := t.TempDir()
	var log bytes.Buffer
	d := DebPackages{
		Requests:  []debpackages.Request{{Name: "tool", Source: "Aptfile line 1"}},
		Archive:   debpackages.Archive{Suites: []debpackages.Suite{{Mirror: srv.URL, Name: "stable"}}, Arch: "amd64", Keyring: srv.Keyring, Client: srv.Client},
		Installed: status, Distro: "debian-12", Logger: plog.NewPaketoLogger(&log),
	}
	layer, cache, key, err := d.Contribute(&libcnb.Layers{Path: layersDir})
	if err != nil {
		t.Fatal(err)
	}
	if !layer.LayerTypes.Build || !layer.LayerTypes.Launch || !layer.LayerTypes.Cache || !cache.LayerTypes.Cache || cache.LayerTypes.Launch {
		t.Errorf("types: layer %+v, cache %+v", layer.LayerTypes, cache.LayerTypes)
	}
	assertContains(t, "log", log.String(), "Installing 2 packages: libtool1=1.0-1 tool=1.0-1")
	for _, f := range []string{"usr/bin/tool", "usr/lib/x86_64-linux-gnu/libtool.so.1"} {
		if _, err := os.Stat(filepath.Join(layer.Path, f)); err != nil {
			t.Errorf("%s not installed: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(layer.Path, "lib/x86_64-linux-gnu/libc.so.6")); err == nil {
		t.Error("libc6 is on the run image, yet installed")
	}
	if got := layer.SharedEnvironment["PATH.prepend"]; !strings.HasPrefix(got, filepath.Join(layer.Path, "usr/bin")+":") {
		t.Errorf("PATH.prepend = %q", got)
	}
	if got := layer.BuildEnvironment["CPATH.prepend"]; !strings.Contains(got, filepath.Join(layer.Path, "usr/include")) {
		t.Errorf("CPATH.prepend = %q", got)
	}
	if _, ok := layer.LaunchEnvironment["CPATH.prepend"]; ok {
		t.Error("CPATH is set at launch")
	}
	cdxSBOM, err := os.ReadFile(layer.SBOMPath(libcnb.CycloneDXJSON))
	must(t, err)
	assertContains(t, "the CycloneDX SBOM", string(cdxSBOM), "pkg:deb/debian/tool@1.0-1?arch=amd64", "distro=debian-12", "pkg:deb/debian/libtool1@1.0-1")
	spdxSBOM, err := os.ReadFile(layer.SBOMPath(libcnb.SPDXJSON))
	must(t, err)
	assertContains(t, "the SPDX SBOM", string(spdxSBOM), `"name": "libtool1"`)

	// The next build: unchanged, the layer is reused without a package
	// download; another request, the key changes.
	storeLayerMetadata(t, layersDir, layer)
	delete(srv.Files, "/pool/main/tool_1.0-1_amd64.deb")
	log.Reset()
	again, _, keyAgain, err := d.Contribute(&libcnb.Layers{Path: layersDir})
	if err != nil || keyAgain != key || !strings.Contains(log.String(), "Debian packages: Reusing cached layer") {
		t.Fatalf("rebuild: %v, key %+v vs %+v\n%s", err, keyAgain, key, log.String())
	}
	if _, err := os.Stat(again.SBOMPath(libcnb.SPDXJSON)); err != nil {
		t.Errorf("the reused layer has no SBOM: %v", err)
	}
	d.Requests = append(d.Requests, debpackages.Request{Name: "libc6", Force: true, Source: "Aptfile line 2"})
	if k, err := d.key(debpackages.Release{}); err != nil || k.Digest() == key.Digest() {
		t.Errorf("another request keeps the key: %v", err)
	}
}

func assertContains(t *testing.T, what, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}
