// Package layers holds one file per layer warpdrive contributes: the CPython
// runtime, pip's cache, the application's packages (a venv), mod_wsgi, Django's
// collected static files, the application's STATIC_ROOT, the environment
// module and the launch helper; and the Python probes the build runs in the
// venv (the Django settings, the entry point).
package layers

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/paketo-buildpacks/libpak/v2/crush"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/internal/command"
	"github.com/warpdrive-buildpack/warpdrive/pep508"
	"github.com/warpdrive-buildpack/warpdrive/reuse"
	"github.com/warpdrive-buildpack/warpdrive/sbom"
)

// BuildPrefix is where python-build-standalone (and the test builds made the
// same way) were configured to install; it remains in the build-time data.
const BuildPrefix = "/install"

// Python contributes the CPython runtime: a relocatable python-build-standalone
// archive, downloaded through libpak's dependency cache, verified, unpacked,
// and with the build-time prefix rewritten so C extensions compile against it.
type Python struct {
	Dependency libpak.BuildModuleDependency
	Cache      libpak.DependencyCache
	Snapshots  reuse.Snapshots
	Target     string
	Logger     log.Logger
}

// Runtime is what later layers need to know about the installed interpreter.
type Runtime struct {
	// Home is the layer path: bin/python3 lives there.
	Home string
	// Version is the full version, e.g. 3.13.5.
	Version string
	// PipVersion is the version of the pip bundled with it.
	PipVersion string
}

// Interpreter is the runtime's python3.
func (r Runtime) Interpreter() string { return filepath.Join(r.Home, "bin", "python3") }

// MinorVersion is "3.13" for "3.13.5" (pep508.MajorMinor), or the version
// as given when it has no minor number.
func (r Runtime) MinorVersion() string {
	if mm, ok := pep508.MajorMinor(r.Version); ok {
		return mm
	}
	return r.Version
}

// PythonKey is exactly what invalidates the CPython layer: a change to any
// field unpacks the runtime again.
type PythonKey struct {
	// Version is the CPython version the layer holds; it names the change
	// in the log ("version 3.12.11 -> 3.13.5").
	Version string
	// Checksum is the archive's sha256 (buildpack.toml's checksum, or the
	// older sha256 field libpak still reads): the same version built again
	// upstream (a new python-build-standalone release) is other files.
	Checksum string
	// Target is the OS, architecture and distribution the archive is built for.
	Target string
}

// reuse.Metadata is the key as layer metadata, one entry per field.
func (k PythonKey) Metadata() reuse.Metadata {
	return reuse.Metadata{"version": k.Version, "checksum": k.Checksum, "target": k.Target}
}

// Key is what the runtime layer is made from. The archive's URI is not in
// it: the checksum says the content is the same wherever it comes from.
func (p Python) Key() PythonKey {
	return PythonKey{Version: p.Dependency.Version, Checksum: p.Dependency.GetChecksum().Hash(), Target: p.Target}
}

// Contribute installs the runtime, or reuses it when the dependency's checksum
// and the target are unchanged. The layer is launch-only and snapshot-backed: its
// files are unpacked only for build steps that run Python.
func (p Python) Contribute(layers *libcnb.Layers) (*reuse.SnapshotBackedLayer, Runtime, error) {
	d, err := reuse.ContributeSnapshotBacked(layers, p.Logger, p.Snapshots, reuse.SnapshotBackedSpec{
		Cached: reuse.Cached{
			Name:     "python",
			Title:    fmt.Sprintf("CPython %s", p.Dependency.Version),
			Metadata: p.Key().Metadata(),
		},
		Outputs: func(dir string) (reuse.Metadata, error) {
			pip, err := BundledPipVersion(dir)
			return reuse.Metadata{"pip_version": pip}, err
		},
		Fill: p.install,
		SBOM: func(dir string) ([]cdx.Component, error) {
			dists, err := sbom.Distributions(filepath.Join(dir, "lib", "python3.*", "site-packages"), p.Logger)
			return append([]cdx.Component{sbom.DependencyComponent(p.Dependency)}, dists...), err
		},
	})
	if err != nil {
		return nil, Runtime{}, err
	}
	// Output of Python programs reaches the container log at once.
	d.Layer.SharedEnvironment.Default("PYTHONUNBUFFERED", "1")
	return d, Runtime{Home: d.Layer.Path, Version: p.Dependency.Version, PipVersion: d.Output("pip_version")}, nil
}

