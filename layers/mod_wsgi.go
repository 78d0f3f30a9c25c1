package layers

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/effect"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/internal/command"
	"github.com/warpdrive-buildpack/warpdrive/pip"
	"github.com/warpdrive-buildpack/warpdrive/reuse"
	"github.com/warpdrive-buildpack/warpdrive/sbom"
)

// ModWSGI contributes mod_wsgi, compiled against the runtime and the
// builder's Apache, in a layer of its own keyed by ModWSGIKey (the mod_wsgi,
// Python and Apache versions, the compiler flags and the target), so a
// requirements change does not recompile it. The venv sees it through a .pth
// file (see Packages.PthPaths), which also makes it importable inside Apache.
type ModWSGI struct {
	Version string
	Runtime Runtime
	// Venv is the packages layer: its interpreter runs pip and mod_wsgi-express.
	Venv     string
	PipCache string
	// Credentials are a private index's, for pip's run only.
	Credentials pip.Credentials
	// Snapshots keeps the layer for later builds; Needs are the layers
	// unpacked before it is compiled (CPython and the venv).
	Snapshots reuse.Snapshots
	Needs     []*reuse.SnapshotBackedLayer
	Target    string
	Logger    log.Logger
	// Executor runs pip and mod_wsgi-express (nil: libpak's).
	Executor effect.Executor
}

// ModWSGILayer names the mod_wsgi layer.
const ModWSGILayer = "mod_wsgi"

// ModWSGISitePackages is where mod_wsgi is installed inside its layer.
func ModWSGISitePackages(layerPath string, rt Runtime) string { return SitePackages(layerPath, rt) }

// Apache is the builder's Apache development setup.
type Apache struct {
	APXS    string
	Version string
}

// apxsCandidates are the names Apache's extension tool has on common distributions.
var apxsCandidates = []string{"apxs", "apxs2", "/usr/bin/apxs", "/usr/sbin/apxs"}

// FindApache locates apxs and reads the Apache version from its headers.
func FindApache() (Apache, error) {
	if env := os.Getenv("APXS"); env != "" {
		apxsCandidates = append([]string{env}, apxsCandidates...)
	}
	for _, name := range apxsCandidates {
		path, err := exec.LookPath(name)
		if err != nil {
			continue
		}
		out, err := command.Command{Path: path, Args: []string{"-q", "INCLUDEDIR"}, Quiet: true}.Run(nil)
		if err != nil {
			continue
		}
		version, err := apacheVersion(filepath.Join(strings.TrimSpace(out.String()), "ap_release.h"))
		if err != nil {
			return Apache{}, err
		}
		return Apache{APXS: path, Version: version}, nil
	}
	return Apache{}, ApacheMissingError{LookedFor: apxsCandidates}
}

// ap_release.h: #define AP_SERVER_MAJORVERSION_NUMBER 2 (MINORVERSION, PATCHLEVEL likewise).
var releaseDefine = regexp.MustCompile(`#define\s+AP_SERVER_(MAJORVERSION|MINORVERSION|PATCHLEVEL)_NUMBER\s+(\d+)`)

func apacheVersion(header string) (string, error) {
	src, err := os.ReadFile(header)
	if err != nil {
		return "", ApacheMissingError{LookedFor: []string{header}}
	}
	parts := map[string]string{}
	for _, m := range releaseDefine.FindAllStringSubmatch(string(src), -1) {
		parts[m[1]] = m[2]
	}
	if len(parts) != 3 {
		return "", fmt.Errorf("unable to read the Apache version from %s", header)
	}
	return parts["MAJORVERSION"] + "." + parts["MINORVERSION"] + "." + parts["PATCHLEVEL"], nil
}

// modWSGIRecipe names how ModWSGI.build compiles mod_wsgi (PEP 517,
// debugging information stripped): a change to the recipe rebuilds the layer.
const modWSGIRecipe = "pep517, debug info stripped"

// ModWSGIKey is exactly what invalidates the mod_wsgi layer: a change to
// any field compiles it again. The application's requirements are not in
// it: mod_wsgi is its own layer so that they do not recompile it.
type ModWSGIKey struct {
	// Version is the mod_wsgi release pip installs.
	Version string
	// Recipe is how it is built (see modWSGIRecipe).
	Recipe string
	// PythonVersion: the module embeds that interpreter (its libpython).
	PythonVersion string
	// ApacheVersion: the module is compiled against that Apache's headers.
	ApacheVersion string
	// Target is the OS, architecture and distribution it is compiled for.
	Target string
	// CFlags and LDFlags are the build's CFLAGS and LDFLAGS, which the
	// compile adds its own flags to: another -march or -O is another module.
	CFlags, LDFlags string
}

// reuse.Metadata is the key as layer metadata, one entry per field. Unset flags
// have no entry, so layers built before the flags counted are reused.
func (k ModWSGIKey) Metadata() reuse.Metadata {
	md := reuse.Metadata{
		"mod_wsgi_version": k.Version,
		"build":            k.Recipe,
		"python_version":   k.PythonVersion,
		"apache_version":   k.ApacheVersion,
		"target":           k.Target,
	}
	if k.CFlags != "" {
		md["cflags"] = k.CFlags
	}
	if k.LDFlags != "" {
		md["ldflags"] = k.LDFlags
	}
	return md
}

