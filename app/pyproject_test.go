package app

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/warpdrive-buildpack/warpdrive/pep508"
)

func TestPoetryConstraintToPEP440(t *testing.T) {
	tests := []struct{ poetry, want string }{
		{"^1.2.3", ">=1.2.3,<2.0.0"},
		{"^1.2", ">=1.2,<2.0"},
		{"^0.2.3", ">=0.2.3,<0.3.0"},
		{"^0.0.3", ">=0.0.3,<0.0.4"},
		{"^0.0", ">=0.0,<0.1"},
		{"^0", ">=0,<1"},
		{"^2.0b1", ">=2.0b1,<3.0"},
		{"~1.2.3", ">=1.2.3,<1.3.0"},
		{"~1.2", ">=1.2,<1.3"},
		{"~1", ">=1,<2"},
		{"~=1.2", "~=1.2"},
		{">=1,<2", ">=1,<2"},
		{">= 1.0 < 2.0", ">=1.0,<2.0"},
		{">=2.7, !=3.0.*, !=3.1.*", ">=2.7,!=3.0.*,!=3.1.*"},
		{"1.2.*", "==1.2.*"},
		{"1.2.x", "==1.2.*"},
		{"!=1.5", "!=1.5"},
		{"1.2.3", "==1.2.3"},
		{"==1.2.3", "==1.2.3"},
		{"*", ""},
		{"", ""},
		// PEP 440 has no "or": alternatives that meet merge, a version they
		// both leave out becomes "!=", and a gap is covered.
		{"^1.0 || ^2.0", ">=1.0,<3.0"},
		{">=1.7.4,<1.8 || >1.8,<1.8.1 || >1.8.1,<2.0.0", ">=1.7.4,!=1.8,!=1.8.1,<2.0.0"},
		{"1.2.3 || 1.2.5", ">=1.2.3,<=1.2.5"},
		{"1.2.* | 1.4.*", ">=1.2,<1.5"},
		{"<1.0 || >=2.0", ""},
		{"^1.0 || *", ""},
	}
	for _, tt := range tests {
		t.Run(tt.poetry, func(t *testing.T) {
			got, err := poetryConstraintToPEP440(tt.poetry)
			if err != nil || got != tt.want {
				t.Errorf("poetryConstraintToPEP440(%q) = %q, %v; want %q", tt.poetry, got, err, tt.want)
			}
		})
	}
}

func TestPoetryConstraintToPEP440Errors(t *testing.T) {
	for _, poetry := range []string{"^", ">=banana", "~=1", ">=1.2.*", "^1.2 || =="} {
		t.Run(poetry, func(t *testing.T) {
			if got, err := poetryConstraintToPEP440(poetry); err == nil {
				t.Errorf("poetryConstraintToPEP440(%q) = %q, want an error", poetry, got)
			}
		})
	}
}

func TestPoetryPythonMarker(t *testing.T) {
	tests := []struct{ python, want string }{
		{"^3.8", `python_version >= "3.8" and python_version < "4.0"`},
		{">=3.8.1,<3.12", `python_full_version >= "3.8.1" and python_version < "3.12"`},
		{"~2.7 || ^3.6", `(python_version >= "2.7" and python_version < "2.8") or (python_version >= "3.6" and python_version < "4.0")`},
		{"<3.9", `python_version < "3.9"`},
		{"3.8.*", `python_full_version == "3.8.*"`},
		{"~=3.9", `python_version >= "3.9" and python_version < "4"`},
		{"*", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.python, func(t *testing.T) {
			got, err := poetryPythonMarker(tt.python)
			if err != nil || got != tt.want {
				t.Fatalf("poetryPythonMarker(%q) = %q, %v; want %q", tt.python, got, err, tt.want)
			}
			if _, err := pep508.ParseMarker(got); err != nil {
				t.Errorf("the marker does not parse: %v", err)
			}
		})
	}
}

