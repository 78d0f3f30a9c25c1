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

// shopPyproject is the pyproject.toml testdata/locks/uv-project.lock was
// locked from.
const shopPyproject = `[project]
name = "shop"
version = "0.1.0"
requires-python = ">=3.9"
dependencies = [
    "click>=8.1",
    "itsdangerous",
    "numpy>=2",
    "requests[socks]>=2.32",
    "shop-utils",
    "tomli>=2; python_full_version < '3.11'",
    "vendored-sdk",
]

[dependency-groups]
dev = ["pytest>=8"]

[tool.uv.sources]
itsdangerous = { git = "https://github.com/pallets/itsdangerous", rev = "2.2.0" }
shop-utils = { path = "libs/shop-utils" }
vendored-sdk = { path = "vendor/vendored_sdk-1.4.0-py3-none-any.whl" }

[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"
`

// uvApp is an application directory holding a uv.lock fixture (from
// testdata/locks) and, unless empty, a pyproject.toml.
func uvApp(t *testing.T, fixture, pyproject string) string {
	t.Helper()
	lock, err := os.ReadFile(filepath.Join("testdata", "locks", fixture))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"uv.lock": string(lock)}
	if pyproject != "" {
		files["pyproject.toml"] = pyproject
	}
	return writeTree(t, files)
}

// linuxTarget is the image's environment on amd64.
func linuxTarget(python string) pep508.Environment {
	return pep508.Target(python, "amd64")
}

// windowsTarget is not an image warpdrive builds: it shows that markers
// are evaluated, not that Windows-only packages are dropped by name.
func windowsTarget(python string) pep508.Environment {
	env := pep508.Target(python, "amd64")
	env.Values["os_name"] = "nt"
	env.Values["sys_platform"] = "win32"
	env.Values["platform_system"] = "Windows"
	env.Values["platform_machine"] = "AMD64"
	return env
}

// pinList is "name==version" of each pin, in order.
func pinList(pins []Pin) []string {
	out := make([]string, len(pins))
	for i, p := range pins {
		out[i] = p.Name + "==" + p.Version
	}
	return out
}

func TestReadUVLockSelectsThePinsOfTheTarget(t *testing.T) {
	// Never pinned, whatever the target: the project itself (installed from
	// the directory), and the dev group's pytest with what only it needs.
	alwaysLeftOut := []string{"shop==0.1.0", "pytest==8.4.1", "iniconfig==2.1.0", "pluggy==1.6.0",
		"packaging==25.0", "exceptiongroup==1.3.0", "typing-extensions==4.14.1"}
	tests := []struct {
		name string
		env  pep508.Environment
		want []string
	}{
		{
			name: "linux, python 3.12: numpy's newer fork, no colorama or tomli, requests' socks extra",
			env:  linuxTarget("3.12.11"),
			want: []string{"certifi==2025.8.3", "charset-normalizer==3.4.3", "click==8.1.8", "idna==3.10",
				"itsdangerous==2.2.0", "numpy==2.2.6", "pysocks==1.7.1", "requests==2.32.5",
				"shop-utils==0.3.0", "urllib3==2.5.0", "vendored-sdk==1.4.0"},
		},
		{
			name: "linux, python 3.9: numpy's older fork and the python-gated tomli",
			env:  linuxTarget("3.9.23"),
			want: []string{"certifi==2025.8.3", "charset-normalizer==3.4.3", "click==8.1.8", "idna==3.10",
				"itsdangerous==2.2.0", "numpy==2.0.2", "pysocks==1.7.1", "requests==2.32.5",
				"shop-utils==0.3.0", "tomli==2.2.1", "urllib3==2.5.0", "vendored-sdk==1.4.0"},
		},
		{
			name: "windows, python 3.12: click's colorama edge holds",
			env:  windowsTarget("3.12.11"),
			want: []string{"certifi==2025.8.3", "charset-normalizer==3.4.3", "click==8.1.8", "colorama==0.4.6",
				"idna==3.10", "itsdangerous==2.2.0", "numpy==2.2.6", "pysocks==1.7.1", "requests==2.32.5",
				"shop-utils==0.3.0", "urllib3==2.5.0", "vendored-sdk==1.4.0"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lock, err := ReadUVLock(uvApp(t, "uv-project.lock", shopPyproject), tt.env)
			if err != nil {
				t.Fatal(err)
			}
			got := pinList(lock.Pins)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("pins = %q\nwant %q", got, tt.want)
			}
			for _, left := range alwaysLeftOut {
				for _, pin := range got {
					if pin == left {
						t.Errorf("%s is pinned; it must be left out", left)
					}
				}
			}
		})
	}
}