// Key is what mod_wsgi is compiled from, with apache the builder's Apache
// and the build's compiler flags. Where apxs lives is not in it (the
// version is what the module is built against), nor are the venv's and pip
// cache's paths, which only run pip.
func (m ModWSGI) Key(apache Apache) ModWSGIKey {
	return ModWSGIKey{Version: m.Version, Recipe: modWSGIRecipe, PythonVersion: m.Runtime.Version,
		ApacheVersion: apache.Version, Target: m.Target,
		CFlags: strings.TrimSpace(os.Getenv("CFLAGS")), LDFlags: strings.TrimSpace(os.Getenv("LDFLAGS"))}
}

// Contribute builds mod_wsgi, or reuses it.
func (m ModWSGI) Contribute(layers *libcnb.Layers, apache Apache) (*reuse.SnapshotBackedLayer, error) {
	key := m.Key(apache)
	return reuse.ContributeSnapshotBacked(layers, m.Logger, m.Snapshots, reuse.SnapshotBackedSpec{Cached: reuse.Cached{
		Name:     ModWSGILayer,
		Title:    fmt.Sprintf("mod_wsgi %s", m.Version),
		Metadata: key.Metadata(),
	}, Needs: m.Needs, SBOM: func(dir string) ([]cdx.Component, error) {
		return sbom.Distributions(filepath.Join(dir, "lib", "python3.*", "site-packages"), m.Logger)
	}, Fill: func(layer *libcnb.Layer) error { return m.build(layer, apache, key) }})
}

// build compiles mod_wsgi into the layer, as key says.
func (m ModWSGI) build(layer *libcnb.Layer, apache Apache, key ModWSGIKey) error {
	m.Logger.Bodyf("Compiling mod_wsgi %s against Python %s and Apache %s (%s)", m.Version, m.Runtime.Version, apache.Version, apache.APXS)
	out, err := command.Command{Path: VenvPython(m.Venv), Args: []string{"-m", "pip", "install",
		"--disable-pip-version-check", "--no-input", "--progress-bar", "off", "--no-deps",
		// A PEP 517 build gets setuptools and wheel in its own build
		// environment: older pips (Python 3.11's) otherwise fall back to
		// `setup.py install` ("invalid command 'bdist_wheel'").
		"--use-pep517",
		"--prefix", layer.Path, "mod_wsgi==" + m.Version},
		Env: pip.Env(m.pipCache(key), m.Credentials, map[string]string{"APXS": apache.APXS,
			// The same sources give the same module (and so the same
			// layer): pip builds in a randomly named directory
			// (/tmp/pip-install-*/mod-wsgi_*), which debugging
			// information records as DW_AT_comp_dir, and a date would
			// be the build's. -g0 alone does not do: mod_wsgi's
			// setup.py adds `apxs -q CFLAGS` (Debian's has -g) to
			// the compiler's arguments after $CFLAGS, and the last -g
			// wins. So the linker drops debugging information, whatever
			// the compiler made; the build ID is then a hash of the
			// rest. The module keeps its symbols.
			"CFLAGS":            strings.TrimSpace(key.CFlags + " -g0"),
			"LDFLAGS":           strings.TrimSpace(key.LDFlags + " -Wl,--strip-debug"),
			"SOURCE_DATE_EPOCH": "315532801"}), Executor: m.Executor}.Run(command.Indent(m.Logger))
	if err != nil {
		return ModWSGIBuildError{Version: m.Version, Tail: out.Tail(25), Err: err}
	}
	out, err = command.Command{Path: filepath.Join(layer.Path, "bin", "mod_wsgi-express"), Args: []string{"module-location"}, Quiet: true,
		Executor: m.Executor}.Run(nil)
	if err != nil {
		return ModWSGIBuildError{Version: m.Version, Tail: out.Tail(25), Err: fmt.Errorf("mod_wsgi-express does not run: %w", err)}
	}
	m.Logger.Bodyf("Apache module: %s", strings.TrimSpace(out.String()))
	compileBytecode(m.Executor, VenvPython(m.Venv), m.Logger, ModWSGISitePackages(layer.Path, m.Runtime))
	return nil
}

// modWSGICachePrefix starts the name of mod_wsgi's own pip cache.
const modWSGICachePrefix = "mod_wsgi-"

// pipCache is the pip cache mod_wsgi is built with: a directory of pip's
// cache named after the key, and the only one of its kind there (older
// keys' are removed). pip caches the wheel it builds from mod_wsgi's sdist
// under the sdist's URL and the interpreter, nothing else (pip's
// Cache._get_cache_path_parts): in the shared cache, a rebuild for a new
// Apache, recipe or flags would install the old build again.
func (m ModWSGI) pipCache(key ModWSGIKey) string {
	if m.PipCache == "" {
		return ""
	}
	own := modWSGICachePrefix + key.Metadata().Key()[:16]
	old, _ := filepath.Glob(filepath.Join(m.PipCache, modWSGICachePrefix+"*"))
	for _, dir := range old {
		if filepath.Base(dir) != own {
			os.RemoveAll(dir)
		}
	}
	return filepath.Join(m.PipCache, own)
}
