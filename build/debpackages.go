package build

import (
	"errors"
	"os"
	"runtime"
	"slices"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/debpackages"
	"github.com/warpdrive-buildpack/warpdrive/layers"
)

// debianKeyring holds the Debian archive's signing keys (the
// debian-archive-keyring package, in every Debian image).
const debianKeyring = "/usr/share/keyrings/debian-archive-keyring.gpg"

// debPackages installs the Debian packages the application asks for (an
// Aptfile, project.toml's [com.heroku.buildpacks.deb-packages]) before pip
// runs, so C extensions compile against their headers, and puts them on
// this build's search paths.
func (b Build) debPackages(s *step) error {
	requests, err := debpackages.ReadRequests(s.source.Root)
	if err != nil || len(requests) == 0 {
		return err
	}
	osr, err := debpackages.ReadOSRelease("/etc/os-release")
	if err != nil {
		return err
	}
	if osr.ID != "debian" || osr.Codename == "" {
		return debpackages.DistroError{OSRelease: osr}
	}
	installed := debpackages.RunImageStatus
	if _, err := os.Stat(installed); errors.Is(err, os.ErrNotExist) {
		installed = "/var/lib/dpkg/status"
		b.Logger.Headerf("WARNING: the build image has no %s (the run image's package list): packages the build image has are taken to be on the run image too", debpackages.RunImageStatus)
	}
	var names, files []string
	for _, r := range requests {
		names = append(names, r.Name)
		if file, _, _ := strings.Cut(r.Source, " "); !slices.Contains(files, file) {
			files = append(files, file)
		}
	}
	b.Logger.Headerf("Debian packages asked for: %s (%s)", strings.Join(names, ", "), strings.Join(files, ", "))
	arch := runtime.GOARCH
	layer, cache, key, err := layers.DebPackages{
		Requests: requests, Installed: installed, Distro: osr.ID + "-" + osr.VersionID, Logger: b.Logger,
		Archive: debpackages.DebianArchive(osr.Codename, arch, s.config.AptMirror, s.config.AptSecurityMirror, debianKeyring, ""),
	}.Contribute(&s.ctx.Layers)
	if err != nil {
		return err
	}
	s.result.Layers = append(s.result.Layers, layer, cache)
	s.systemPackages = key.Digest()
	return layers.ExportDebPackagesPaths(layer.Path, arch)
}
