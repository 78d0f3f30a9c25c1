package build

import (
	"fmt"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/debpackages"
)

// Explanations of the errors of the Debian packages an application asks for.

func explainDebRequest(e debpackages.RequestError) Message {
	return Message{Title: "Invalid Debian package request",
		Detail: []string{fmt.Sprintf("%s: %q %s.", e.Source, e.Value, e.Why)},
		Fix: []string{"Name each package of the stack's Debian archive on a line of its own in the Aptfile (# starts a comment),",
			`or in project.toml: [com.heroku.buildpacks.deb-packages] install = ["name", { name = "other", skip_dependencies = true, force = true }].`}}
}

func explainUnknownDebPackage(e debpackages.UnknownPackageError) Message {
	detail := []string{fmt.Sprintf("%s asks for %s, but the archive's %s have no package of that name (nor one that provides it).",
		e.Request.Source, e.Request.Name, strings.Join(e.Suites, ", "))}
	if len(e.Similar) > 0 {
		detail = append(detail, "Packages with similar names: "+strings.Join(e.Similar, ", ")+".")
	}
	return Message{Title: "Unknown Debian package",
		Detail: detail,
		Fix: []string{"Use the package's name in this Debian release (https://packages.debian.org/ finds it, and which package holds a file),",
			"or remove it from the Aptfile."}}
}

func explainDebFetch(e debpackages.FetchError) Message {
	return Message{Title: "Unable to download Debian packages",
		Detail: []string{fmt.Sprintf("Fetching %s failed: %v.", e.URL, e.Err)},
		Fix: []string{"Check that the build reaches the Debian archive, or point it at a mirror that does:",
			"WARPDRIVE_APT_MIRROR (default http://deb.debian.org/debian) and WARPDRIVE_APT_SECURITY_MIRROR (default http://deb.debian.org/debian-security).",
			"A signature or checksum that does not verify is not retried: a mirror serving other files than the archive signed is not used."}}
}

func explainDistro(e debpackages.DistroError) Message {
	return Message{Title: "Debian packages need a Debian stack",
		Detail: []string{fmt.Sprintf("The application asks for Debian packages (an Aptfile, or project.toml's [com.heroku.buildpacks.deb-packages]), but %s.", e.Error())},
		Fix:    []string{"Build with a Debian builder (warpdrive's own), or remove the Aptfile."}}
}
