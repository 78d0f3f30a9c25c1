package pip

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/internal/command"
)

func TestPlanSteps(t *testing.T) {
	index := "http://127.0.0.1:7399/simple"
	flask := app.Pin{Name: "flask", Version: "3.1.0", Hashes: []string{"sha256:aa", "sha256:bb"}, Source: app.SourceIndex, Ref: index + "/"}
	jinja := app.Pin{Name: "Jinja2", Version: "3.1.6", Hashes: []string{"sha256:cc"}, Source: app.SourceIndex, Ref: index}
	unhashed := app.Pin{Name: "itsdangerous", Version: "2.2.0", Source: app.SourceIndex}
	local := app.Pin{Name: "mylib", Version: "0.1", Source: app.SourcePath, Ref: "libs/mylib"}
	git := app.Pin{Name: "tool", Version: "1.0", Source: app.SourceGit, Ref: "https://example.com/tool.git@0123abc"}
	wheel := app.Pin{Name: "wheelie", Version: "1.0", Hashes: []string{"sha256:dd"}, Source: app.SourceURL, Ref: "https://example.com/wheelie-1.0-py3-none-any.whl"}
	pypi := app.Pin{Name: "flask", Version: "3.1.0", Hashes: []string{"sha256:aa"}, Source: app.SourceIndex, Ref: "https://pypi.org/simple"}
	// Poetry's shapes: no [package.source] for PyPI, a legacy source's URL
	// as written in pyproject.toml.
	acme := app.Pin{Name: "acme-auth", Version: "2.1.3", Hashes: []string{"sha256:ee"}, Source: app.SourceIndex, Ref: "https://pypi.acme.example/simple/"}
	poetryFlask := app.Pin{Name: "flask", Version: "3.1.0", Hashes: []string{"sha256:aa"}, Source: app.SourceIndex}
	poetryJinja := app.Pin{Name: "Jinja2", Version: "3.1.6", Hashes: []string{"sha256:cc"}, Source: app.SourceIndex}
	subdirectory := app.Pin{Name: "monorepo-lib", Version: "2.0", Source: app.SourceGit, Ref: "https://github.com/acme/monorepo.git@0123abc#subdirectory=libs/py"}
	develop := app.Pin{Name: "shared-utils", Version: "0.2.0", Source: app.SourcePath, Ref: "libs/shared-utils", Editable: true}
	spaced := app.Pin{Name: "my-lib", Version: "0.1", Source: app.SourcePath, Ref: "libs/my lib"}

	tests := []struct {
		name        string
		plan        app.DependencyPlan
		extra       []string
		indexURLSet bool
		want        []Step
	}{
		{"hashed pins from the lock's index, no resolver",
			app.DependencyPlan{Source: app.FromLock, File: "uv.lock", Lock: app.Lock{File: "uv.lock", Pins: []app.Pin{flask, jinja}}}, nil, false,
			[]Step{{What: "2 pins of uv.lock, hashes required", Args: []string{"--require-hashes", "--no-deps", "--index-url", index},
				Requirements: "flask==3.1.0 --hash=sha256:aa --hash=sha256:bb\nJinja2==3.1.6 --hash=sha256:cc\n"}}},
		{"PIP_INDEX_URL overrides the lock's index",
			app.DependencyPlan{Source: app.FromLock, Lock: app.Lock{File: "poetry.lock", Pins: []app.Pin{flask}}}, nil, true,
			[]Step{{What: "1 pins of poetry.lock, hashes required", Args: []string{"--require-hashes", "--no-deps"},
				Requirements: "flask==3.1.0 --hash=sha256:aa --hash=sha256:bb\n"}}},
		{"PyPI needs no --index-url",
			app.DependencyPlan{Source: app.FromLock, Lock: app.Lock{File: "uv.lock", Pins: []app.Pin{pypi}}}, nil, false,
			[]Step{{What: "1 pins of uv.lock, hashes required", Args: []string{"--require-hashes", "--no-deps"},
				Requirements: "flask==3.1.0 --hash=sha256:aa\n"}}},
		{"pins without hashes, paths and git apart; the project; then the server with the resolver",
			app.DependencyPlan{Source: app.FromLock, Lock: app.Lock{File: "uv.lock", InstallsProject: true, Pins: []app.Pin{wheel, unhashed, local, git}}}, []string{"gunicorn"}, false,
			[]Step{
				{What: "1 pins of uv.lock, hashes required", Args: []string{"--require-hashes", "--no-deps"},
					Requirements: "wheelie @ https://example.com/wheelie-1.0-py3-none-any.whl --hash=sha256:dd\n"},
				{What: "3 pins of uv.lock without hashes", Args: []string{"--no-deps"},
					Requirements: "itsdangerous==2.2.0\nmylib @ file:///workspace/libs/mylib\ntool @ git+https://example.com/tool.git@0123abc\n"},
				{What: "the project itself", Args: []string{"--no-deps", "."}},
				{What: "the server", Args: []string{"gunicorn"}},
			}},
		{"Poetry's project is installed only if it builds, as Poetry 1.x does",
			app.DependencyPlan{Source: app.FromLock, Lock: app.Lock{File: "poetry.lock", Tool: "Poetry", InstallsProject: true}}, nil, false,
			[]Step{{What: "the project itself", Args: []string{"--no-deps", "."}, Optional: true}}},
		{"Poetry with a supplemental source: PyPI's pins from pip's default index, the source's from its URL only",
			app.DependencyPlan{Source: app.FromLock, Lock: app.Lock{File: "poetry.lock", Tool: "Poetry", Pins: []app.Pin{acme, poetryFlask, poetryJinja}}}, nil, false,
			[]Step{
				{What: "1 pins of poetry.lock, hashes required", Args: []string{"--require-hashes", "--no-deps", "--index-url", "https://pypi.acme.example/simple"},
					Requirements: "acme-auth==2.1.3 --hash=sha256:ee\n"},
				{What: "2 pins of poetry.lock, hashes required", Args: []string{"--require-hashes", "--no-deps"},
					Requirements: "flask==3.1.0 --hash=sha256:aa\nJinja2==3.1.6 --hash=sha256:cc\n"},
			}},
		{"Poetry with a supplemental source and PIP_INDEX_URL: one index for all, as documented",
			app.DependencyPlan{Source: app.FromLock, Lock: app.Lock{File: "poetry.lock", Tool: "Poetry", Pins: []app.Pin{acme, poetryFlask}}}, nil, true,
			[]Step{{What: "2 pins of poetry.lock, hashes required", Args: []string{"--require-hashes", "--no-deps"},
				Requirements: "acme-auth==2.1.3 --hash=sha256:ee\nflask==3.1.0 --hash=sha256:aa\n"}}},
		{"Poetry with only a primary private source: its URL is the only index, for the build dependencies of git and paths too",
			app.DependencyPlan{Source: app.FromLock, Lock: app.Lock{File: "poetry.lock", Tool: "Poetry", Pins: []app.Pin{acme, subdirectory}}}, nil, false,
			[]Step{
				{What: "1 pins of poetry.lock, hashes required", Args: []string{"--require-hashes", "--no-deps", "--index-url", "https://pypi.acme.example/simple"},
					Requirements: "acme-auth==2.1.3 --hash=sha256:ee\n"},
				{What: "1 pins of poetry.lock without hashes", Args: []string{"--no-deps", "--index-url", "https://pypi.acme.example/simple"},
					Requirements: "monorepo-lib @ git+https://github.com/acme/monorepo.git@0123abc#subdirectory=libs/py\n"},
			}},
		{"Poetry's git subdirectory, develop = true as pip install -e, a path with a space; build dependencies from PyPI and the source",
			app.DependencyPlan{Source: app.FromLock, Lock: app.Lock{File: "poetry.lock", Tool: "Poetry", Pins: []app.Pin{acme, poetryFlask, subdirectory, develop, spaced}}}, nil, false,
			[]Step{
				{What: "1 pins of poetry.lock, hashes required", Args: []string{"--require-hashes", "--no-deps", "--index-url", "https://pypi.acme.example/simple"},
					Requirements: "acme-auth==2.1.3 --hash=sha256:ee\n"},
				{What: "1 pins of poetry.lock, hashes required", Args: []string{"--require-hashes", "--no-deps"},
					Requirements: "flask==3.1.0 --hash=sha256:aa\n"},
				{What: "3 pins of poetry.lock without hashes", Args: []string{"--no-deps", "--extra-index-url", "https://pypi.acme.example/simple"},
					Requirements: "monorepo-lib @ git+https://github.com/acme/monorepo.git@0123abc#subdirectory=libs/py\n" +
						"-e file:///workspace/libs/shared-utils\nmy-lib @ file:///workspace/libs/my%20lib\n"},
			}},
		{"a package project: pip install . with the server",
			app.DependencyPlan{Source: app.FromProject, File: "pyproject.toml"}, []string{"gunicorn"}, false,
			[]Step{{What: "the project and its dependencies", Args: []string{".", "gunicorn"}}}},
		{"declared dependencies only",
			app.DependencyPlan{Source: app.FromDeclared, Declared: []string{"flask (>=3)", "colorama; sys_platform == 'win32'"}}, nil, false,
			[]Step{{What: "pyproject.toml's dependencies", Requirements: "flask (>=3)\ncolorama; sys_platform == 'win32'\n"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Steps(tt.plan, "/workspace", tt.extra, tt.indexURLSet)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("steps:\n got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

// pip 24/25's report when a downloaded file does not have a hash the
// requirements list.
const pipHashReport = `Collecting flask==3.1.0 (from -r /tmp/warpdrive-pip-1/step-1.txt (line 3))
  Downloading http://127.0.0.1:7399/packages/k/flask-3.1.0-py3-none-any.whl (103 kB)
ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE. If you have updated the package versions, please update the hashes. Otherwise, examine the package contents carefully; someone may have tampered with them.
    flask==3.1.0 from http://127.0.0.1:7399/packages/k/flask-3.1.0-py3-none-any.whl#sha256=ab12 (from -r /tmp/warpdrive-pip-1/step-1.txt (line 3)):
        Expected sha256 0000
        Expected     or 1111
             Got        ab12
`

// pip's report as its HashMismatch._hash_comparison writes it: a second
// hash of the same kind is "Expected     or <hex>".

func TestHashMismatch(t *testing.T) {
	got, ok := hashMismatch(pipHashReport)
	want := LockHashError{Package: "flask==3.1.0", Expected: []string{"sha256:0000", "sha256:1111"}, Got: "sha256:ab12"}
	if !ok || !reflect.DeepEqual(got, want) {
		t.Errorf("hashMismatch = %#v, %v; want %#v", got, ok, want)
	}
	if _, ok := hashMismatch("ERROR: No matching distribution found for flask==9"); ok {
		t.Error("a pip failure without a hash report was read as a hash mismatch")
	}
}

func TestExplainPlan(t *testing.T) {
	lock := Installer{Plan: app.DependencyPlan{Source: app.FromLock, File: "uv.lock"}, PythonVersion: "3.13.5"}
	project := Installer{Plan: app.DependencyPlan{Source: app.FromProject, File: "pyproject.toml", Project: app.Pyproject{BuildBackend: "nosuch.api"}}}
	tests := []struct {
		name string
		p    Installer
		step Step
		out  string
		want string
	}{
		{"hash mismatch", lock, Step{}, pipHashReport, "uv.lock: the downloaded flask==3.1.0 does not match the lock's hash"},
		{"pinned version missing", lock, Step{},
			"ERROR: Could not find a version that satisfies the requirement flask==9.0 (from versions: 3.1.0, 3.1.1)\nERROR: No matching distribution found for flask==9.0\n",
			"uv.lock pins flask 9.0, which the package index does not have (it has: 3.1.0, 3.1.1)"},
		{"pinned version skipped for its Requires-Python", lock, Step{},
			"ERROR: Ignored the following versions that require a different python version: 0.9 Requires-Python >=3.6; 9.0 Requires-Python >=3.14\n" +
				"ERROR: Could not find a version that satisfies the requirement flask==9.0 (from versions: none)\nERROR: No matching distribution found for flask==9.0\n",
			"uv.lock pins flask 9.0, which requires Python >=3.14; the build uses Python 3.13.5, so pip skipped it"},
		{"backend not installable", project, Step{Args: []string{"."}},
			"  error: subprocess-exited-with-error\n  × pip subprocess to install build dependencies did not run successfully.\nERROR: Could not find a version that satisfies the requirement nosuch\n" +
				"error: subprocess-exited-with-error\n\n× pip subprocess to install build dependencies did not run successfully.\n│ exit code: 1\n╰─> See above for output.\n" +
				"note: This error originates from a subprocess, and is likely not a problem with pip.\nERROR: installing build dependencies failed\n",
			"the build backend nosuch.api could not be installed"},
		{"anything else is pip's own error", lock, Step{}, "ERROR: something else\n", "pip install failed: ERROR: something else"},
		{"the lock's project fails to build", Installer{Plan: app.DependencyPlan{Source: app.FromLock, File: "poetry.lock", Project: app.Pyproject{BuildBackend: "poetry.core.masonry.api"}}},
			Step{Args: []string{"--no-deps", "."}}, "ValueError: No file/folder found for package app\nERROR: Failed to build installable wheels for some pyproject.toml based projects (app)\n",
			"pip could not build the application as a package with poetry.core.masonry.api"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := &command.Output{}
			out.Write([]byte(tt.out))
			err := tt.p.explainPlan(tt.step, out, nil)
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestPipInstallErrorNotesVersionsForAnotherPython: pip's output as it was
// for FastAPI on CPython 3.13 against an index whose only pydantic requires
// Python < 3.12.4; the error carries the interpreter for the message's fix.
func TestPipInstallErrorNotesVersionsForAnotherPython(t *testing.T) {
	const skipped = "ERROR: Ignored the following versions that require a different python version: 1.10.4 Requires-Python >=3.7, <3.12.4\n" +
		"ERROR: Could not find a version that satisfies the requirement pydantic<3.0.0,>=1.7.4 (from fastapi) (from versions: none)\n" +
		"ERROR: No matching distribution found for pydantic<3.0.0,>=1.7.4\n"
	tests := []struct {
		name, out   string
		wantSkipped bool
	}{
		{"versions for another python", skipped, true},
		{"no such package", "ERROR: Could not find a version that satisfies the requirement nosuch (from versions: none)\n", false},
	}
	p := Installer{PythonVersion: "3.13.5", Plan: app.DependencyPlan{Source: app.FromRequirements},
		Files: []app.RequirementFile{{Path: "requirements.txt"}}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := &command.Output{}
			out.WriteString(tt.out)
			var e InstallError
			if !errors.As(p.explain(out, nil), &e) {
				t.Fatalf("explain did not return a InstallError")
			}
			if e.SkippedForPython != tt.wantSkipped || e.Python != "3.13.5" {
				t.Errorf("SkippedForPython = %v, Python = %q; want %v, 3.13.5", e.SkippedForPython, e.Python, tt.wantSkipped)
			}
			if len(e.Files) != 1 || e.Files[0].Path != "requirements.txt" {
				t.Errorf("Files = %v, want requirements.txt", e.Files)
			}
		})
	}
}
