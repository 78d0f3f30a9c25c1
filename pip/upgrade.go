package pip

import (
	"strings"

	pep440 "github.com/aquasecurity/go-pep440-version"
)

// MinimumVersion is the oldest pip the venv installs with. Older pips (Python
// 3.11.2 bundles 22.3.1) take a project's metadata from the index's PEP 658
// .metadata file and then compare its Name with the requirement's spelling
// without normalizing either: fastapi's `typing-extensions` against
// `Name: typing_extensions`, daphne's `twisted[tls]` against `Name: Twisted`.
// They discard the only candidate ("has inconsistent Name") and find no
// version (pypa/pip#12038, on any index that serves PEP 658 metadata, as PyPI
// does). pip 23.2 normalizes both.
const MinimumVersion = "23.2"

// pipNeedsUpgrade: the runtime's bundled pip is older than MinimumVersion (an
// unreadable version is left alone).
func pipNeedsUpgrade(bundled string) bool {
	v, err := pep440.Parse(bundled)
	if err != nil {
		return false
	}
	return v.LessThan(pep440.MustParse(MinimumVersion))
}

// VersionInUse is what the venv's pip will be, for the layer's metadata.
func VersionInUse(bundled string) string {
	if pipNeedsUpgrade(bundled) {
		return bundled + ", upgraded to pip>=" + MinimumVersion
	}
	return bundled
}

// Upgrade upgrades an old bundled pip in the venv from the index. A
// failure (an index without pip) is a warning: the old pip may still do.
func (p Installer) Upgrade() {
	if !pipNeedsUpgrade(p.BundledPip) {
		return
	}
	p.Logger.Bodyf("Upgrading pip %s (bundled with Python %s) to pip>=%s: older pips reject index metadata that spells a name differently (typing_extensions for typing-extensions)",
		p.BundledPip, p.PythonVersion, MinimumVersion)
	out, err := p.run(append(p.installArgs(), "--upgrade", "pip>="+MinimumVersion))
	if err != nil {
		p.Logger.Headerf("WARNING: pip could not be upgraded, installing with pip %s: %s", p.BundledPip, strings.Join(out.Tail(1), ""))
	}
}
