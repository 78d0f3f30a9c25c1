package layers

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/effect"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/internal/command"
	"github.com/warpdrive-buildpack/warpdrive/pip"
	"github.com/warpdrive-buildpack/warpdrive/reuse"
	"github.com/warpdrive-buildpack/warpdrive/sbom"
)

// Packages contributes the application's packages: a venv created from the
// runtime and filled by `pip install -r` of each requirements file. It is
// rebuilt from scratch (no stale packages) whenever any input changes: the
// content of every requirements file including nested -r/-c ones, the
// wheelhouse, PIP_* settings, the Python and pip versions and the target.
type Packages struct {
	Runtime Runtime
	// Home is the application directory pip runs in.
	Home string
	// Plan is what to install; for app.FromRequirements, Roots and Files
	// say which files pip reads.
	Plan app.DependencyPlan
	// Roots are the top-level requirement files (relative to Home).
	Roots []string
	// Files are Roots plus everything they include.
	Files []app.RequirementFile
	// Wheelhouse, when set, is passed as --find-links.
	Wheelhouse string
	// Extra are packages the chosen server needs that the app did not list.
	Extra []string
	// PthPaths are extra site directories the venv should see (the mod_wsgi layer).
	PthPaths []string
	// IndexURLSet: PIP_INDEX_URL is given, so it overrides a lock's index.
	IndexURLSet bool
	PipCache    string
	// Credentials are a private index's, for pip's runs only.
	Credentials pip.Credentials
	// Snapshots keeps the venv for later builds; Runtime is the CPython
	// layer, unpacked before pip runs.
	Snapshots reuse.Snapshots
	Python    *reuse.SnapshotBackedLayer
	Target    string
	// SystemPackages identifies the Debian packages the app asked for
	// (see DebPackagesKey.Installed), "" when none: pip compiles against
	// their headers and links their libraries.
	SystemPackages string
	Logger         log.Logger
	// Executor runs python and pip (nil: libpak's).
	Executor effect.Executor
}

// VenvLayer names the packages layer. The lifecycle puts each layer's bin/ on
// PATH in the order of the layers' names, the last one first (at build, for
// later buildpacks, and at launch), so the venv's name must sort after
// "python": then `python`, `python3`, `pip` and console scripts are the venv's
// in every process, not the bare runtime's.
const VenvLayer = "venv"

// VenvKey is exactly what invalidates the venv: a change to any field
// rebuilds it. reuse.Metadata writes it as the layer's metadata, one entry per
// field (and per local source, so the log names the one that changed).
type VenvKey struct {
	// DependencySource is the plan's kind and file ("lock uv.lock").
	DependencySource string
	PythonVersion    string
	PipVersion       string
	Target           string
	// RequirementFiles are the requirements files pip reads, nested ones
	// included.
	RequirementFiles []string
	// Inputs is a hash of what pip reads from the application (see
	// Packages.inputsHash), under the name InputsKey (see inputsKey).
	Inputs, InputsKey string
	// LocalSources are the local paths a lock installs from, each with
	// what the venv depends on in it (see app.LocalInput.Digest).
	LocalSources []LocalSource
	// Wheelhouse is the TreeHash of .warpdrive/wheelhouse, or "none".
	Wheelhouse string
	// PipSettings is a hash of the PIP_* variables, or "none".
	PipSettings   string
	ExtraPackages []string
	SitePaths     []string
	SignalHandler string
	// SystemPackages are the Debian packages installed for the app, which
	// C extensions compile against ("" when none: no metadata entry, so
	// venvs built before they counted are reused).
	SystemPackages string
}

// LocalSource is a local path a lock installs a package from, and the
// digest of what the venv depends on in it.
type LocalSource struct{ Path, Digest string }

// localSourcePrefix starts the metadata key of each local source.
const localSourcePrefix = "local_source "

// reuse.Metadata is the key as layer metadata. A plan without local sources has
// no local_source entries, so venvs built before they counted are reused.
func (k VenvKey) Metadata() reuse.Metadata {
	md := reuse.Metadata{
		"dependency_source": k.DependencySource,
		"python_version":    k.PythonVersion,
		"pip_version":       k.PipVersion,
		"target":            k.Target,
		"requirement_files": strings.Join(k.RequirementFiles, " "),
		k.InputsKey:         k.Inputs,
		"wheelhouse":        k.Wheelhouse,
		"pip_settings":      k.PipSettings,
		"extra_packages":    strings.Join(k.ExtraPackages, " "),
		"site_paths":        strings.Join(k.SitePaths, " "),
		"signal_handler":    k.SignalHandler,
	}
	for _, s := range k.LocalSources {
		md[localSourcePrefix+s.Path] = s.Digest
	}
	if k.SystemPackages != "" {
		md["system_packages"] = k.SystemPackages
	}
	return md
}

