package app

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/warpdrive-buildpack/warpdrive/pep508"
)

// Minimal inputs of each kind, valid enough for their readers.
var dependencyFixtures = map[string]string{
	"requirements.txt": "flask\n",
	"other.txt":        "gunicorn\n",
	"uv.lock": `version = 1
requires-python = ">=3.11"

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [{ name = "flask" }, { name = "gunicorn" }]

[package.metadata]
requires-dist = [{ name = "flask", specifier = ">=3" }, { name = "gunicorn" }]

[[package]]
name = "flask"
version = "3.1.0"
source = { registry = "https://pypi.org/simple" }
wheels = [{ url = "https://files.pythonhosted.org/flask-3.1.0-py3-none-any.whl", hash = "sha256:aa" }]

[[package]]
name = "gunicorn"
version = "23.0.0"
source = { registry = "https://pypi.org/simple" }
wheels = [{ url = "https://files.pythonhosted.org/gunicorn-23.0.0-py3-none-any.whl", hash = "sha256:bb" }]
`,
	"Pipfile.lock": `{"_meta": {"pipfile-spec": 6, "sources": [{"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": true}]},
 "default": {"flask": {"hashes": ["sha256:aa"], "index": "pypi", "version": "==3.1.0"}}, "develop": {}}`,
	"Pipfile":               "[packages]\nflask = \"*\"\n",
	"setup.py":              "from setuptools import setup\nsetup(name='app')\n",
	"pyproject.package":     "[build-system]\nrequires = [\"flit_core\"]\nbuild-backend = \"flit_core.buildapi\"\n\n[project]\nname = \"app\"\nversion = \"1\"\ndependencies = [\"flask>=3\"]\n",
	"pyproject.declared":    "[project]\nname = \"app\"\nversion = \"1\"\ndependencies = [\"flask>=3\", \"gunicorn\"]\n",
	"pyproject.poetry-apps": "[build-system]\nrequires = [\"poetry-core\"]\nbuild-backend = \"poetry.core.masonry.api\"\n\n[tool.poetry]\nname = \"app\"\npackage-mode = false\n\n[tool.poetry.dependencies]\npython = \"^3.11\"\nflask = \"^3.0\"\n",
	"pyproject.tools-only":  "[tool.black]\nline-length = 100\n",
}

