package build

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/layers"
	"github.com/warpdrive-buildpack/warpdrive/reuse"
	"github.com/warpdrive-buildpack/warpdrive/stepcache"
)

// sampleStep is a step after the venv: an application directory, the
// runtime and the venv's key.
func sampleStep(t *testing.T) *step {
	t.Helper()
	root := t.TempDir()
	for name, content := range map[string]string{"manage.py": "# manage\n", "mysite/settings.py": "DEBUG = False\n", "mysite/views.py": "x = 1\n"} {
		must(t, os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755))
		must(t, os.WriteFile(filepath.Join(root, name), []byte(content), 0o644))
	}
	return &step{ctx: libcnb.BuildContext{ApplicationPath: root}, runtime: layers.Runtime{Version: "3.13.5"},
		packagesMD: reuse.Metadata{"python_version": "3.13.5", "requirements": "aa"}}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// The probe records earlier buildpacks stored have exactly these inputs, so
// an upgraded buildpack reuses them.
func TestStepKeysAreTheOldInputs(t *testing.T) {
	s := sampleStep(t)
	common, err := s.stepKey()
	must(t, err)
	names, err := app.TreeNames(s.ctx.ApplicationPath, ".git")
	must(t, err)
	old := func(extra map[string]string) map[string]string {
		in := map[string]string{"python": "3.13.5", "packages": reuse.Metadata{"python_version": "3.13.5", "requirements": "aa"}.Key(),
			"application file names": names}
		for k, v := range extra {
			in[k] = v
		}
		return in
	}
	ep := app.EntryPoint{Module: "factory", Attr: "create_app", Call: true, Args: "'prod'"}
	tests := []struct {
		name string
		key  interface{ inputs() map[string]string }
		want map[string]string
	}{
		{"the Django settings", settingsKey{stepKey: common, SettingsModule: "mysite.settings"}, old(map[string]string{"settings module": "mysite.settings"})},
		{"the Django settings and the deployment checks", settingsKey{stepKey: common, SettingsModule: "mysite.settings", DeployCheck: true},
			old(map[string]string{"settings module": "mysite.settings", "deploy check": "yes"})},
		{"an entry point", entryPointKey{common, ep}, old(map[string]string{"entry point": "factory:create_app('prod') true 'prod'"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.key.inputs(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("inputs = %v\nwant     %v", got, tt.want)
			}
		})
	}
}

// Each input changes the key; an edit to the application's code does not
// (the probe record checks the files the step read, by their content).
func TestStepKeyChanges(t *testing.T) {
	write := func(s *step, name, content string) {
		must(t, os.WriteFile(filepath.Join(s.ctx.ApplicationPath, name), []byte(content), 0o644))
	}
	ep := app.EntryPoint{Module: "wsgi", Attr: "application"}
	tests := []struct {
		name    string
		change  func(s *step, sk *settingsKey, ek *entryPointKey)
		rebuilt bool
	}{
		{"the Python version", func(s *step, _ *settingsKey, _ *entryPointKey) { s.runtime.Version = "3.12.11" }, true},
		{"the packages", func(s *step, _ *settingsKey, _ *entryPointKey) { s.packagesMD["requirements"] = "bb" }, true},
		{"a new application file", func(s *step, _ *settingsKey, _ *entryPointKey) { write(s, "mysite/urls.py", "") }, true},
		{"the settings module", func(_ *step, sk *settingsKey, _ *entryPointKey) { sk.SettingsModule = "mysite.prod" }, true},
		{"the entry point's attribute", func(_ *step, _ *settingsKey, ek *entryPointKey) { ek.EntryPoint.Attr = "app" }, true},
		{"the entry point called", func(_ *step, _ *settingsKey, ek *entryPointKey) { ek.EntryPoint.Call = true }, true},
		{"a factory's arguments", func(_ *step, _ *settingsKey, ek *entryPointKey) { ek.EntryPoint.Call, ek.EntryPoint.Args = true, "1" }, true},
		{"the application's code", func(s *step, _ *settingsKey, _ *entryPointKey) { write(s, "mysite/views.py", "x = 2\n") }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys := func(s *step, sk settingsKey, ek entryPointKey) [2]map[string]string {
				common, err := s.stepKey()
				must(t, err)
				sk.stepKey, ek.stepKey = common, common
				return [2]map[string]string{sk.inputs(), ek.inputs()}
			}
			s := sampleStep(t)
			sk, ek := settingsKey{SettingsModule: "mysite.settings"}, entryPointKey{EntryPoint: ep}
			before := keys(s, sk, ek)
			s.appNames = "" // a later build reads the names again
			tt.change(s, &sk, &ek)
			if rebuilt := !reflect.DeepEqual(keys(s, sk, ek), before); rebuilt != tt.rebuilt {
				t.Errorf("a step's key changed: %v, want %v", rebuilt, tt.rebuilt)
			}
		})
	}
}

// A probe's record names the script that made it: one an earlier buildpack
// stored (before records named their script, or with another script) is not
// reused, the step runs Python again. Its own record is reused.
func TestProbeRecordsOfAnotherScriptAreNotReused(t *testing.T) {
	ep := app.EntryPoint{Module: "wsgi", Attr: "application"}
	// Each probe: its record's name and inputs, what it remembers, and a run
	// that says whether the remembered result came back.
	probes := []struct {
		name   string
		inputs func(stepKey) map[string]string
		result any
		run    func(b Build, s *step) (bool, error)
	}{
		{"Entry point " + ep.String(), func(k stepKey) map[string]string {
			k.Probe = layers.EntryProbeDigest()
			return entryPointKey{k, ep}.inputs()
		}, layers.EntryProbe{Found: true, Kind: "wsgi"}, func(b Build, s *step) (bool, error) {
			p, err := b.probeEntryPoint(s, ep, time.Second)
			return p.Found, err
		}},
		{"Django settings", func(k stepKey) map[string]string {
			k.Probe = layers.DjangoProbeDigest()
			return settingsKey{stepKey: k, SettingsModule: "mysite.settings", DeployCheck: true}.inputs()
		}, layers.DjangoSettings{SettingsModule: "mysite.settings"}, func(b Build, s *step) (bool, error) {
			d, err := b.probeDjango(s)
			return d.SettingsModule != "", err
		}},
	}
	records := []struct {
		name   string
		record func(in map[string]string)
		reused bool
	}{
		{"a record from before records named their script", func(in map[string]string) { delete(in, "probe") }, false},
		{"a record of another script", func(in map[string]string) { in["probe"] = app.Digest("another script") }, false},
		{"this script's record", func(map[string]string) {}, true},
	}
	for _, p := range probes {
		for _, r := range records {
			t.Run(p.name+"/"+r.name, func(t *testing.T) {
				s := sampleStep(t)
				s.config.Home = s.ctx.ApplicationPath
				s.launch.SettingsModule = "mysite.settings"
				s.probes = stepcache.Load(reuse.Snapshots{Dir: t.TempDir()})
				common, err := s.stepKey()
				must(t, err)
				in := p.inputs(common)
				r.record(in)
				_, err = s.probes.Store(p.name, in, s.config.Home, nil, p.result)
				must(t, err)
				var out bytes.Buffer
				// No venv: a probe that runs fails, one that is reused does not.
				found, err := p.run(Build{Logger: log.NewPaketoLogger(&out)}, s)
				if reused := err == nil && found && strings.Contains(out.String(), "reusing the previous build's result"); reused != r.reused {
					t.Errorf("reused: %v, want %v (err %v)\n%s", reused, r.reused, err, out.String())
				}
			})
		}
	}
}
