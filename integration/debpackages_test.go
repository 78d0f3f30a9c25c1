//go:build integration

package integration

import (
	"testing"
)

// TestAptfilePackagesAtBuildAndRun: an Aptfile's packages come from the
// stack's Debian archive with the dependencies the run image lacks (jq's
// libjq1 and libonig5): a C extension in the requirements compiles against
// libjq-dev's headers and links libjq, the page runs jq and calls the
// extension, the SBOMs list the packages, and an unchanged rebuild reuses
// the layer without downloading a package. A package that does not exist is
// a titled error naming it.
func TestAptfilePackagesAtBuildAndRun(t *testing.T) {
	parallel(t)
	a := NewApp(t, "aptfile_jq")
	log := a.MustBuild()
	assertContains(t, "build log", log, "Debian packages asked for: jq, libjq-dev (Aptfile)",
		"Debian packages: Contributing to layer", "libjq1=", "libonig5=")
	assertMatches(t, "build log", log, `Installing 4 packages: jq=1\.6\S* libjq-dev=\S+ libjq1=\S+ libonig5=\S+`)
	c := a.Run(8080)
	_, body := c.GetOK("/")
	assertContains(t, "page", body, "jq: jq-1.6", `jq .a: [1,2]`, `jqext: {"a":2,"b":1}`)
	assertStatic(t, c, "/static/site.css", "teal")

	sboms := a.PackSBOM()
	// The encoder writes the purl's & as \u0026.
	assertMatches(t, "the deb-packages SBOM", sboms["deb-packages"], `"purl": "pkg:deb/debian/jq@1\.6[^"?]*\?arch=amd64(&|\\u0026)distro=debian-12"`, `pkg:deb/debian/libonig5@`)
	assertContains(t, "the deb-packages SPDX SBOM", sboms["deb-packages.spdx"], `"name": "libjq1"`, `"referenceLocator": "pkg:deb/debian/libjq1@`)

	log = a.MustBuild()
	assertContains(t, "rebuild log", log, reusing("Debian packages"), reusing("Python packages"))
	assertNotContains(t, "rebuild log", log, "Installing 4 packages")

	a.Write("Aptfile", "jq\nlibjq-dev\nno-such-package-warpdrive\n")
	log, err := a.Build()
	if err == nil {
		t.Fatalf("a build with an unknown package succeeded:\n%s", log)
	}
	assertContains(t, "failed build log", log, "[Error: Unknown Debian package]",
		"Aptfile line 3 asks for no-such-package-warpdrive, but the archive's bookworm, bookworm-updates, bookworm-security have no package")
}
