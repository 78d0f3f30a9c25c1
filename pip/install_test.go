package pip

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/paketo-buildpacks/libpak/v2/effect"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/app"
)

// pipRuns answers each pip run with the output of its subcommand
// ("install", "check"), failing those in fail.
type pipRuns struct {
	out   map[string]string
	fail  map[string]bool
	calls [][]string
}

func (r *pipRuns) Execute(e effect.Execution) error {
	r.calls = append(r.calls, e.Args)
	sub := e.Args[2]
	io.WriteString(e.Stdout, r.out[sub])
	if r.fail[sub] {
		return errors.New("exit status 1")
	}
	return nil
}

func TestUpgrade(t *testing.T) {
	tests := []struct {
		name, bundled string
		fail          bool
		wantRun       bool
		wantLog       string
	}{
		{"an old pip is upgraded", "22.3.1", false, true, "Upgrading pip 22.3.1 (bundled with Python 3.11.2) to pip>=23.2"},
		{"a failed upgrade is a warning", "22.3.1", true, true, "WARNING: pip could not be upgraded, installing with pip 22.3.1: ERROR: no pip here"},
		{"a recent pip is left alone", "25.1", false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := &pipRuns{out: map[string]string{"install": "ERROR: no pip here\n"}, fail: map[string]bool{"install": tt.fail}}
			var out bytes.Buffer
			Installer{Python: "/venv/bin/python", PythonVersion: "3.11.2", BundledPip: tt.bundled, Executor: runs, Logger: log.NewPaketoLogger(&out)}.Upgrade()
			if ran := len(runs.calls) == 1 && slices.Contains(runs.calls[0], "pip>="+MinimumVersion); ran != tt.wantRun {
				t.Errorf("pip runs %q, want an upgrade: %t", runs.calls, tt.wantRun)
			}
			if !strings.Contains(out.String(), tt.wantLog) {
				t.Errorf("the log lacks %q:\n%s", tt.wantLog, out.String())
			}
		})
	}
}

// After a lock's pins are installed, pip check's missing dependency fails
// the build; its other complaints are only logged.
func TestInstallPlanChecksTheLock(t *testing.T) {
	plan := app.DependencyPlan{Source: app.FromLock, File: "uv.lock", Lock: app.Lock{File: "uv.lock", RefreshCommand: "uv lock",
		Pins: []app.Pin{{Name: "flask", Version: "3.1.0", Source: app.SourceIndex, Ref: pypiSimple}}}}
	tests := []struct {
		name, check string
		wantErr     bool
		wantLog     string
	}{
		{"a missing dependency", "flask 3.1.0 requires blinker, which is not installed.\n", true, ""},
		{"a version conflict", "flask 3.1.0 has requirement click>=8.1.3, but you have click 7.0.\n", false, "WARNING: pip check reports, for the locked packages:"},
		{"nothing to say", "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := &pipRuns{out: map[string]string{"check": tt.check}, fail: map[string]bool{"check": tt.check != ""}}
			var out bytes.Buffer
			err := Installer{Python: "/venv/bin/python", Home: t.TempDir(), Plan: plan, Executor: runs, Logger: log.NewPaketoLogger(&out)}.InstallPlan()
			var incomplete app.LockIncompleteError
			if got := errors.As(err, &incomplete); got != tt.wantErr || (got && (incomplete.Missing[0].Name != "blinker" || incomplete.RefreshCommand != "uv lock")) {
				t.Errorf("err = %v, want a LockIncompleteError naming blinker: %t", err, tt.wantErr)
			}
			if !strings.Contains(out.String(), tt.wantLog) || len(runs.calls) != 2 || runs.calls[1][2] != "check" {
				t.Errorf("pip runs %q, log:\n%s", runs.calls, out.String())
			}
		})
	}
}