// Key is what the venv is built from.
func (p Packages) Key() (VenvKey, error) {
	names := make([]string, len(p.Files))
	for i, f := range p.Files {
		names[i] = f.Path
	}
	wheelhouse := "none"
	if p.Wheelhouse != "" {
		h, err := app.TreeHash(p.Wheelhouse)
		if err != nil {
			return VenvKey{}, err
		}
		wheelhouse = h
	}
	inputs, err := p.inputsHash()
	if err != nil {
		return VenvKey{}, err
	}
	local, err := p.localSources()
	if err != nil {
		return VenvKey{}, err
	}
	return VenvKey{
		DependencySource: string(p.Plan.Source) + " " + p.Plan.File,
		PythonVersion:    p.Runtime.Version,
		PipVersion:       pip.VersionInUse(p.Runtime.PipVersion),
		Target:           p.Target,
		RequirementFiles: names,
		Inputs:           inputs,
		InputsKey:        p.inputsKey(),
		LocalSources:     local,
		Wheelhouse:       wheelhouse,
		PipSettings:      pipSettingsHash(os.Environ()),
		ExtraPackages:    p.Extra,
		SitePaths:        p.PthPaths,
		SignalHandler:    signalHandlerVersion,
		SystemPackages:   p.SystemPackages,
	}, nil
}

// localSources are a lock's local paths with their digests: the lock pins
// each by name only, so what pip copies from it (or, editable, its
// metadata) must be in the key too.
func (p Packages) localSources() ([]LocalSource, error) {
	if p.Plan.Source != app.FromLock {
		return nil, nil
	}
	var out []LocalSource
	for _, in := range p.Plan.Lock.LocalInputs() {
		sum, err := in.Digest(p.Home)
		if err != nil {
			return nil, err
		}
		out = append(out, LocalSource{Path: in.Path, Digest: string(in.Kind) + " " + sum})
	}
	return out, nil
}

// reuse.Metadata is the venv's key as layer metadata.
func (p Packages) Metadata() (reuse.Metadata, error) {
	key, err := p.Key()
	if err != nil {
		return nil, err
	}
	return key.Metadata(), nil
}

// inputsKey names inputsHash in the metadata after the input it hashes,
// so the log's reason for a new venv says what changed ("Pipfile.lock
// changed", not "requirements changed").
func (p Packages) inputsKey() string {
	if p.Plan.Source == app.FromRequirements || p.Plan.Source == "" || p.Plan.File == "" {
		return "requirements"
	}
	return p.Plan.File
}

