package sbom

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paketo-buildpacks/libpak/v2"
	plog "github.com/paketo-buildpacks/libpak/v2/log"
)

func TestSBOMListsDistributionsWithPurlsLicensesAndHashes(t *testing.T) {
	site := filepath.Join(t.TempDir(), "lib", "python3.13", "site-packages")
	dist := func(dir, metadata, directURL string) {
		t.Helper()
		must(t, os.MkdirAll(filepath.Join(site, dir), 0o755))
		must(t, os.WriteFile(filepath.Join(site, dir, "METADATA"), []byte(metadata), 0o644))
		if directURL != "" {
			must(t, os.WriteFile(filepath.Join(site, dir, "direct_url.json"), []byte(directURL), 0o644))
		}
	}
	dist("Django-4.2.28.dist-info", "Metadata-Version: 2.1\nName: Django\nVersion: 4.2.28\nHome-page: https://www.djangoproject.com/\nLicense: BSD-3-Clause\nClassifier: License :: OSI Approved :: BSD License\n\nThe web framework.\n", "")
	dist("typing_extensions-4.13.2.dist-info", "Metadata-Version: 2.4\nName: typing_extensions\nVersion: 4.13.2\nLicense-Expression: PSF-2.0\n\n", `{"url": "file:///w/t.whl", "archive_info": {"hashes": {"sha256": "abc123"}}}`)

	dist("torch-2.1.0+cpu.dist-info", "Metadata-Version: 2.1\nName: torch\nVersion: 2.1.0+cpu\nLicense: BSD-3\n\n", "")
	dist("legacy-1!2.0.dist-info", "Metadata-Version: 2.1\nName: legacy\nVersion: 1!2.0\n\n", "")
	// A METADATA that is not RFC 822 headers, one without a name, and a
	// dist-info without METADATA are left out; the rest is listed.
	dist("broken-1.0.dist-info", "Metadata-Version: 2.1\nthis line is no header\nName: broken\n\n", "")
	dist("nameless-1.0.dist-info", "Metadata-Version: 2.1\nVersion: 1.0\n\n", "")
	must(t, os.MkdirAll(filepath.Join(site, "empty-1.0.dist-info"), 0o755))

	var log bytes.Buffer
	components, err := Distributions(filepath.Join(filepath.Dir(filepath.Dir(site)), "python3.*", "site-packages"), plog.NewPaketoLogger(&log))
	must(t, err)
	for _, dir := range []string{"broken-1.0.dist-info", "nameless-1.0.dist-info", "empty-1.0.dist-info"} {
		if want := "WARNING: the SBOM leaves out " + filepath.Join(site, dir, "METADATA"); !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
	dep := libpak.BuildModuleDependency{ID: "cpython", Name: "CPython", Version: "3.13.5", URI: "https://example/python.tar.gz",
		Checksum: "sha256:0123", PURLS: []string{"pkg:generic/python@3.13.5?arch=amd64"}, Licenses: []libpak.BuildModuleDependencyLicense{{Type: "PSF-2.0"}}}
	components = append(components, DependencyComponent(dep))
	path := filepath.Join(t.TempDir(), "venv.sbom.cdx.json")
	must(t, Write(path, components))

	src, err := os.ReadFile(path)
	must(t, err)
	var doc struct {
		BOMFormat   string `json:"bomFormat"`
		SpecVersion string `json:"specVersion"`
		Serial      string `json:"serialNumber"`
		Components  []struct {
			Name     string `json:"name"`
			Version  string `json:"version"`
			Purl     string `json:"purl"`
			Licenses []struct {
				License    struct{ ID, Name string } `json:"license"`
				Expression string                    `json:"expression"`
			} `json:"licenses"`
			Hashes []struct{ Alg, Content string } `json:"hashes"`
		} `json:"components"`
	}
	must(t, json.Unmarshal(src, &doc))
	if doc.BOMFormat != "CycloneDX" || doc.SpecVersion != "1.5" || doc.Serial != "" {
		t.Errorf("format %q %q serial %q, want CycloneDX 1.5 without a serial number", doc.BOMFormat, doc.SpecVersion, doc.Serial)
	}
	want := []struct{ name, purl, license, hash string }{
		{"CPython", "pkg:generic/python@3.13.5?arch=amd64", "PSF-2.0", "0123"},
		{"Django", "pkg:pypi/django@4.2.28", "BSD-3-Clause", ""},
		{"legacy", "pkg:pypi/legacy@1%212.0", "", ""},
		{"torch", "pkg:pypi/torch@2.1.0%2Bcpu", "BSD-3", ""},
		{"typing_extensions", "pkg:pypi/typing-extensions@4.13.2", "PSF-2.0", "abc123"},
	}
	if len(doc.Components) != len(want) {
		t.Fatalf("components: %s", src)
	}
	for i, w := range want {
		c := doc.Components[i]
		license := ""
		if len(c.Licenses) > 0 {
			license = c.Licenses[0].License.ID + c.Licenses[0].License.Name + c.Licenses[0].Expression
		}
		hash := ""
		if len(c.Hashes) > 0 {
			hash = c.Hashes[0].Content
		}
		if c.Name != w.name || c.Purl != w.purl || license != w.license || hash != w.hash {
			t.Errorf("component %d = %s %s %s %s, want %+v", i, c.Name, c.Purl, license, hash, w)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