func TestChooseDependencies(t *testing.T) {
	defaults := Config{PipPackages: []string{"requirements.txt"}}
	tests := []struct {
		name        string
		files       []string // keys of dependencyFixtures; pyproject.X is written as pyproject.toml
		config      Config
		wantSource  DependencySource
		wantFile    string
		wantIgnored []string
	}{
		{"nothing", nil, defaults, FromNothing, "", nil},
		{"requirements.txt", []string{"requirements.txt"}, defaults, FromRequirements, "requirements.txt", nil},
		{"a lock wins over requirements.txt", []string{"requirements.txt", "uv.lock", "pyproject.declared"}, defaults, FromLock, "uv.lock", []string{"requirements.txt"}},
		{"uv.lock wins over Pipfile.lock", []string{"uv.lock", "Pipfile.lock", "Pipfile"}, defaults, FromLock, "uv.lock", []string{"Pipfile.lock", "Pipfile"}},
		{"Pipfile.lock with its Pipfile", []string{"Pipfile.lock", "Pipfile"}, defaults, FromLock, "Pipfile.lock", nil},
		{"WARPDRIVE_PIP_PACKAGES forces requirements files", []string{"other.txt", "uv.lock"},
			Config{PipPackages: []string{"other.txt"}, PipPackagesExplicit: true}, FromRequirements, "other.txt", []string{"uv.lock"}},
		{"requirements.txt wins over pyproject.toml", []string{"requirements.txt", "pyproject.package"}, defaults, FromRequirements, "requirements.txt", []string{"pyproject.toml"}},
		{"a package pyproject.toml", []string{"pyproject.package"}, defaults, FromProject, "pyproject.toml", nil},
		{"a pyproject.toml without a build system", []string{"pyproject.declared"}, defaults, FromDeclared, "pyproject.toml", nil},
		{"Poetry package-mode = false", []string{"pyproject.poetry-apps"}, defaults, FromDeclared, "pyproject.toml", nil},
		{"setup.py", []string{"setup.py"}, defaults, FromProject, "setup.py", nil},
		{"a tools-only pyproject.toml beside setup.py", []string{"setup.py", "pyproject.tools-only"}, defaults, FromProject, "setup.py", nil},
		{"a tools-only pyproject.toml is no input", []string{"pyproject.tools-only"}, defaults, FromNothing, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			for _, f := range tt.files {
				name := f
				if strings.HasPrefix(f, "pyproject.") {
					name = "pyproject.toml"
				}
				if err := os.WriteFile(filepath.Join(home, name), []byte(dependencyFixtures[f]), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			c := tt.config
			c.Source = Source{Root: home, Home: home}
			plan, err := ChooseDependencies(c, pep508.Target("3.13.5", "amd64"))
			if err != nil {
				t.Fatal(err)
			}
			if plan.Source != tt.wantSource || plan.File != tt.wantFile || !reflect.DeepEqual(plan.Ignored, tt.wantIgnored) {
				t.Errorf("plan = %s %q ignoring %q; want %s %q ignoring %q", plan.Source, plan.File, plan.Ignored, tt.wantSource, tt.wantFile, tt.wantIgnored)
			}
		})
	}
}

func TestChooseDependenciesPipfileWithoutLock(t *testing.T) {
	home := t.TempDir()
	os.WriteFile(filepath.Join(home, "Pipfile"), []byte(dependencyFixtures["Pipfile"]), 0o644)
	_, err := ChooseDependencies(Config{Source: Source{Root: home, Home: home}, PipPackages: []string{"requirements.txt"}}, pep508.Target("3.13.5", "amd64"))
	if !errors.As(err, new(PipfileWithoutLockError)) {
		t.Errorf("error = %v, want PipfileWithoutLockError", err)
	}
}

func TestDependencyPlanDeclares(t *testing.T) {
	lock := DependencyPlan{Source: FromLock, Lock: Lock{Pins: []Pin{{Name: "Gunicorn", Version: "23.0.0"}}}}
	declared := DependencyPlan{Source: FromDeclared, Project: Pyproject{Dependencies: []string{"flask (>=3)", "gunicorn[gevent]>=23; python_version >= '3.9'"}}}
	for _, tt := range []struct {
		plan DependencyPlan
		name string
		want bool
	}{
		{lock, "gunicorn", true},
		{lock, "waitress", false},
		{declared, "gunicorn", true},
		{declared, "Flask", true},
		{declared, "whitenoise", false},
	} {
		if got := tt.plan.Declares("", nil, tt.name); got != tt.want {
			t.Errorf("%s plan declares %s = %v, want %v", tt.plan.Source, tt.name, got, tt.want)
		}
	}
}

// A lock made from pyproject.toml answers with what the project declares:
// fastapi[standard] pins uvicorn, but the app chose hypercorn. A lock with
// no declared dependencies (Pipfile.lock) answers with its pins.
func TestDependencyPlanDependsDirectlyOn(t *testing.T) {
	pins := Lock{Pins: []Pin{{Name: "fastapi", Version: "0.115.0"}, {Name: "Hypercorn", Version: "0.17.3"}, {Name: "uvicorn", Version: "0.32.0"}}}
	project := Pyproject{Exists: true, Dependencies: []string{"fastapi[standard]>=0.115", "hypercorn"}}
	uv := DependencyPlan{Source: FromLock, File: "uv.lock", Lock: pins, Project: project}
	pipenv := DependencyPlan{Source: FromLock, File: "Pipfile.lock", Lock: pins, Project: project}
	virtualRoot := DependencyPlan{Source: FromLock, File: "uv.lock", Lock: pins}
	declared := DependencyPlan{Source: FromDeclared, Project: Pyproject{Dependencies: []string{"uWSGI>=2"}}}
	for _, tt := range []struct {
		what string
		plan DependencyPlan
		name string
		want bool
	}{
		{"uv.lock: a declared dependency", uv, "hypercorn", true},
		{"uv.lock: a pin only another package brings", uv, "uvicorn", false},
		{"Pipfile.lock: its pins", pipenv, "uvicorn", true},
		{"a lock without declared dependencies: its pins", virtualRoot, "uvicorn", true},
		{"a declared dependency, the name normalized", declared, "uwsgi", true},
		{"not declared", declared, "gunicorn", false},
	} {
		if got := tt.plan.DependsDirectlyOn("", nil, tt.name); got != tt.want {
			t.Errorf("%s: depends directly on %s = %v, want %v", tt.what, tt.name, got, tt.want)
		}
	}
}
