package detect

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		pass  bool
	}{
		{"requirements.txt", []string{"requirements.txt"}, true},
		{"wsgi.py", []string{"wsgi.py"}, true},
		{"app.py", []string{"app.py"}, true},
		{"a Go app", []string{"main.go", "go.mod"}, false},
		{"main.py", []string{"main.py"}, true},
		{"pyproject.toml", []string{"pyproject.toml"}, true},
		{"Pipfile", []string{"Pipfile"}, true},
		{"uv.lock", []string{"uv.lock"}, true},
		{"poetry.lock", []string{"poetry.lock"}, true},
		{"setup.py", []string{"setup.py"}, true},
		{"Procfile with Python files", []string{"Procfile", "server.py"}, true},
		{"Procfile alone (a Node.js app's, say)", []string{"Procfile", "package.json"}, false},
		{"a Node.js app with a Python helper script", []string{"package.json", "build.py"}, false},
		{"empty", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tt.files {
				os.WriteFile(filepath.Join(dir, f), nil, 0o644)
			}
			t.Setenv("BP_LOG_LEVEL", "DEBUG")
			var buf bytes.Buffer
			result, err := Detector{Logger: log.NewPaketoLogger(&buf)}.Detect(libcnb.DetectContext{ApplicationPath: dir})
			if err != nil {
				t.Fatal(err)
			}
			if result.Pass != tt.pass {
				t.Errorf("Pass = %v, want %v", result.Pass, tt.pass)
			}
			if !tt.pass && !strings.Contains(buf.String(), "looked for .warpdrive, app.sh, app.py, manage.py, wsgi.py, wsgi/__init__.py, main.py, app/main.py, Procfile, requirements.txt") {
				t.Errorf("a failing detect must say, at debug level, what it looked for; log:\n%s", buf.String())
			}
			if tt.pass && (len(result.Plans) != 1 || names(result.Plans[0].Provides) != "cpython site-packages" ||
				names(result.Plans[0].Requires) != "cpython site-packages") {
				t.Errorf("plans = %+v, want one providing and requiring cpython and site-packages", result.Plans)
			}
		})
	}
}

// With a package.json, the first alternative also requires Node.js at build
// time (taken when a Node.js buildpack is in the group), the second does not.
func TestDetectAsksForNodeWithPackageJSON(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"requirements.txt", "package.json"} {
		os.WriteFile(filepath.Join(dir, f), []byte("{}"), 0o644)
	}
	result, err := Detector{Logger: log.NewPaketoLogger(&bytes.Buffer{})}.Detect(libcnb.DetectContext{ApplicationPath: dir})
	if err != nil || !result.Pass || len(result.Plans) != 2 {
		t.Fatalf("result = %+v, %v; want two plans", result, err)
	}
	if got := names(result.Plans[0].Requires); got != "cpython site-packages node" {
		t.Errorf("first plan requires %s", got)
	}
	if got := names(result.Plans[1].Requires); got != "cpython site-packages" {
		t.Errorf("second plan requires %s", got)
	}
}

// warpdrive requires what it provides (the lifecycle needs a requirer) for
// launch only, in every alternative: a requirement with build = true in the
// plan the build reads is then a later buildpack's, and only that makes the
// python and venv layers build layers.
func TestDetectRequiresItsOwnEntriesForLaunchOnly(t *testing.T) {
	tests := []struct {
		name  string
		files []string
	}{
		{"requirements.txt", []string{"requirements.txt"}},
		{"with a package.json (two alternatives)", []string{"requirements.txt", "package.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tt.files {
				os.WriteFile(filepath.Join(dir, f), []byte("{}"), 0o644)
			}
			result, err := Detector{Logger: log.NewPaketoLogger(&bytes.Buffer{})}.Detect(libcnb.DetectContext{ApplicationPath: dir})
			if err != nil || !result.Pass {
				t.Fatalf("result = %+v, %v", result, err)
			}
			for _, plan := range result.Plans {
				for _, r := range plan.Requires {
					if r.Name != CPython && r.Name != SitePackages {
						continue
					}
					if r.Metadata["launch"] != true || r.Metadata["build"] != nil {
						t.Errorf("%s is required with %v, want launch = true and no build", r.Name, r.Metadata)
					}
				}
			}
		})
	}
}

func names[T libcnb.BuildPlanProvide | libcnb.BuildPlanRequire](entries []T) string {
	var out []string
	for _, e := range entries {
		switch v := any(e).(type) {
		case libcnb.BuildPlanProvide:
			out = append(out, v.Name)
		case libcnb.BuildPlanRequire:
			out = append(out, v.Name)
		}
	}
	return strings.Join(out, " ")
}

// Python files with no way to install or run them: an error, so the lifecycle
// prints the reason at its normal level.
func TestDetectExplainsPythonFilesItCannotRun(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "server.py"), []byte("app = None\n"), 0o644)
	_, err := Detector{Logger: log.NewPaketoLogger(&bytes.Buffer{})}.Detect(libcnb.DetectContext{ApplicationPath: dir})
	var ne NoApplicationError
	if !errors.As(err, &ne) || !strings.Contains(err.Error(), "looked for .warpdrive, app.sh") || !strings.Contains(err.Error(), "WARPDRIVE_WSGI_APPLICATION") {
		t.Errorf("err = %v, want a NoApplicationError saying what was looked for and how to fix it", err)
	}
}
