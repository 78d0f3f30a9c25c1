package build

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/layers"
)

// probeEntryPoint imports the entry point's module (see
// layers.ProbeEntryPoint), or reuses what an earlier build's import found
// when nothing it read or depended on changed. Only a clean result is
// remembered: a failed or slow import is tried again next build.
func (b Build) probeEntryPoint(s *step, ep app.EntryPoint, timeout time.Duration) (layers.EntryProbe, error) {
	name := "Entry point " + ep.String()
	inputs, err := s.probeInputs(map[string]string{"entry point": ep.String() + " " + strconv.FormatBool(ep.Call) + " " + ep.Args})
	if err != nil {
		return layers.EntryProbe{}, err
	}
	var probe layers.EntryProbe
	if b.reuseProbe(s, name, inputs, &probe) {
		return probe, nil
	}
	if err := s.needPython(); err != nil {
		return layers.EntryProbe{}, err
	}
	probe, err = layers.ProbeEntryPoint(layers.VenvPython(s.venv), s.config.Home, ep, timeout, nil)
	if err != nil || probe.TimedOut || probe.ImportError != "" {
		return probe, err
	}
	reads := probe.Reads
	probe.Reads = nil
	_, err = s.probes.Store(name, inputs, s.config.Home, reads, probe)
	return probe, err
}

// probeDjango reads the Django settings (see layers.ProbeDjango), or reuses
// an earlier build's reading.
func (b Build) probeDjango(s *step) (layers.DjangoSettings, error) {
	const name = "Django settings"
	inputs, err := s.probeInputs(map[string]string{"settings module": s.launch.SettingsModule})
	if err != nil {
		return layers.DjangoSettings{}, err
	}
	var settings layers.DjangoSettings
	if b.reuseProbe(s, name, inputs, &settings) {
		return settings, nil
	}
	if err := s.needPython(); err != nil {
		return layers.DjangoSettings{}, err
	}
	if settings, err = layers.ProbeDjango(layers.VenvPython(s.venv), s.config.Home, s.launch.SettingsModule); err != nil {
		return settings, err
	}
	reads := settings.Reads
	settings.Reads = nil
	_, err = s.probes.Store(name, inputs, s.config.Home, reads, settings)
	return settings, err
}

// reuseProbe fills result from the record of step name when it is valid,
// and says in the log why the step runs when it is not.
func (b Build) reuseProbe(s *step, name string, inputs map[string]string, result any) bool {
	entry, why := s.probes.Check(name, inputs, s.config.Home)
	if why == "" && json.Unmarshal(entry.Result, result) == nil {
		b.Logger.Headerf("%s: reusing the previous build's result (none of the %d application files it read changed)", name, len(entry.Files))
		return true
	}
	if why != "not run before" {
		b.Logger.Headerf("%s: running Python again (%s)", name, why)
	}
	return false
}