func TestReadUVLockDescribesTheLockAndEachSource(t *testing.T) {
	lock, err := ReadUVLock(uvApp(t, "uv-project.lock", shopPyproject), linuxTarget("3.12.11"))
	if err != nil {
		t.Fatal(err)
	}
	if lock.File != "uv.lock" || lock.Tool != "uv" || lock.RefreshCommand != "uv lock" || lock.Version != "1" {
		t.Errorf("lock = %q %q %q %q, want uv.lock uv \"uv lock\" 1", lock.File, lock.Tool, lock.RefreshCommand, lock.Version)
	}
	if !lock.InstallsProject {
		t.Error("InstallsProject = false; the editable project is a package to install")
	}
	tests := []Pin{
		{Name: "requests", Version: "2.32.5", Source: SourceIndex, Ref: "https://pypi.org/simple", Hashes: []string{
			"sha256:0c0b0218584ef05e1d00c950857cb90bd485ef3458eb0ef5028552bb1b496b21",
			"sha256:21f3b4321a156ce25eefad96455391f6bae265c4f494052dde857a82dc13f83b"}},
		{Name: "numpy", Version: "2.2.6", Source: SourceIndex, Ref: "https://pypi.org/simple", Hashes: []string{
			"sha256:1e348e4d5430628803e988ab6f54501389accb0914448c49a04b7834cb2e7397",
			"sha256:fabbf6cc60b5e033c8ef6715274615d2a547c77919e1745292d706cc6a18f842",
			"sha256:0532f6a64942d373dfea1e5785b56fa1edad74cdf3bd3f4ce6261c9ff84069ba"}},
		{Name: "itsdangerous", Version: "2.2.0", Source: SourceGit,
			Ref: "https://github.com/pallets/itsdangerous@72237cd4f3c2a9de7aa1a0e8a5f1b7b6dcf4e6a8"},
		{Name: "shop-utils", Version: "0.3.0", Source: SourcePath, Ref: "libs/shop-utils"},
		{Name: "vendored-sdk", Version: "1.4.0", Source: SourcePath, Ref: "vendor/vendored_sdk-1.4.0-py3-none-any.whl",
			Hashes: []string{"sha256:eb38e9aeeec3b65a1a3f6757386b0150ad8c8deb83d6b44647f7f88161e5c52a"}},
	}
	for _, want := range tests {
		t.Run(want.Name, func(t *testing.T) {
			got, ok := findPin(lock.Pins, want.Name)
			if !ok {
				t.Fatalf("%s is not pinned", want.Name)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("pin = %+v\nwant %+v", got, want)
			}
		})
	}
}

func findPin(pins []Pin, name string) (Pin, bool) {
	for _, p := range pins {
		if p.Name == name {
			return p, true
		}
	}
	return Pin{}, false
}

