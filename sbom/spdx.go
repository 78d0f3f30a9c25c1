package sbom

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/github/go-spdx/v2/spdxexp"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx/v2/common"
	spdx "github.com/spdx/tools-golang/spdx/v2/v2_3"
)

// noAssertion is SPDX's word for "this document does not say".
const noAssertion = "NOASSERTION"

// reproducibleTime is the creation time of an SPDX document when
// SOURCE_DATE_EPOCH is unset: the lifecycle's own fixed image time, so that
// the same layer gives the same SBOM (SPDX requires a creation time).
var reproducibleTime = time.Date(1980, 1, 1, 0, 0, 1, 0, time.UTC)

// WriteSPDX writes components as an SPDX 2.3 JSON document named for the
// layer, for scanners that read SPDX only. It says what the CycloneDX
// document says, in SPDX's terms: a license that is not a valid SPDX
// expression is NOASSERTION, with the declared names in the license comment.
// Its namespace is derived from its content, so it is unique per content yet
// reproducible.
func WriteSPDX(path, layerName string, components []cdx.Component) error {
	doc := &spdx.Document{
		SPDXVersion:    spdx.Version,
		DataLicense:    spdx.DataLicense,
		SPDXIdentifier: "DOCUMENT",
		DocumentName:   layerName,
		CreationInfo: &spdx.CreationInfo{
			Creators: []common.Creator{{CreatorType: "Tool", Creator: "warpdrive"}},
			Created:  creationTime().Format(time.RFC3339),
		},
	}
	for i, c := range components {
		p := spdxPackage(i, c)
		doc.Packages = append(doc.Packages, p)
		doc.Relationships = append(doc.Relationships, &spdx.Relationship{
			RefA:         common.DocElementID{ElementRefID: "DOCUMENT"},
			RefB:         common.DocElementID{ElementRefID: p.PackageSPDXIdentifier},
			Relationship: common.TypeRelationshipDescribe,
		})
	}
	var content bytes.Buffer
	if err := spdxjson.Write(doc, &content); err != nil {
		return fmt.Errorf("unable to encode the SPDX SBOM %s\n%w", path, err)
	}
	sum := sha256.Sum256(content.Bytes())
	doc.DocumentNamespace = "https://warpdrive.invalid/spdx/" + layerName + "-" + hex.EncodeToString(sum[:])
	var out bytes.Buffer
	if err := spdxjson.Write(doc, &out, spdxjson.Indent("  ")); err != nil {
		return fmt.Errorf("unable to encode the SPDX SBOM %s\n%w", path, err)
	}
	return os.WriteFile(path, out.Bytes(), 0o644)
}

// creationTime honours SOURCE_DATE_EPOCH (reproducible-builds.org), the
// variable reproducible build tools set for "the time of this source".
func creationTime() time.Time {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if secs, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(secs, 0).UTC()
		}
	}
	return reproducibleTime
}

// spdxPackage is the SPDX package of one CycloneDX component.
func spdxPackage(index int, c cdx.Component) *spdx.Package {
	p := &spdx.Package{
		PackageName:             c.Name,
		PackageSPDXIdentifier:   common.ElementID(fmt.Sprintf("Package-%d-%s", index+1, spdxIDPart(c.Name))),
		PackageVersion:          c.Version,
		PackageDownloadLocation: noAssertion,
		PackageLicenseConcluded: noAssertion,
		PackageCopyrightText:    noAssertion,
	}
	p.PackageLicenseDeclared, p.PackageLicenseComments = spdxLicense(c.Licenses)
	if c.Hashes != nil {
		for _, h := range *c.Hashes {
			if h.Algorithm == cdx.HashAlgoSHA256 {
				p.PackageChecksums = append(p.PackageChecksums, common.Checksum{Algorithm: common.SHA256, Value: h.Value})
			}
		}
	}
	if c.ExternalReferences != nil {
		for _, r := range *c.ExternalReferences {
			switch r.Type {
			case cdx.ERTypeDistribution:
				p.PackageDownloadLocation = r.URL
			case cdx.ERTypeWebsite:
				p.PackageHomePage = r.URL
			}
		}
	}
	if c.PackageURL != "" {
		p.PackageExternalReferences = append(p.PackageExternalReferences, &spdx.PackageExternalReference{
			Category: common.CategoryPackageManager, RefType: common.TypePackageManagerPURL, Locator: c.PackageURL,
		})
	}
	if strings.HasPrefix(c.CPE, "cpe:2.3:") {
		p.PackageExternalReferences = append(p.PackageExternalReferences, &spdx.PackageExternalReference{
			Category: common.CategorySecurity, RefType: common.TypeSecurityCPE23Type, Locator: c.CPE,
		})
	}
	return p
}

var notInSPDXID = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

// spdxIDPart makes a name fit SPDX identifiers' alphabet (letters, digits,
// "." and "-").
func spdxIDPart(name string) string {
	return notInSPDXID.ReplaceAllString(name, "-")
}

// spdxLicense is the declared license: the one valid SPDX expression or
// identifier among what the component declares (Django's License field says
// BSD-3-Clause beside the classifier "BSD License"), else NOASSERTION; the
// comment keeps everything declared when that is more than what was taken.
// Two valid ones are NOASSERTION too: classifiers do not say whether they
// combine with AND or OR.
func spdxLicense(licenses *cdx.Licenses) (declared, comment string) {
	if licenses == nil || len(*licenses) == 0 {
		return noAssertion, ""
	}
	var names, valid []string
	for _, l := range *licenses {
		name := l.Expression
		if name == "" && l.License != nil {
			name = cmp.Or(l.License.ID, l.License.Name)
		}
		if name == "" {
			continue
		}
		names = append(names, name)
		if ok, _ := spdxexp.ValidateLicenses([]string{name}); ok {
			valid = append(valid, name)
		}
	}
	if len(names) == 0 {
		return noAssertion, ""
	}
	declared = noAssertion
	if len(valid) == 1 {
		declared = valid[0]
	}
	if len(names) > 1 || declared == noAssertion {
		comment = "declared: " + strings.Join(names, "; ")
	}
	return declared, comment
}
