package build

import (
	"fmt"
	"strconv"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/layers"
)

// snapshotted are the layers kept as snapshots, and the collectstatic output
// of a STATIC_ROOT in the application; a snapshot this build did not use
// (mod_wsgi after a switch to gunicorn) is dropped.
var snapshotted = []string{"python", layers.VenvLayer, layers.ModWSGILayer, layers.AppStaticSnapshot}

// needPython unpacks CPython, the venv and mod_wsgi, when a reused build
// left them in the previous image only, for a step that runs Python.
func (s *step) needPython() error {
	for _, d := range s.snapshotBacked {
		if err := d.Materialize(); err != nil {
			return err
		}
	}
	return nil
}

// finishLayers hands the snapshot-backed layers to the lifecycle (without their
// files when the previous image holds them; as build layers, with their
// files, when a later buildpack requires them at build) and saves the probe
// record.
func (b Build) finishLayers(s *step) error {
	later := readLaterBuild(s.ctx.Plan)
	var forLater []string
	kept := map[string]bool{}
	for _, d := range s.snapshotBacked {
		finish := d.Finish
		if later.wants(s, d) {
			finish = d.FinishForLaterBuildpacks
			forLater = append(forLater, d.Layer.Name)
		}
		layer, err := finish()
		if err != nil {
			return err
		}
		kept[layer.Name] = true
		s.result.Layers = append(s.result.Layers, layer)
	}
	logBuildLayers(b.Logger, forLater)
	kept[layers.AppStaticSnapshot] = s.keepAppStatic
	for _, name := range snapshotted {
		if !kept[name] {
			s.snapshots.Remove(name)
		}
	}
	if err := s.probes.Save(); err != nil {
		return fmt.Errorf("unable to save the record of the build's Python steps\n%w", err)
	}
	return nil
}

// stepKey is what every remembered Python step (reading the Django
// settings, importing the entry point, collectstatic) depends on besides
// the application files it read and the build's variables, which the
// probe record checks itself: a change to any field runs the step again.
type stepKey struct {
	// PythonVersion: another interpreter may import the same code differently.
	PythonVersion string
	// Packages is a digest of the venv's key: the step imports what is installed.
	Packages string
	// AppNames is a digest of the names of the application's files (see
	// app.TreeNames): a new file can shadow a module the step imported.
	AppNames string
	// Probe is a digest of the script the step runs: another buildpack's
	// probe may look for more (ASGI_APPLICATION) or report it otherwise,
	// so its record is not this one's result (collectstatic's too: it
	// lists the files the finders see).
	Probe string
}

func (k stepKey) inputs() map[string]string {
	in := map[string]string{
		"python":                 k.PythonVersion,
		"packages":               k.Packages,
		"application file names": k.AppNames,
	}
	if k.Probe != "" {
		in["probe"] = k.Probe
	}
	return in
}

// settingsKey is the key of a step that loads the Django settings.
type settingsKey struct {
	stepKey
	// SettingsModule is the module the step imports.
	SettingsModule string
	// DeployCheck: the step also runs Django's deployment security checks.
	DeployCheck bool
}

func (k settingsKey) inputs() map[string]string {
	in := k.stepKey.inputs()
	in["settings module"] = k.SettingsModule
	if k.DeployCheck {
		in["deploy check"] = "yes"
	}
	return in
}

// entryPointKey is the key of the entry point's import.
type entryPointKey struct {
	stepKey
	// EntryPoint is the module imported and the attribute looked up;
	// whether it is called (a factory, with its arguments) decides the kind
	// the probe reports.
	EntryPoint app.EntryPoint
}

func (k entryPointKey) inputs() map[string]string {
	in := k.stepKey.inputs()
	ep := k.EntryPoint
	in["entry point"] = ep.String() + " " + strconv.FormatBool(ep.Call) + " " + ep.Args
	return in
}

// stepKey is this build's common step key. The application's file names
// are read once, when a step first needs them.
func (s *step) stepKey() (stepKey, error) {
	if s.appNames == "" {
		names, err := app.TreeNames(s.ctx.ApplicationPath, ".git")
		if err != nil {
			return stepKey{}, fmt.Errorf("unable to read the application's files\n%w", err)
		}
		s.appNames = names
	}
	return stepKey{PythonVersion: s.runtime.Version, Packages: s.packagesMD.Key(), AppNames: s.appNames}, nil
}