func TestReadPyproject(t *testing.T) {
	tests := []struct {
		name      string
		pyproject string // "" for no file
		// want's Dependencies may hold ${HOME}, the application directory.
		want      Pyproject
		isPackage bool
	}{
		{"no pyproject.toml", "", Pyproject{}, false},
		{"a PEP 621 project keeps its dependencies as written",
			"[project]\nname = \"shop\"\ndependencies = [\"flask (>=3.0,<4.0)\", \"tomli>=2 ; python_version < '3.11'\"]\n\n" +
				"[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n",
			Pyproject{Exists: true, Name: "shop", BuildBackend: "hatchling.build", HasBuildSystem: true, PoetryPackageMode: true,
				Dependencies: []string{"flask (>=3.0,<4.0)", "tomli>=2 ; python_version < '3.11'"}},
			true},
		{"[project] dependencies win over [tool.poetry.dependencies], which only enrich them",
			"[project]\nname = \"ledger\"\ndependencies = [\"shared-utils\"]\n\n[tool.poetry.dependencies]\nshared-utils = {path = \"libs/shared-utils\", develop = true}\n",
			Pyproject{Exists: true, Name: "ledger", IsPoetry: true, PoetryPackageMode: true, Dependencies: []string{"shared-utils"}},
			false},
		{"an empty [project] dependencies is still the list",
			"[project]\nname = \"tool\"\ndependencies = []\n\n[tool.poetry.dependencies]\nflask = \"^3.0\"\n",
			Pyproject{Exists: true, Name: "tool", IsPoetry: true, PoetryPackageMode: true, Dependencies: []string{}},
			false},
		{"Poetry dependencies are converted, python and optional ones left out", `[tool.poetry]
name = "orders"

[tool.poetry.dependencies]
python = "^3.10"
Flask = "^3.0"
requests = {version = "~2.31", extras = ["socks", "use-chardet-on-py3"]}
gunicorn = {version = "^22.0", optional = true}
pywin32 = {version = ">=306", platform = "win32"}
tomli = {version = "^2.0.1", python = "<3.11"}
uvloop = {version = "*", markers = "platform_python_implementation == 'CPython'", python = ">=3.8"}
internal-utils = {git = "https://github.com/acme/internal-utils.git", branch = "main", subdirectory = "python"}
private-sdk = {git = "git@github.com:acme/private-sdk.git", rev = "9c1f6b2"}
mylib = {path = "libs/mylib", develop = true}
legacy-sdk = {url = "https://downloads.acme.example/legacy_sdk-0.9.0-py3-none-any.whl"}
numpy = [
    {version = "<1.25", python = "<3.9"},
    {version = "^1.26", python = ">=3.9"},
]

[build-system]
requires = ["poetry-core"]
build-backend = "poetry.core.masonry.api"
`,
			Pyproject{Exists: true, Name: "orders", BuildBackend: "poetry.core.masonry.api", HasBuildSystem: true, IsPoetry: true, PoetryPackageMode: true,
				Dependencies: []string{
					"Flask>=3.0,<4.0",
					"internal-utils @ git+https://github.com/acme/internal-utils.git@main#subdirectory=python",
					"legacy-sdk @ https://downloads.acme.example/legacy_sdk-0.9.0-py3-none-any.whl",
					"mylib @ file://${HOME}/libs/mylib",
					`numpy<1.25; python_version < "3.9"`,
					`numpy>=1.26,<2.0; python_version >= "3.9"`,
					"private-sdk @ git+ssh://git@github.com/acme/private-sdk.git@9c1f6b2",
					`pywin32>=306; sys_platform == "win32"`,
					"requests[socks,use-chardet-on-py3]>=2.31,<2.32",
					`tomli>=2.0.1,<3.0.0; python_version < "3.11"`,
					`uvloop; (platform_python_implementation == 'CPython') and (python_version >= "3.8")`,
				}},
			true},
		{"package-mode = false: Poetry only manages dependencies",
			"[tool.poetry]\nname = \"pages\"\npackage-mode = false\n\n[tool.poetry.dependencies]\npython = \"^3.11\"\nflask = \"3.0.3\"\n\n[build-system]\nrequires = [\"poetry-core\"]\nbuild-backend = \"poetry.core.masonry.api\"\n",
			Pyproject{Exists: true, Name: "pages", BuildBackend: "poetry.core.masonry.api", HasBuildSystem: true, IsPoetry: true, PoetryPackageMode: false,
				Dependencies: []string{"flask==3.0.3"}},
			false},
		{"a pyproject.toml that only configures tools",
			"[tool.black]\nline-length = 100\n",
			Pyproject{Exists: true, PoetryPackageMode: true},
			false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{}
			if tt.pyproject != "" {
				files["pyproject.toml"] = tt.pyproject
			}
			home := writeTree(t, files)
			got, err := ReadPyproject(home)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			for i, d := range want.Dependencies {
				want.Dependencies[i] = strings.ReplaceAll(d, "${HOME}", filepath.ToSlash(home))
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %#v\nwant %#v", got, want)
			}
			if got.IsPackage() != tt.isPackage {
				t.Errorf("IsPackage() = %v, want %v", got.IsPackage(), tt.isPackage)
			}
		})
	}
}

// TestReadPyprojectDependenciesParse: whatever the conversion writes is a
// PEP 508 line the lock readers can parse back.
func TestReadPyprojectDependenciesParse(t *testing.T) {
	for _, fixture := range []string{"poetry-1.1", "poetry-2.0", "poetry-2.1", "poetry-package-mode-false"} {
		p, err := ReadPyproject(filepath.Join("testdata", "locks", fixture))
		if err != nil {
			t.Fatalf("%s: %v", fixture, err)
		}
		if len(p.Dependencies) == 0 {
			t.Errorf("%s: no dependencies read", fixture)
		}
		for _, line := range p.Dependencies {
			if _, err := pep508.ParseRequirement(line); err != nil {
				t.Errorf("%s: %q: %v", fixture, line, err)
			}
		}
	}
}

func TestReadPyprojectErrors(t *testing.T) {
	tests := []struct {
		name      string
		pyproject string
		check     func(*testing.T, error)
	}{
		{"not TOML", "[project\nname = \"x\"\n", func(t *testing.T, err error) {
			var syntax TOMLSyntaxError
			if !errors.As(err, &syntax) || syntax.Path != "pyproject.toml" || syntax.Line != 1 {
				t.Errorf("got %v, want a TOMLSyntaxError on line 1 of pyproject.toml", err)
			}
		}},
		{"a name that is not a string", "[project]\nname = 3\n", wantPyprojectKey("project.name")},
		{"a Poetry constraint that does not parse", "[tool.poetry.dependencies]\nflask = \">=banana\"\n", wantPyprojectKey("tool.poetry.dependencies.flask")},
		{"package-mode that is not a boolean", "[tool.poetry]\npackage-mode = \"false\"\n", wantPyprojectKey("tool.poetry.package-mode")},
		{"dependencies that are not strings", "[project]\ndependencies = [\"flask\", 3]\n", wantPyprojectKey("project.dependencies")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadPyproject(writeTree(t, map[string]string{"pyproject.toml": tt.pyproject}))
			tt.check(t, err)
		})
	}
}

func wantPyprojectKey(key string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var pe PyprojectError
		if !errors.As(err, &pe) || pe.Key != key {
			t.Errorf("got %v, want a PyprojectError for %s", err, key)
		}
	}
}
