// Package sbom writes the CycloneDX SBOM of each launch layer: the
// buildpack dependencies and Python distributions it holds.
package sbom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"sort"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/package-url/packageurl-go"
	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/pep508"
)

// Format is the SBOMs each launch layer gets: CycloneDX 1.5 JSON and SPDX
// 2.3 JSON, written where the lifecycle collects them
// (<layer>.sbom.cdx.json, <layer>.sbom.spdx.json) so `pack sbom download`
// and registries find them. A change rebuilds the layers.
const Format = "cyclonedx-1.5+spdx-2.3"

// Write writes components as a CycloneDX 1.5 JSON document. It has no
// timestamp and no serial number: the same layer gives the same SBOM.
func Write(path string, components []cdx.Component) error {
	sort.SliceStable(components, func(i, j int) bool {
		return strings.ToLower(components[i].Name) < strings.ToLower(components[j].Name)
	})
	bom := cdx.NewBOM()
	bom.SerialNumber = ""
	bom.Metadata = &cdx.Metadata{Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{
		{Type: cdx.ComponentTypeApplication, Name: "warpdrive"},
	}}}
	bom.Components = &components
	var buf bytes.Buffer
	enc := cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatJSON)
	enc.SetPretty(true)
	if err := enc.EncodeVersion(bom, cdx.SpecVersion1_5); err != nil {
		return fmt.Errorf("unable to encode the SBOM %s\n%w", path, err)
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// DependencyComponent describes a buildpack dependency (CPython): its
// version, purl, CPE, licenses, the archive's sha256 and where it came from.
func DependencyComponent(d libpak.BuildModuleDependency) cdx.Component {
	c := cdx.Component{Type: cdx.ComponentTypeApplication, Name: d.Name, Version: d.Version, BOMRef: d.ID + "@" + d.Version}
	if purls := d.GetPURLS(); len(purls) > 0 {
		c.PackageURL = purls[0]
	}
	if len(d.CPEs) > 0 {
		c.CPE = d.CPEs[0]
	}
	if sum := d.GetChecksum(); sum.Hash() != "" {
		c.Hashes = &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: sum.Hash()}}
	}
	if d.URI != "" {
		c.ExternalReferences = &[]cdx.ExternalReference{{Type: cdx.ERTypeDistribution, URL: d.URI}}
	}
	var licenses cdx.Licenses
	for _, l := range d.Licenses {
		licenses = append(licenses, cdx.LicenseChoice{License: &cdx.License{ID: l.Type, URL: l.URI}})
	}
	if len(licenses) > 0 {
		c.Licenses = &licenses
	}
	return c
}

// Distributions lists the Python distributions installed in the
// site-packages directories the pattern matches, from their
// *.dist-info/METADATA: name, version, purl, license, home page, and the
// archive's sha256 when pip recorded one (direct_url.json). A distribution
// whose METADATA is missing or cannot be read is left out with a warning
// naming the file: one broken package must not cost the image its SBOM.
func Distributions(sitePackagesPattern string, logger log.Logger) ([]cdx.Component, error) {
	dirs, err := filepath.Glob(filepath.Join(sitePackagesPattern, "*.dist-info"))
	if err != nil {
		return nil, err
	}
	sort.Strings(dirs)
	var out []cdx.Component
	for _, dir := range dirs {
		c, err := distribution(dir)
		if err != nil {
			logger.Bodyf("WARNING: the SBOM leaves out %s: %v", filepath.Join(dir, "METADATA"), err)
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

func distribution(distInfo string) (cdx.Component, error) {
	f, err := os.Open(filepath.Join(distInfo, "METADATA"))
	if err != nil {
		return cdx.Component{}, err
	}
	defer f.Close()
	msg, err := mail.ReadMessage(f)
	if err != nil {
		return cdx.Component{}, fmt.Errorf("not a METADATA file (RFC 822 headers): %w", err)
	}
	h := msg.Header
	name, version := h.Get("Name"), h.Get("Version")
	if name == "" || version == "" {
		return cdx.Component{}, errors.New("no Name or no Version")
	}
	purl := distributionPurl(name, version)
	c := cdx.Component{Type: cdx.ComponentTypeLibrary, Name: name, Version: version, PackageURL: purl, BOMRef: purl}
	if licenses := distributionLicenses(h); len(licenses) > 0 {
		c.Licenses = &licenses
	}
	if home := h.Get("Home-page"); home != "" {
		c.ExternalReferences = &[]cdx.ExternalReference{{Type: cdx.ERTypeWebsite, URL: home}}
	}
	if sum := recordedArchiveHash(distInfo); sum != "" {
		c.Hashes = &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: sum}}
	}
	return c, nil
}

// distributionPurl is the package URL of a PyPI distribution: the PEP 503
// name (the purl spec's pypi rule; packageurl-go leaves names as given), and
// the version percent-encoded by packageurl-go as the specification asks, so
// that a local version's "+" (torch 2.1.0+cpu) is "%2B", not a space to a
// decoder, and an epoch's "!" is "%21".
func distributionPurl(name, version string) string {
	return packageurl.NewPackageURL(packageurl.TypePyPi, "", pep508.NormalizeName(name), version, nil, "").ToString()
}

// distributionLicenses: a PEP 639 License-Expression is an SPDX expression;
// else the License field (when it is short: some paste the whole text) and
// the "License ::" classifiers, as names.
func distributionLicenses(h mail.Header) cdx.Licenses {
	if expr := strings.TrimSpace(h.Get("License-Expression")); expr != "" {
		return cdx.Licenses{{Expression: expr}}
	}
	var out cdx.Licenses
	seen := map[string]bool{}
	add := func(name string) {
		name = strings.TrimSpace(name)
		if name != "" && !seen[name] && len(name) <= 100 && !strings.Contains(name, "\n") {
			seen[name] = true
			out = append(out, cdx.LicenseChoice{License: &cdx.License{Name: name}})
		}
	}
	if l := h.Get("License"); l != "" && !strings.EqualFold(l, "UNKNOWN") {
		add(l)
	}
	for _, classifier := range h["Classifier"] {
		if rest, ok := strings.CutPrefix(classifier, "License :: "); ok {
			parts := strings.Split(rest, " :: ")
			add(parts[len(parts)-1])
		}
	}
	return out
}

// recordedArchiveHash is the sha256 pip recorded in direct_url.json for an
// archive installed from a URL or a file ("" when none).
func recordedArchiveHash(distInfo string) string {
	src, err := os.ReadFile(filepath.Join(distInfo, "direct_url.json"))
	if err != nil {
		return ""
	}
	var du struct {
		ArchiveInfo struct {
			Hash   string            `json:"hash"`
			Hashes map[string]string `json:"hashes"`
		} `json:"archive_info"`
	}
	if json.Unmarshal(src, &du) != nil {
		return ""
	}
	if sum := du.ArchiveInfo.Hashes["sha256"]; sum != "" {
		return sum
	}
	if sum, ok := strings.CutPrefix(du.ArchiveInfo.Hash, "sha256="); ok {
		return sum
	}
	return ""
}
