package build

import (
	"errors"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"

	"github.com/warpdrive-buildpack/warpdrive/app"
)

func TestCheckLaterVersions(t *testing.T) {
	available := []string{"3.11.2", "3.13.5"}
	req := app.VersionRequest{Version: "3.13", Source: app.SourceDefault}
	cpython := func(md map[string]interface{}) libcnb.BuildpackPlanEntry { return entry("cpython", md) }
	tests := []struct {
		name    string
		entries []libcnb.BuildpackPlanEntry
		fits    []string // nil: no error
		bad     bool     // the constraint does not parse
	}{
		{"no version asked", []libcnb.BuildpackPlanEntry{cpython(atBuild), cpython(launchOnly)}, nil, false},
		{"\"default\" asks for nothing", []libcnb.BuildpackPlanEntry{cpython(map[string]interface{}{"version": "default"})}, nil, false},
		{"the installed minor", []libcnb.BuildpackPlanEntry{cpython(map[string]interface{}{"version": "3.13.*", "build": true})}, nil, false},
		{"a range that holds it", []libcnb.BuildpackPlanEntry{cpython(map[string]interface{}{"version": ">=3.11, <3.14"})}, nil, false},
		{"another provided minor", []libcnb.BuildpackPlanEntry{cpython(map[string]interface{}{"version": "3.11.*"})}, []string{"3.11.2"}, false},
		{"a minor not provided", []libcnb.BuildpackPlanEntry{cpython(map[string]interface{}{"version": "3.8"})}, []string{}, false},
		{"site-packages has no version to check", []libcnb.BuildpackPlanEntry{entry("site-packages", map[string]interface{}{"version": "3.8"})}, nil, false},
		{"not a constraint", []libcnb.BuildpackPlanEntry{cpython(map[string]interface{}{"version": "python3"})}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkLaterVersions(libcnb.BuildpackPlan{Entries: tt.entries}, "3.13.5", req, available)
			var later LaterVersionError
			switch {
			case tt.fits == nil && !tt.bad:
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
			case !errors.As(err, &later):
				t.Fatalf("err = %v, want a LaterVersionError", err)
			case tt.bad != (later.Unreadable != nil):
				t.Errorf("Unreadable = %v, want it set: %v", later.Unreadable, tt.bad)
			case !tt.bad && strings.Join(later.Fits, " ") != strings.Join(tt.fits, " "):
				t.Errorf("Fits = %v, want %v", later.Fits, tt.fits)
			}
		})
	}
}