func TestReadUVLockStartsFromTheProjectOrTheWorkspaceMembers(t *testing.T) {
	tests := []struct {
		name            string
		fixture         string
		installsProject bool
		want            []Pin
	}{
		{
			name:    "a virtual project is no package: only its dependencies are installed",
			fixture: "uv-virtual.lock",
			want: []Pin{
				{Name: "gunicorn", Version: "23.0.0", Source: SourceIndex, Ref: "https://pypi.org/simple"},
				{Name: "packaging", Version: "25.0", Source: SourceIndex, Ref: "https://pypi.org/simple"},
			},
		},
		{
			name:    "a virtual workspace root installs every member, from its path, and no dev group",
			fixture: "uv-workspace.lock",
			want: []Pin{
				{Name: "api", Version: "0.2.0", Source: SourcePath, Ref: "packages/api"},
				{Name: "click", Version: "8.2.1", Source: SourceIndex, Ref: "https://pypi.org/simple"},
				{Name: "core", Version: "0.2.0", Source: SourcePath, Ref: "packages/core"},
				{Name: "idna", Version: "3.10", Source: SourceIndex, Ref: "https://pypi.org/simple"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lock, err := ReadUVLock(uvApp(t, tt.fixture, ""), linuxTarget("3.12.11"))
			if err != nil {
				t.Fatal(err)
			}
			if lock.InstallsProject != tt.installsProject {
				t.Errorf("InstallsProject = %v, want %v", lock.InstallsProject, tt.installsProject)
			}
			// Hashes are checked elsewhere; here only what is pinned from where.
			for i := range lock.Pins {
				lock.Pins[i].Hashes = nil
			}
			if !reflect.DeepEqual(lock.Pins, tt.want) {
				t.Errorf("pins = %+v\nwant %+v", lock.Pins, tt.want)
			}
		})
	}
}

// TestReadUVLockStale: as `uv sync --locked`, a lock whose project
// metadata does not name pyproject.toml's dependencies is refused, naming
// what was added and what was removed since `uv lock` ran.
func TestReadUVLockStale(t *testing.T) {
	tests := []struct {
		name                          string
		pyproject                     string
		undeclared, removed, excluded []string
	}{
		{"every dependency is locked", shopPyproject, nil, nil, nil},
		{"no pyproject.toml to compare with", "", nil, nil, nil},
		{
			name: "dependencies added since uv lock ran are named as written",
			pyproject: strings.Replace(shopPyproject, `    "vendored-sdk",`,
				`    "vendored-sdk",`+"\n"+`    "Rich>=13",`+"\n"+`    "Flask[async]; python_version >= '3.9'",`, 1),
			undeclared: []string{"Rich", "Flask"},
		},
		{
			name:      "a dependency removed since uv lock ran",
			pyproject: strings.Replace(shopPyproject, `    "vendored-sdk",`+"\n", "", 1),
			removed:   []string{"vendored-sdk"},
		},
		{
			name:      "a constraint the locked version no longer satisfies; numpy's two locked versions, one of which does",
			pyproject: strings.Replace(strings.Replace(shopPyproject, `"click>=8.1"`, `"click>=8.2"`, 1), `"numpy>=2"`, `"numpy>=2.1"`, 1),
			excluded:  []string{"click>=8.2 (locked: 8.1.8)"},
		},
		{
			name:      "a constraint widened around the locked version leaves the lock up to date",
			pyproject: strings.Replace(shopPyproject, `"click>=8.1"`, `"click>=8,<9"`, 1),
		},
		{
			name:      "dependencies a build backend computes are not compared",
			pyproject: "[project]\nname = \"shop\"\nversion = \"0.1.0\"\ndynamic = [\"dependencies\"]\n",
		},
		{
			name:      "a name spelled differently is the same dependency",
			pyproject: strings.Replace(shopPyproject, `"shop-utils"`, `"Shop_Utils"`, 1),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadUVLock(uvApp(t, "uv-project.lock", tt.pyproject), linuxTarget("3.12.11"))
			if tt.undeclared == nil && tt.removed == nil && tt.excluded == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var stale LockStaleError
			if !errors.As(err, &stale) {
				t.Fatalf("err = %v, want a LockStaleError", err)
			}
			want := LockStaleError{File: "uv.lock", Manifest: "pyproject.toml", Undeclared: tt.undeclared, Removed: tt.removed, Excluded: tt.excluded, RefreshCommand: "uv lock"}
			if !reflect.DeepEqual(stale, want) {
				t.Errorf("got  %#v\nwant %#v", stale, want)
			}
		})
	}
}