func (p Python) install(layer *libcnb.Layer) error {
	p.Logger.Bodyf("Downloading %s", p.Dependency.URI)
	artifact, err := p.Cache.Artifact(p.Dependency)
	if err != nil {
		return RuntimeInstallError{Version: p.Dependency.Version, URI: p.Dependency.URI, Err: err}
	}
	defer artifact.Close()
	p.Logger.Bodyf("Verified sha256 %s; unpacking", p.Dependency.GetChecksum().Hash())
	// The archive holds python/...; strip it so the layer is the prefix.
	if err := crush.Extract(artifact, layer.Path, 1); err != nil {
		return RuntimeInstallError{Version: p.Dependency.Version, URI: p.Dependency.URI, Err: err}
	}
	rewritten, err := RelocateRuntime(layer.Path)
	if err != nil {
		return RuntimeInstallError{Version: p.Dependency.Version, URI: p.Dependency.URI, Err: err}
	}
	p.Logger.Bodyf("Rewrote the build-time prefix %s to %s in %s", BuildPrefix, layer.Path, strings.Join(rewritten, ", "))
	out, err := command.Command{Path: filepath.Join(layer.Path, "bin", "python3"), Args: []string{"-c",
		"import sys, sysconfig; print(sys.version.split()[0], sysconfig.get_config_var('LIBDIR'))"}, Quiet: true}.Run(nil)
	if err != nil {
		return RuntimeInstallError{Version: p.Dependency.Version, URI: p.Dependency.URI,
			Err: fmt.Errorf("the unpacked interpreter does not run: %w\n%s", err, out.String())}
	}
	CompileBytecode(filepath.Join(layer.Path, "bin", "python3"), p.Logger,
		filepath.Join(layer.Path, "lib", "python"+Runtime{Version: p.Dependency.Version}.MinorVersion()))
	p.Logger.Bodyf("Python %s (LIBDIR %s)", strings.Fields(out.String())[0], strings.TrimSpace(strings.Join(strings.Fields(out.String())[1:], " ")))
	return nil
}

// relocatedFiles are the files that record the build-time prefix and compiler
// and are read when something compiles against the runtime.
var relocatedFiles = []string{
	"lib/python3.*/_sysconfigdata_*.py",
	"lib/python3.*/_sysconfig_vars_*.json",
	"lib/python3.*/config-3.*/Makefile",
	"bin/python3.*-config",
	"lib/pkgconfig/python*.pc",
}

// RelocateRuntime rewrites the build-time prefix to home (and clang to cc) in
// the runtime's build configuration, returning the files it changed (relative).
func RelocateRuntime(home string) ([]string, error) {
	var changed []string
	for _, pattern := range relocatedFiles {
		matches, err := filepath.Glob(filepath.Join(home, pattern))
		if err != nil {
			return nil, err
		}
		for _, path := range matches {
			fi, err := os.Lstat(path)
			if err != nil || !fi.Mode().IsRegular() {
				continue
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return nil, err
			}
			out := RewriteBuildConfig(string(src), BuildPrefix, home)
			if out == string(src) {
				continue
			}
			if err := os.WriteFile(path, []byte(out), fi.Mode().Perm()); err != nil {
				return nil, err
			}
			rel, _ := filepath.Rel(home, path)
			changed = append(changed, rel)
		}
	}
	return changed, nil
}

var (
	compilerClangxx = regexp.MustCompile(`(^|[\s'"=])clang\+\+([\s'"]|$)`)
	compilerClang   = regexp.MustCompile(`(^|[\s'"=])clang([\s'"]|$)`)
	// python-build-standalone records its toolchain's archiver by absolute path.
	toolchainAr = regexp.MustCompile(`/tools/[^\s'"]*/llvm-ar`)
)

// RewriteBuildConfig replaces the build prefix with home wherever it is a whole
// path (not the tail of a longer one such as /usr/install), and the clang
// compiler with the system's cc, in the text of a build-configuration file.
func RewriteBuildConfig(text, prefix, home string) string {
	var b strings.Builder
	for {
		i := strings.Index(text, prefix)
		if i < 0 {
			b.WriteString(text)
			break
		}
		end := i + len(prefix)
		if wholePath(text[:i], text[end:]) {
			b.WriteString(text[:i])
			b.WriteString(home)
		} else {
			b.WriteString(text[:end])
		}
		text = text[end:]
	}
	text = b.String()
	for i := 0; i < 2; i++ { // adjacent matches share a delimiter
		text = compilerClangxx.ReplaceAllString(text, "${1}c++${2}")
		text = compilerClang.ReplaceAllString(text, "${1}cc${2}")
	}
	return toolchainAr.ReplaceAllString(text, "ar")
}

// wholePath: the prefix found between before and after is a path of its own:
// followed by a separator, quote, space or the end, and not preceded by
// another path component (flags such as -L or -I may precede it).
func wholePath(before, after string) bool {
	if after != "" && !strings.ContainsRune("/'\" \t\n:;,)", rune(after[0])) {
		return false
	}
	j := len(before)
	for j > 0 && (isWordByte(before[j-1]) || before[j-1] == '.' || before[j-1] == '-') {
		j--
	}
	return j == 0 || before[j-1] != '/'
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// BundledPipVersion reads the version of the pip wheel ensurepip installs from
// the runtime, without running Python.
func BundledPipVersion(home string) (string, error) {
	wheels, _ := filepath.Glob(filepath.Join(home, "lib", "python3.*", "ensurepip", "_bundled", "pip-*.whl"))
	if len(wheels) == 0 {
		return "", fmt.Errorf("the Python runtime in %s has no bundled pip (ensurepip/_bundled/pip-*.whl)", home)
	}
	name := filepath.Base(wheels[0])
	return strings.SplitN(strings.TrimPrefix(name, "pip-"), "-", 2)[0], nil
}
