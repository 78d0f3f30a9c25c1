package build

import (
	"encoding/json"
	"time"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/layers"
	"github.com/warpdrive-buildpack/warpdrive/stepcache"
)

// probeEntryPoint imports the entry point's module (see
// layers.ProbeEntryPoint), or reuses what an earlier build's import found
// when nothing it read or depended on changed. Only a clean result is
// remembered: a failed or slow import is tried again next build.
func (b Build) probeEntryPoint(s *step, ep app.EntryPoint, timeout time.Duration) (layers.EntryProbe, error) {
	common, err := s.stepKey()
	if err != nil {
		return layers.EntryProbe{}, err
	}
	common.Probe = layers.EntryProbeDigest()
	return rememberedProbe(b, s, "Entry point "+ep.String(), entryPointKey{common, ep},
		func() (layers.EntryProbe, bool, error) {
			probe, err := layers.ProbeEntryPoint(layers.VenvPython(s.venv), s.config.Home, ep, timeout, nil)
			return probe, err == nil && !probe.TimedOut && probe.ImportError == "", err
		}, func(p *layers.EntryProbe) *[]string { return &p.Reads })
}

// probeDjango reads the Django settings (see layers.ProbeDjango), or reuses
// an earlier build's reading.
func (b Build) probeDjango(s *step) (layers.DjangoSettings, error) {
	common, err := s.stepKey()
	if err != nil {
		return layers.DjangoSettings{}, err
	}
	common.Probe = layers.DjangoProbeDigest()
	deployCheck := s.config.DjangoDeployCheck != app.DeployCheckOff
	return rememberedProbe(b, s, "Django settings", settingsKey{stepKey: common, SettingsModule: s.launch.SettingsModule, DeployCheck: deployCheck},
		func() (layers.DjangoSettings, bool, error) {
			settings, err := layers.ProbeDjango(layers.VenvPython(s.venv), s.config.Home, s.launch.SettingsModule, deployCheck)
			return settings, err == nil, err
		}, func(d *layers.DjangoSettings) *[]string { return &d.Reads })
}

// rememberedProbe returns the result of the Python step name from the probe
// record when it is still valid for key (saying so in the log), else unpacks
// the interpreter, runs the step and records the result with the application
// files it read (reads finds them in the result, which they leave), when
// run says the result may be reused.
func rememberedProbe[T any](b Build, s *step, name string, key interface{ inputs() map[string]string },
	run func() (result T, keep bool, err error), reads func(*T) *[]string) (T, error) {
	var result T
	inputs := key.inputs()
	entry, why := s.probes.Check(name, inputs, s.config.Home)
	if why == "" && json.Unmarshal(entry.Result, &result) == nil {
		b.Logger.Headerf("%s: reusing the previous build's result (none of the %d application files it read changed)", name, len(entry.Files))
		return result, nil
	}
	if why != stepcache.NotRunBefore {
		b.Logger.Headerf("%s: running Python again (%s)", name, why)
	}
	if err := s.needPython(); err != nil {
		return result, err
	}
	result, keep, err := run()
	if !keep {
		return result, err
	}
	files := *reads(&result)
	*reads(&result) = nil
	_, err = s.probes.Store(name, inputs, s.config.Home, files, result)
	return result, err
}