// inputsHash is a hash of everything pip reads from the application: the
// requirements files and the local paths they name, or the plan's steps
// (a lock's pins and hashes for this target, declared dependencies) and,
// when pip builds the project, the whole application tree.
func (p Packages) inputsHash() (string, error) {
	if p.Plan.Source == app.FromRequirements || p.Plan.Source == "" {
		return app.HashRequirementInputs(p.Home, p.Files)
	}
	steps, err := pip.Steps(p.Plan, p.Home, p.Extra, p.IndexURLSet)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, s := range steps {
		fmt.Fprintf(h, "%q\x00%s\x00", s.Args, s.Requirements)
	}
	if p.Plan.Source == app.FromLock {
		sum, err := app.FileDigest(filepath.Join(p.Home, p.Plan.File))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%s\x00", p.Plan.File, sum)
	}
	if pip.InstallsProject(steps) {
		// pip copies the built project into the venv: any change to it
		// needs a new venv, or the image would run stale code.
		sum, err := app.TreeHash(p.Home, ".git")
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "project\x00%s\x00", sum)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// pipSettingsHash hashes the PIP_* variables given to the build (values may be
// credentials, so only a hash is stored).
func pipSettingsHash(environ []string) string {
	var pip []string
	for _, kv := range environ {
		if strings.HasPrefix(kv, "PIP_") && !strings.HasPrefix(kv, "PIP_CACHE_DIR=") {
			pip = append(pip, kv)
		}
	}
	if len(pip) == 0 {
		return "none"
	}
	sort.Strings(pip)
	sum := sha256.Sum256([]byte(strings.Join(pip, "\n")))
	return hex.EncodeToString(sum[:8])
}

// Contribute creates or reuses the venv.
func (p Packages) Contribute(layers *libcnb.Layers) (*reuse.SnapshotBackedLayer, reuse.Metadata, error) {
	md, err := p.Metadata()
	if err != nil {
		return nil, nil, err
	}
	d, err := reuse.ContributeSnapshotBacked(layers, p.Logger, p.Snapshots, reuse.SnapshotBackedSpec{
		Cached: reuse.Cached{Name: VenvLayer, Title: "Python packages", Metadata: md},
		Needs:  []*reuse.SnapshotBackedLayer{p.Python},
		Fill:   p.install,
		SBOM: func(dir string) ([]cdx.Component, error) {
			return sbom.Distributions(filepath.Join(dir, "lib", "python3.*", "site-packages"), p.Logger)
		},
	})
	if err != nil {
		return nil, nil, err
	}
	d.Layer.SharedEnvironment.Override("VIRTUAL_ENV", d.Layer.Path)
	return d, md, nil
}

// Python is the venv's interpreter.
func VenvPython(venv string) string { return filepath.Join(venv, "bin", "python") }

func (p Packages) install(layer *libcnb.Layer) error {
	p.Logger.Bodyf("Creating a virtual environment with Python %s", p.Runtime.Version)
	if out, err := (command.Command{Path: p.Runtime.Interpreter(), Args: []string{"-m", "venv", layer.Path}, Quiet: true, Executor: p.Executor}).Run(nil); err != nil {
		return VenvError{Output: out.Tail(10), Err: err}
	}
	if err := p.writePth(layer.Path); err != nil {
		return err
	}
	if err := writeSignalHandler(SitePackages(layer.Path, p.Runtime)); err != nil {
		return err
	}
	installer := p.pipInstaller(layer.Path)
	installer.Upgrade()

	if p.Wheelhouse != "" {
		p.Logger.Bodyf("Using the wheelhouse %s", p.Wheelhouse)
	}
	install := func() error { return installer.InstallRequirements(p.Roots) }
	if p.Plan.Source != app.FromRequirements && p.Plan.Source != "" {
		install = installer.InstallPlan
	}
	if err := install(); err != nil {
		return err
	}
	compileBytecode(p.Executor, VenvPython(layer.Path), p.Logger, SitePackages(layer.Path, p.Runtime))
	return nil
}

// pipInstaller runs pip in the venv at venv.
func (p Packages) pipInstaller(venv string) pip.Installer {
	return pip.Installer{Python: VenvPython(venv), PythonVersion: p.Runtime.Version, BundledPip: p.Runtime.PipVersion,
		Home: p.Home, Plan: p.Plan, Files: p.Files, Wheelhouse: p.Wheelhouse, Extra: p.Extra, IndexURLSet: p.IndexURLSet,
		Cache: p.PipCache, Credentials: p.Credentials, Logger: p.Logger, Executor: p.Executor}
}

// writePth makes extra site directories (the mod_wsgi layer) importable by the
// venv's interpreter, including the one Apache embeds.
func (p Packages) writePth(venv string) error {
	if len(p.PthPaths) == 0 {
		return nil
	}
	site, err := filepath.Glob(filepath.Join(venv, "lib", "python3.*", "site-packages"))
	if err != nil || len(site) != 1 {
		return fmt.Errorf("unable to find the venv's site-packages in %s", venv)
	}
	return os.WriteFile(filepath.Join(site[0], "_warpdrive_layers.pth"), []byte(strings.Join(p.PthPaths, "\n")+"\n"), 0o644)
}

// signalHandlerVersion changes whenever signalHandler does, so venvs get the new one.
const signalHandlerVersion = "1"

// signalHandler makes a Python process that runs as PID 1 (waitress-serve or
// app.py as a container's main process) exit on SIGTERM: the kernel gives PID 1
// no default action for it, so `docker stop` would wait 10 s and kill it.
// Servers that install their own handler (gunicorn, uwsgi) replace it.
const signalHandler = `# Written by warpdrive: see the .pth file of the same name.
import os
import signal
import sys


def _exit(signum, frame):
    sys.exit(128 + signum)


if os.getpid() == 1 and signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
    signal.signal(signal.SIGTERM, _exit)
`

func writeSignalHandler(site string) error {
	if err := os.WriteFile(filepath.Join(site, "_warpdrive_signals.py"), []byte(signalHandler), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(site, "_warpdrive_signals.pth"), []byte("import _warpdrive_signals\n"), 0o644)
}
