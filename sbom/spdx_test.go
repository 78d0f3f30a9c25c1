package sbom

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/paketo-buildpacks/libpak/v2"
	spdxjson "github.com/spdx/tools-golang/json"
	spdx "github.com/spdx/tools-golang/spdx/v2/v2_3"
)

func spdxComponents() []cdx.Component {
	django := cdx.Component{Name: "Django", Version: "4.2.28", PackageURL: "pkg:pypi/django@4.2.28",
		Licenses:           &cdx.Licenses{{License: &cdx.License{Name: "BSD-3-Clause"}}, {License: &cdx.License{Name: "BSD License"}}},
		ExternalReferences: &[]cdx.ExternalReference{{Type: cdx.ERTypeWebsite, URL: "https://www.djangoproject.com/"}}}
	torch := cdx.Component{Name: "torch", Version: "2.1.0+cpu", PackageURL: "pkg:pypi/torch@2.1.0%2Bcpu",
		Licenses: &cdx.Licenses{{License: &cdx.License{Name: "BSD-3"}}}}
	typing := cdx.Component{Name: "typing_extensions", Version: "4.13.2", PackageURL: "pkg:pypi/typing-extensions@4.13.2",
		Licenses: &cdx.Licenses{{Expression: "PSF-2.0"}}, Hashes: &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: "abc123"}}}
	legacy := cdx.Component{Name: "legacy", Version: "1!2.0", PackageURL: "pkg:pypi/legacy@1%212.0"}
	cpython := DependencyComponent(libpak.BuildModuleDependency{ID: "cpython", Name: "CPython", Version: "3.13.5",
		URI: "https://example/python.tar.gz", Checksum: "sha256:0123", PURLS: []string{"pkg:generic/python@3.13.5"},
		CPEs: []string{"cpe:2.3:a:python:python:3.13.5:*:*:*:*:*:*:*"}, Licenses: []libpak.BuildModuleDependencyLicense{{Type: "PSF-2.0"}}})
	return []cdx.Component{cpython, django, legacy, torch, typing}
}

func readSPDX(t *testing.T, path string) *spdx.Document {
	t.Helper()
	f, err := os.Open(path)
	must(t, err)
	defer f.Close()
	doc, err := spdxjson.Read(f)
	if err != nil {
		t.Fatalf("SPDX's own reader refuses %s: %v", path, err)
	}
	return doc
}

func TestSPDXSaysWhatCycloneDXSays(t *testing.T) {
	path := filepath.Join(t.TempDir(), "venv.sbom.spdx.json")
	must(t, WriteSPDX(path, "venv", spdxComponents()))
	doc := readSPDX(t, path)
	if doc.SPDXVersion != "SPDX-2.3" || doc.DataLicense != "CC0-1.0" || doc.DocumentName != "venv" || doc.CreationInfo.Created != "1980-01-01T00:00:01Z" {
		t.Errorf("document: %s %s %q created %s", doc.SPDXVersion, doc.DataLicense, doc.DocumentName, doc.CreationInfo.Created)
	}
	want := []struct{ name, version, license, comment, purl, checksum, download, cpe string }{
		{"CPython", "3.13.5", "PSF-2.0", "", "pkg:generic/python@3.13.5", "0123", "https://example/python.tar.gz", "cpe:2.3:a:python:python:3.13.5:*:*:*:*:*:*:*"},
		{"Django", "4.2.28", "BSD-3-Clause", "declared: BSD-3-Clause; BSD License", "pkg:pypi/django@4.2.28", "", "NOASSERTION", ""},
		{"legacy", "1!2.0", "NOASSERTION", "", "pkg:pypi/legacy@1%212.0", "", "NOASSERTION", ""},
		{"torch", "2.1.0+cpu", "NOASSERTION", "declared: BSD-3", "pkg:pypi/torch@2.1.0%2Bcpu", "", "NOASSERTION", ""},
		{"typing_extensions", "4.13.2", "PSF-2.0", "", "pkg:pypi/typing-extensions@4.13.2", "abc123", "NOASSERTION", ""},
	}
	if len(doc.Packages) != len(want) || len(doc.Relationships) != len(want) {
		t.Fatalf("%d packages, %d relationships, want %d of each", len(doc.Packages), len(doc.Relationships), len(want))
	}
	for i, w := range want {
		p := doc.Packages[i]
		refs := map[string]string{}
		for _, r := range p.PackageExternalReferences {
			refs[r.RefType] = r.Locator
		}
		checksum := ""
		if len(p.PackageChecksums) > 0 {
			checksum = p.PackageChecksums[0].Value
		}
		if p.PackageName != w.name || p.PackageVersion != w.version || p.PackageLicenseDeclared != w.license ||
			p.PackageLicenseComments != w.comment || refs["purl"] != w.purl || refs["cpe23Type"] != w.cpe ||
			checksum != w.checksum || p.PackageDownloadLocation != w.download {
			t.Errorf("package %d = %s %s license %q (%q) refs %v checksum %q download %q, want %+v", i, p.PackageName,
				p.PackageVersion, p.PackageLicenseDeclared, p.PackageLicenseComments, refs, checksum, p.PackageDownloadLocation, w)
		}
		r := doc.Relationships[i]
		if r.Relationship != "DESCRIBES" || r.RefA.ElementRefID != "DOCUMENT" || r.RefB.ElementRefID != p.PackageSPDXIdentifier {
			t.Errorf("relationship %d = %+v, want the document DESCRIBES %s", i, r, p.PackageSPDXIdentifier)
		}
	}
}

func TestSPDXIsReproducibleAndNamespacedByContent(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, components []cdx.Component) []byte {
		t.Helper()
		path := filepath.Join(dir, name)
		must(t, WriteSPDX(path, "venv", components))
		src, err := os.ReadFile(path)
		must(t, err)
		return src
	}
	first, again := write("a.json", spdxComponents()), write("b.json", spdxComponents())
	if !bytes.Equal(first, again) {
		t.Error("the same components gave two different SPDX documents")
	}
	fewer := write("c.json", spdxComponents()[1:])
	if readSPDX(t, filepath.Join(dir, "a.json")).DocumentNamespace == readSPDX(t, filepath.Join(dir, "c.json")).DocumentNamespace {
		t.Errorf("different contents share a namespace:\n%s", fewer)
	}
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	write("d.json", spdxComponents())
	if got := readSPDX(t, filepath.Join(dir, "d.json")).CreationInfo.Created; got != "2023-11-14T22:13:20Z" {
		t.Errorf("created %s, want SOURCE_DATE_EPOCH's time", got)
	}
}
