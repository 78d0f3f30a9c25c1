package build

import (
	"fmt"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/layers"
)

// snapshotted are the layers kept as snapshots; a snapshot of one this build
// did not contribute (mod_wsgi after a switch to gunicorn) is dropped.
var snapshotted = []string{"python", layers.VenvLayer, layers.ModWSGILayer}

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

// probeInputs are what every Python step's result depends on besides the
// files it reads and the variables: the interpreter, the packages and the
// names of the application's files; extra are the step's own arguments.
func (s *step) probeInputs(extra map[string]string) (map[string]string, error) {
	if s.appNames == "" {
		names, err := app.TreeNames(s.ctx.ApplicationPath, ".git")
		if err != nil {
			return nil, fmt.Errorf("unable to read the application's files\n%w", err)
		}
		s.appNames = names
	}
	inputs := map[string]string{
		"python":                 s.runtime.Version,
		"packages":               s.packagesMD.Key(),
		"application file names": s.appNames,
	}
	for k, v := range extra {
		inputs[k] = v
	}
	return inputs, nil
}
