package layers

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/buildpacks/libcnb/v2"
	"github.com/package-url/packageurl-go"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/debpackages"
	"github.com/warpdrive-buildpack/warpdrive/reuse"
	"github.com/warpdrive-buildpack/warpdrive/sbom"
)

// DebPackages contributes the layer "deb-packages": the Debian packages the
// application asks for (Aptfile, project.toml), with the dependencies the
// run image lacks, unpacked under the layer's root (usr/bin, usr/lib/...).
// It is on PATH and the library path at build and at run, and on the
// compiler's and pkg-config's paths at build, so pip compiles against a
// -dev package. The package lists the archive last published are kept in
// the cache-only layer "deb-archive".
type DebPackages struct {
	Requests []debpackages.Request
	Archive  debpackages.Archive
	// Installed is the run image's dpkg status file.
	Installed string
	// Distro names the archive in the SBOM's purls ("debian-12").
	Distro string
	Logger log.Logger
}

// DebPackagesKey is exactly what invalidates the layer.
type DebPackagesKey struct {
	// Requests are the packages asked for, with their options.
	Requests string
	// Archive is the digest of the package lists the archive's signed
	// release files name: a new point release or security update.
	Archive string
	// Installed is the digest of the run image's package list: what the
	// resolution leaves out.
	Installed string
	Arch      string
}

// Metadata is the key as layer metadata.
func (k DebPackagesKey) Metadata() reuse.Metadata {
	return reuse.Metadata{"requests": k.Requests, "archive": k.Archive, "installed": k.Installed, "arch": k.Arch}
}

// Digest identifies the key: the venv's key holds it.
func (k DebPackagesKey) Digest() string {
	return app.Digest(k.Requests + "\n" + k.Archive + "\n" + k.Installed + "\n" + k.Arch)
}

func (d DebPackages) key(release debpackages.Release) (DebPackagesKey, error) {
	installed, err := app.FileDigest(d.Installed)
	if err != nil {
		return DebPackagesKey{}, fmt.Errorf("unable to read the run image's package list %s\n%w", d.Installed, err)
	}
	var requests []string
	for _, r := range d.Requests {
		requests = append(requests, fmt.Sprintf("%s skip_dependencies=%v force=%v", r.Name, r.SkipDependencies, r.Force))
	}
	return DebPackagesKey{Requests: strings.Join(requests, ", "), Archive: release.Digest, Installed: installed, Arch: d.Archive.Arch}, nil
}

// installedList is the file at the layer's root listing what was installed
// ("name=version" lines), for the SBOM of a reused layer: the metadata holds
// only what invalidates the layer.
const installedList = "installed-packages"

// Contribute resolves, downloads and unpacks the packages, or reuses the
// layer while its key is unchanged; it returns the layer, the cache layer
// and the key.
func (d DebPackages) Contribute(layers *libcnb.Layers) (libcnb.Layer, libcnb.Layer, DebPackagesKey, error) {
	archive, err := layers.Layer("deb-archive")
	if err != nil {
		return libcnb.Layer{}, libcnb.Layer{}, DebPackagesKey{}, err
	}
	archive.LayerTypes = libcnb.LayerTypes{Cache: true}
	d.Archive.Cache = archive.Path
	release, err := d.Archive.Release()
	if err != nil {
		return libcnb.Layer{}, libcnb.Layer{}, DebPackagesKey{}, err
	}
	key, err := d.key(release)
	if err != nil {
		return libcnb.Layer{}, libcnb.Layer{}, DebPackagesKey{}, err
	}
	layer, err := reuse.Contribute(layers, d.Logger, reuse.Cached{
		Name: "deb-packages", Title: "Debian packages", Metadata: key.Metadata(),
		Types: libcnb.LayerTypes{Build: true, Launch: true, Cache: true},
	}, func(layer *libcnb.Layer) error { return d.install(layer, release) })
	if err != nil {
		return libcnb.Layer{}, libcnb.Layer{}, DebPackagesKey{}, err
	}
	list, err := os.ReadFile(filepath.Join(layer.Path, installedList))
	if err != nil {
		return libcnb.Layer{}, libcnb.Layer{}, DebPackagesKey{}, err
	}
	if err := d.writeSBOMs(layer, strings.Fields(string(list))); err != nil {
		return libcnb.Layer{}, libcnb.Layer{}, DebPackagesKey{}, err
	}
	SetDebPackagesEnvironment(&layer, d.Archive.Arch)
	return layer, archive, key, nil
}