func TestReadUVLockErrors(t *testing.T) {
	tests := []struct {
		name    string
		fixture string // a file of testdata/locks, or else
		text    string // the lock's content
		check   func(t *testing.T, err error)
	}{
		{
			name:    "a merge conflict left in the lock is located",
			fixture: "uv-malformed.lock",
			check:   wantLockSyntax("uv.lock", "line 11, column 1"),
		},
		{
			name:    "a later format version names the version read",
			fixture: "uv-version2.lock",
			check:   wantLockVersion(LockVersionError{File: "uv.lock", Found: "2", Supported: "1", Writer: "uv 0.3 or later"}),
		},
		{
			name:  "no top-level version is not a uv lock",
			text:  "[[package]]\nname = \"site\"\nversion = \"0.1.0\"\nsource = { virtual = \".\" }\n",
			check: wantLockSyntax("uv.lock", "no top-level version"),
		},
		{
			name:  "a version that is not an integer",
			text:  "version = \"1\"\n",
			check: wantLockSyntax("uv.lock", "must be an integer"),
		},
		{
			name:    "a marker that does not parse names its package",
			fixture: "uv-bad-marker.lock",
			check:   wantLockMarker("uv.lock", "colorama", "sys_platform == win32"),
		},
		{
			name: "an edge to a package the lock does not list",
			text: "version = 1\nrevision = 3\n\n[[package]]\nname = \"site\"\nversion = \"0.1.0\"\n" +
				"source = { virtual = \".\" }\ndependencies = [\n    { name = \"gunicorn\" },\n]\n",
			check: wantLockIncomplete(LockIncompleteError{File: "uv.lock", RefreshCommand: "uv lock",
				Missing: []MissingDependency{{Name: "gunicorn", RequiredBy: "site"}}}),
		},
		{
			name: "an edge to a version the lock does not list, beside one whose marker does not hold",
			text: "version = 1\nrevision = 3\n\n[[package]]\nname = \"site\"\nversion = \"0.1.0\"\n" +
				"source = { virtual = \".\" }\ndependencies = [\n    { name = \"blinker\", version = \"1.9.0\" },\n" +
				"    { name = \"colorama\", marker = \"sys_platform == 'win32'\" },\n]\n\n" +
				"[[package]]\nname = \"blinker\"\nversion = \"1.8.2\"\nsource = { registry = \"https://pypi.org/simple\" }\n",
			check: wantLockIncomplete(LockIncompleteError{File: "uv.lock", RefreshCommand: "uv lock",
				Missing: []MissingDependency{{Name: "blinker 1.9.0", RequiredBy: "site"}}}),
		},
		{
			name:  "a field of the wrong type",
			text:  "version = 1\n\n[[package]]\nname = \"site\"\nversion = 1\nsource = { virtual = \".\" }\n",
			check: wantLockSyntax("uv.lock", "line 5"),
		},
		{
			name: "no project to start from",
			text: "version = 1\n\n[[package]]\nname = \"gunicorn\"\nversion = \"23.0.0\"\n" +
				"source = { registry = \"https://pypi.org/simple\" }\n",
			check: wantLockSyntax("uv.lock", "no package is the project"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, map[string]string{"uv.lock": tt.text})
			if tt.fixture != "" {
				dir = uvApp(t, tt.fixture, "")
			}
			_, err := ReadUVLock(dir, linuxTarget("3.12.11"))
			tt.check(t, err)
		})
	}
}

func TestReadUVLockWithoutALock(t *testing.T) {
	_, err := ReadUVLock(t.TempDir(), linuxTarget("3.12.11"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want one that is os.ErrNotExist", err)
	}
}

// wantLockSyntax checks for a LockSyntaxError of file whose detail holds
// detail.
func wantLockSyntax(file, detail string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var got LockSyntaxError
		if !errors.As(err, &got) {
			t.Fatalf("err = %v (%T), want a LockSyntaxError", err, err)
		}
		if got.File != file || !strings.Contains(got.Detail, detail) {
			t.Errorf("err = %q, want one of %s saying %q", got.Error(), file, detail)
		}
	}
}

func wantLockVersion(want LockVersionError) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var got LockVersionError
		if !errors.As(err, &got) {
			t.Fatalf("err = %v (%T), want a LockVersionError", err, err)
		}
		if got != want {
			t.Errorf("err = %+v, want %+v", got, want)
		}
	}
}

func wantLockMarker(file, pkg, marker string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var got LockMarkerError
		if !errors.As(err, &got) {
			t.Fatalf("err = %v (%T), want a LockMarkerError", err, err)
		}
		if got.File != file || got.Package != pkg || got.Marker != marker || got.Err == nil {
			t.Errorf("err = %+v, want the marker %q of %s in %s, with its cause", got, marker, pkg, file)
		}
	}
}

func wantLockIncomplete(want LockIncompleteError) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var got LockIncompleteError
		if !errors.As(err, &got) || !reflect.DeepEqual(got, want) {
			t.Errorf("err = %#v\nwant %#v", err, want)
		}
	}
}