func (d DebPackages) install(layer *libcnb.Layer, release debpackages.Release) error {
	idx, err := d.Archive.Read(release)
	if err != nil {
		return err
	}
	installed, err := debpackages.ReadInstalled(d.Installed)
	if err != nil {
		return fmt.Errorf("unable to read the run image's package list %s\n%w", d.Installed, err)
	}
	var suites []string
	for _, s := range d.Archive.Suites {
		suites = append(suites, s.Name)
	}
	install, skipped, err := debpackages.Resolve(d.Requests, idx, installed, suites)
	if err != nil {
		return err
	}
	if len(skipped) > 0 {
		d.Logger.Bodyf("Already on the run image: %s", strings.Join(skipped, ", "))
	}
	var names []string
	for _, p := range install {
		names = append(names, p.Name+"="+p.Version)
	}
	d.Logger.Bodyf("Installing %d packages: %s", len(install), strings.Join(names, " "))
	if err := d.Archive.Install(install, layer.Path); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(layer.Path, installedList), []byte(strings.Join(names, "\n")+"\n"), 0o644)
}

// writeSBOMs lists the installed packages as pkg:deb purls.
func (d DebPackages) writeSBOMs(layer libcnb.Layer, installed []string) error {
	var components []cdx.Component
	for _, nv := range installed {
		name, version, _ := strings.Cut(nv, "=")
		purl := packageurl.NewPackageURL(packageurl.TypeDebian, "debian", name, version,
			packageurl.QualifiersFromMap(map[string]string{"arch": d.Archive.Arch, "distro": d.Distro}), "").ToString()
		components = append(components, cdx.Component{Type: cdx.ComponentTypeLibrary, Name: name, Version: version, PackageURL: purl, BOMRef: purl})
	}
	if err := sbom.Write(layer.SBOMPath(libcnb.CycloneDXJSON), components); err != nil {
		return err
	}
	return sbom.WriteSPDX(layer.SBOMPath(libcnb.SPDXJSON), layer.Name, components)
}

// debPackagesPaths are the layer's directories each search path gets, in
// order; the multiarch triplet's first.
func debPackagesPaths(root, arch string) map[string][]string {
	triplet := map[string]string{"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu"}[arch]
	lib := []string{filepath.Join(root, "usr/lib", triplet), filepath.Join(root, "usr/lib"), filepath.Join(root, "lib", triplet), filepath.Join(root, "lib")}
	return map[string][]string{
		"PATH":            {filepath.Join(root, "usr/bin"), filepath.Join(root, "bin"), filepath.Join(root, "usr/sbin")},
		"LD_LIBRARY_PATH": lib,
		"LIBRARY_PATH":    lib,
		"CPATH":           {filepath.Join(root, "usr/include", triplet), filepath.Join(root, "usr/include")},
		"PKG_CONFIG_PATH": {filepath.Join(root, "usr/lib", triplet, "pkgconfig"), filepath.Join(root, "usr/lib/pkgconfig"), filepath.Join(root, "usr/share/pkgconfig")},
	}
}

// buildOnly are the variables only compilers read.
var buildOnly = map[string]bool{"LIBRARY_PATH": true, "CPATH": true, "PKG_CONFIG_PATH": true}

// SetDebPackagesEnvironment puts the layer on the search paths: PATH and
// LD_LIBRARY_PATH for later buildpacks and the app, the compiler's for
// later buildpacks.
func SetDebPackagesEnvironment(layer *libcnb.Layer, arch string) {
	sep := string(os.PathListSeparator)
	for name, dirs := range debPackagesPaths(layer.Path, arch) {
		value := strings.Join(dirs, sep)
		if buildOnly[name] {
			layer.BuildEnvironment.Prepend(name, sep, value)
		} else {
			layer.SharedEnvironment.Prepend(name, sep, value)
		}
	}
}

// ExportDebPackagesPaths puts the layer on this build's own search paths,
// for pip and the build's Python steps.
func ExportDebPackagesPaths(root, arch string) error {
	sep := string(os.PathListSeparator)
	for name, dirs := range debPackagesPaths(root, arch) {
		value := strings.Join(dirs, sep)
		if old := os.Getenv(name); old != "" {
			value += sep + old
		}
		if err := os.Setenv(name, value); err != nil {
			return err
		}
	}
	return nil
}
