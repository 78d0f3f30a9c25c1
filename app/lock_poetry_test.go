package app

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/warpdrive-buildpack/warpdrive/pep508"
)

// lockFixture is a directory under testdata/locks holding a lock and its
// manifest.
func lockFixture(name string) string { return filepath.Join("testdata", "locks", name) }

func lockPin(t *testing.T, lock Lock, name string) Pin {
	t.Helper()
	for _, p := range lock.Pins {
		if pep508.NormalizeName(p.Name) == pep508.NormalizeName(name) {
			return p
		}
	}
	t.Fatalf("no pin for %s in %v", name, pinList(lock.Pins))
	return Pin{}
}

func TestReadPoetryLockMainSet(t *testing.T) {
	tests := []struct {
		name    string
		fixture string
		env     pep508.Environment
		want    []string
	}{
		{"1.1: no Windows-only colorama, no dev pytest, no optional gunicorn of the project's extra; PySocks through requests[socks]",
			"poetry-1.1", linuxTarget("3.12.4"), []string{
				"certifi==2022.12.7", "charset-normalizer==3.0.1", "click==8.1.3", "flask==2.2.3", "idna==3.4",
				"itsdangerous==2.1.2", "jinja2==3.1.2", "markupsafe==2.1.2", "mylib==0.1.0", "pysocks==1.7.1",
				"requests==2.28.2", "urllib3==1.26.14", "werkzeug==2.2.3"}},
		{"1.1 on Python 3.9: flask's importlib-metadata (python_version < 3.10) and its zipp come in",
			"poetry-1.1", linuxTarget("3.9.18"), []string{
				"certifi==2022.12.7", "charset-normalizer==3.0.1", "click==8.1.3", "flask==2.2.3", "idna==3.4",
				"importlib-metadata==6.0.0", "itsdangerous==2.1.2", "jinja2==3.1.2", "markupsafe==2.1.2", "mylib==0.1.0",
				"pysocks==1.7.1", "requests==2.28.2", "urllib3==1.26.14", "werkzeug==2.2.3", "zipp==3.13.0"}},
		{"1.1 on Windows: colorama is click's",
			"poetry-1.1", windowsTarget("3.12.4"), []string{
				"certifi==2022.12.7", "charset-normalizer==3.0.1", "click==8.1.3", "colorama==0.4.6", "flask==2.2.3", "idna==3.4",
				"itsdangerous==2.1.2", "jinja2==3.1.2", "markupsafe==2.1.2", "mylib==0.1.0", "pysocks==1.7.1",
				"requests==2.28.2", "urllib3==1.26.14", "werkzeug==2.2.3"}},
		{"2.0: uvicorn[standard]'s optional edges are followed (uvloop's marker holds, colorama's does not); numpy 1.26 for Python >= 3.9",
			"poetry-2.0", linuxTarget("3.12.4"), []string{
				"acme-auth==2.1.3", "annotated-types==0.6.0", "anyio==4.3.0", "click==8.1.7", "fastapi==0.110.0", "h11==0.14.0",
				"httptools==0.6.1", "idna==3.6", "internal-utils==1.4.0", "numpy==1.26.4", "pydantic==2.6.4", "pydantic-core==2.16.3",
				"python-dotenv==1.0.1", "sniffio==1.3.1", "starlette==0.36.3", "typing-extensions==4.10.0", "uvicorn==0.29.0", "uvloop==0.19.0"}},
		{"2.0 on Python 3.8: numpy 1.24 and anyio's exceptiongroup",
			"poetry-2.0", linuxTarget("3.8.18"), []string{
				"acme-auth==2.1.3", "annotated-types==0.6.0", "anyio==4.3.0", "click==8.1.7", "exceptiongroup==1.2.0", "fastapi==0.110.0", "h11==0.14.0",
				"httptools==0.6.1", "idna==3.6", "internal-utils==1.4.0", "numpy==1.24.4", "pydantic==2.6.4", "pydantic-core==2.16.3",
				"python-dotenv==1.0.1", "sniffio==1.3.1", "starlette==0.36.3", "typing-extensions==4.10.0", "uvicorn==0.29.0", "uvloop==0.19.0"}},
		{"2.1: the main group's markers decide; numpy 2.3 for Python >= 3.11; no sentry-sdk of the project's extra; PySocks through shared-utils' requests[socks]",
			"poetry-2.1", linuxTarget("3.12.4"), []string{
				"asgiref==3.8.1", "certifi==2024.12.14", "charset-normalizer==3.4.1", "click==8.1.8", "django==5.1.4", "gunicorn==23.0.0",
				"idna==3.10", "numpy==2.3.1", "packaging==24.2", "pandas==2.2.3", "psycopg==3.2.3", "psycopg-binary==3.2.3", "pysocks==1.7.1",
				"python-dateutil==2.9.0.post0", "pytz==2024.2", "requests==2.32.3", "shared-utils==0.2.0", "six==1.17.0", "sqlparse==0.5.3",
				"typing-extensions==4.12.2", "tzdata==2024.2", "urllib3==2.3.0"}},
		{"2.1 on Python 3.10: numpy 2.2 and the root's tomli",
			"poetry-2.1", linuxTarget("3.10.14"), []string{
				"asgiref==3.8.1", "certifi==2024.12.14", "charset-normalizer==3.4.1", "click==8.1.8", "django==5.1.4", "gunicorn==23.0.0",
				"idna==3.10", "numpy==2.2.6", "packaging==24.2", "pandas==2.2.3", "psycopg==3.2.3", "psycopg-binary==3.2.3", "pysocks==1.7.1",
				"python-dateutil==2.9.0.post0", "pytz==2024.2", "requests==2.32.3", "shared-utils==0.2.0", "six==1.17.0", "sqlparse==0.5.3",
				"tomli==2.2.1", "typing-extensions==4.12.2", "tzdata==2024.2", "urllib3==2.3.0"}},
		{"2.1 on Windows: colorama's marker for the main group holds",
			"poetry-2.1", windowsTarget("3.13.1"), []string{
				"asgiref==3.8.1", "certifi==2024.12.14", "charset-normalizer==3.4.1", "click==8.1.8", "colorama==0.4.6", "django==5.1.4", "gunicorn==23.0.0",
				"idna==3.10", "numpy==2.3.1", "packaging==24.2", "pandas==2.2.3", "psycopg==3.2.3", "psycopg-binary==3.2.3", "pysocks==1.7.1",
				"python-dateutil==2.9.0.post0", "pytz==2024.2", "requests==2.32.3", "shared-utils==0.2.0", "six==1.17.0", "sqlparse==0.5.3",
				"tzdata==2024.2", "urllib3==2.3.0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lock, err := ReadPoetryLock(lockFixture(tt.fixture), tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if got := pinList(lock.Pins); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("pins\ngot  %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestReadPoetryLockPinSources(t *testing.T) {
	tests := []struct {
		name    string
		fixture string
		pin     string
		want    Pin
	}{
		{"1.x hashes come from [metadata.files]", "poetry-1.1", "click",
			Pin{Name: "click", Version: "8.1.3", Source: SourceIndex, Hashes: []string{
				"sha256:bb4d8133cb15a609f44e8213d9b391b0809795062913b383c62be0ee95b1db48",
				"sha256:7682dc8afb30297001674575ea00d1814d808d6a36af415a82bd481d37ba7b8e"}}},
		{"a directory dependency is a path relative to the application; develop = true makes it editable", "poetry-1.1", "mylib",
			Pin{Name: "mylib", Version: "0.1.0", Source: SourcePath, Ref: "libs/mylib", Editable: true}},
		{"2.x hashes come from the package's files", "poetry-2.0", "click",
			Pin{Name: "click", Version: "8.1.7", Source: SourceIndex, Hashes: []string{
				"sha256:ae74fb96c20a0277a1d615f1e4d73c8414f5a98db8b799a7931d1582f3390c28",
				"sha256:ca9853ad459e787e2192211578cc907e7594e294c7ccc834310722b41b9ca6de"}}},
		{"a legacy source is an index with its URL", "poetry-2.0", "acme-auth",
			Pin{Name: "acme-auth", Version: "2.1.3", Source: SourceIndex, Ref: "https://pypi.acme.example/simple", Hashes: []string{
				"sha256:52f424c9443fcd37428ea14dc367a5a68f38e8334638a1af158cb3256fa7b675",
				"sha256:03faebb61f42e5afb5d2362b682e1d19e9d96afba1814ceea533581033aece1d"}}},
		{"a git dependency is pinned to the commit Poetry resolved, not the tag", "poetry-2.0", "internal-utils",
			Pin{Name: "internal-utils", Version: "1.4.0", Source: SourceGit, Ref: "https://github.com/acme/internal-utils.git@9c1f6b2e4d8a7f3b5c0e1d2a3b4c5d6e7f8a9b0c"}},
		{"a 2.1 directory dependency with develop = true", "poetry-2.1", "shared-utils",
			Pin{Name: "shared-utils", Version: "0.2.0", Source: SourcePath, Ref: "libs/shared-utils", Editable: true}},
		{"a git dependency in a subdirectory of its repository", "poetry-sources", "monorepo-lib",
			Pin{Name: "monorepo-lib", Version: "2.0.0", Source: SourceGit, Ref: "https://github.com/acme/monorepo.git@0123456789abcdef0123456789abcdef01234567#subdirectory=libs/py"}},
		{"a directory with develop = false is installed as a copy", "poetry-sources", "vendored",
			Pin{Name: "vendored", Version: "1.0.0", Source: SourcePath, Ref: "vendor/vendored"}},
		{"develop = true on a git source is not an editable install", "poetry-sources", "git-develop",
			Pin{Name: "git-develop", Version: "0.1.0", Source: SourceGit, Ref: "https://github.com/acme/tool.git@89abcdef0123456789abcdef0123456789abcdef"}},
		{"a package from PyPI has no [package.source] even beside a supplemental source", "poetry-sources", "flask",
			Pin{Name: "flask", Version: "3.1.0", Source: SourceIndex, Hashes: []string{"sha256:aaaa"}}},
		{"a package of the supplemental source", "poetry-sources", "acme-auth",
			Pin{Name: "acme-auth", Version: "2.1.3", Source: SourceIndex, Ref: "https://pypi.acme.example/simple/", Hashes: []string{"sha256:bbbb"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lock, err := ReadPoetryLock(lockFixture(tt.fixture), linuxTarget("3.12.4"))
			if err != nil {
				t.Fatal(err)
			}
			if got := lockPin(t, lock, tt.pin); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestReadPoetryLockDescribesTheLock(t *testing.T) {
	tests := []struct {
		fixture string
		want    Lock
	}{
		{"poetry-1.1", Lock{File: "poetry.lock", Tool: "Poetry", RefreshCommand: "poetry lock --no-update", Version: "1.1", InstallsProject: true}},
		{"poetry-2.0", Lock{File: "poetry.lock", Tool: "Poetry", RefreshCommand: "poetry lock", Version: "2.0", InstallsProject: true}},
		{"poetry-2.1", Lock{File: "poetry.lock", Tool: "Poetry", RefreshCommand: "poetry lock", Version: "2.1", InstallsProject: true}},
		// package-mode = false.
		{"poetry-package-mode-false", Lock{File: "poetry.lock", Tool: "Poetry", RefreshCommand: "poetry lock", Version: "2.0",
			InstallsProject: false}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			got, err := ReadPoetryLock(lockFixture(tt.fixture), linuxTarget("3.12.4"))
			if err != nil {
				t.Fatal(err)
			}
			got.Pins = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

// TestReadPoetryLockWithoutPyproject: with nothing to say which packages
// are the project's own dependencies, those no other package needs are.
func TestReadPoetryLockWithoutPyproject(t *testing.T) {
	lock, err := os.ReadFile(filepath.Join(lockFixture("poetry-package-mode-false"), "poetry.lock"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadPoetryLock(writeTree(t, map[string]string{"poetry.lock": string(lock)}), linuxTarget("3.12.4"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"blinker==1.8.2", "click==8.1.7", "flask==3.0.3", "itsdangerous==2.2.0", "jinja2==3.1.4", "markupsafe==2.1.5", "werkzeug==3.0.3"}
	if !reflect.DeepEqual(pinList(got.Pins), want) || got.InstallsProject {
		t.Errorf("got %v (InstallsProject %v), want %v", pinList(got.Pins), got.InstallsProject, want)
	}
}

// TestReadPoetryLockEdges covers edge forms the fixtures do not: Poetry
// 1.0's python and platform constraints on an edge, and an edge asking for
// an extra of a package that lists the extra's packages as optional.
func TestReadPoetryLockEdges(t *testing.T) {
	const pyproject = "[tool.poetry]\nname = \"app\"\n\n[tool.poetry.dependencies]\npython = \"^3.7\"\nweb = \"*\"\n"
	const lock10 = `[[package]]
category = "main"
description = "Web helpers"
name = "web"
optional = false
python-versions = "*"
version = "1.0.0"

[package.dependencies]
importlib-metadata = {version = ">=0.12", python = "<3.8"}
pywin32 = {version = ">=227", platform = "win32"}
cache = {version = ">=2.0", extras = ["redis"]}

[[package]]
category = "main"
description = "Read metadata from Python packages"
name = "importlib-metadata"
optional = false
python-versions = ">=2.7,!=3.0.*,!=3.1.*,!=3.2.*,!=3.3.*"
version = "1.5.0"

[[package]]
category = "main"
description = "Python for Window Extensions"
name = "pywin32"
optional = false
python-versions = "*"
version = "227"

[[package]]
category = "main"
description = "Caching"
name = "cache"
optional = false
python-versions = "*"
version = "2.1.0"

[package.dependencies.redis]
optional = true
version = ">=3.0"

[package.extras]
redis = ["redis (>=3.0)"]

[[package]]
category = "main"
description = "Python client for Redis key-value store"
name = "redis"
optional = true
python-versions = ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*"
version = "3.4.1"

[metadata]
content-hash = "3f3c1d1e9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d"
lock-version = "1.0"
python-versions = "^3.7"

[metadata.files]
cache = []
importlib-metadata = []
pywin32 = []
redis = []
web = []
`
	tests := []struct {
		name string
		env  pep508.Environment
		want []string
	}{
		{"Python 3.12 on Linux", linuxTarget("3.12.4"), []string{"cache==2.1.0", "redis==3.4.1", "web==1.0.0"}},
		{"Python 3.7 on Linux", linuxTarget("3.7.17"), []string{"cache==2.1.0", "importlib-metadata==1.5.0", "redis==3.4.1", "web==1.0.0"}},
		{"Python 3.12 on Windows", windowsTarget("3.12.4"), []string{"cache==2.1.0", "pywin32==227", "redis==3.4.1", "web==1.0.0"}},
	}
	home := writeTree(t, map[string]string{"pyproject.toml": pyproject, "poetry.lock": lock10})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lock, err := ReadPoetryLock(home, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if got := pinList(lock.Pins); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestReadPoetryLockErrors(t *testing.T) {
	tests := []struct {
		name  string
		home  func(*testing.T) string
		check func(*testing.T, error)
	}{
		{"a merge conflict left in the lock", fixtureHome("poetry-malformed"), func(t *testing.T, err error) {
			var syntax LockSyntaxError
			if !errors.As(err, &syntax) || syntax.File != "poetry.lock" || !strings.HasPrefix(syntax.Detail, "line 41, column 1: ") {
				t.Errorf("got %#v, want a LockSyntaxError at line 41, column 1 of poetry.lock", err)
			}
		}},
		{"a lock-version from a future Poetry", fixtureHome("poetry-unsupported"), func(t *testing.T, err error) {
			want := LockVersionError{File: "poetry.lock", Found: "3.0", Supported: "1.0, 1.1, 2.0, 2.1", Writer: "Poetry 1.x or 2.x"}
			var got LockVersionError
			if !errors.As(err, &got) || got != want {
				t.Errorf("got %#v, want %#v", err, want)
			}
		}},
		{"a lock from before Poetry 1.0, without lock-version", inlineHome("[[package]]\nname = \"a\"\nversion = \"1\"\n\n[metadata]\ncontent-hash = \"0\"\n"), func(t *testing.T, err error) {
			var got LockVersionError
			if !errors.As(err, &got) || got.Found != "none" {
				t.Errorf("got %#v, want a LockVersionError that found none", err)
			}
		}},
		{"a marker that does not parse", fixtureHome("poetry-bad-marker"), func(t *testing.T, err error) {
			var marker LockMarkerError
			if !errors.As(err, &marker) || marker.File != "poetry.lock" || marker.Package != "click's dependency colorama" ||
				marker.Marker != `platform_system == "Windows" and` {
				t.Errorf("got %#v, want a LockMarkerError for click's dependency colorama", err)
			}
		}},
		{"a version that is not a string", inlineHome("[[package]]\nname = \"a\"\nversion = 1\n\n[metadata]\nlock-version = \"2.0\"\n"), func(t *testing.T, err error) {
			var syntax LockSyntaxError
			if !errors.As(err, &syntax) || !strings.Contains(syntax.Detail, "line 3") {
				t.Errorf("got %#v, want a LockSyntaxError naming line 3", err)
			}
		}},
		{"a package without a version", inlineHome("[[package]]\nname = \"a\"\n\n[metadata]\nlock-version = \"2.0\"\n"), func(t *testing.T, err error) {
			var syntax LockSyntaxError
			if !errors.As(err, &syntax) || syntax.Detail != `package "a" has no version` {
				t.Errorf("got %#v, want a LockSyntaxError for the missing version", err)
			}
		}},
		{"no poetry.lock", inlineHome(""), func(t *testing.T, err error) {
			if !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("got %v, want fs.ErrNotExist", err)
			}
		}},
		{"a dependency added to pyproject.toml since poetry lock ran", editedPoetryFixture("poetry-2.0", nil, func(pyproject string) string {
			return strings.Replace(pyproject, "[tool.poetry.dependencies]\n", "[tool.poetry.dependencies]\nrich = \"^13\"\nRedis = {version = \"^5\", markers = \"sys_platform == 'win32'\"}\n", 1)
		}), func(t *testing.T, err error) {
			want := LockStaleError{File: "poetry.lock", Manifest: "pyproject.toml", Undeclared: []string{"Redis", "rich"}, RefreshCommand: "poetry lock"}
			var got LockStaleError
			if !errors.As(err, &got) || !reflect.DeepEqual(got, want) {
				t.Errorf("got %#v\nwant %#v", err, want)
			}
		}},
		{"a constraint changed so that the locked version is excluded", editedPoetryFixture("poetry-2.0", nil, func(pyproject string) string {
			return strings.Replace(pyproject, `fastapi = "^0.110.0"`, `fastapi = "^0.111.0"`, 1)
		}), func(t *testing.T, err error) {
			want := LockStaleError{File: "poetry.lock", Manifest: "pyproject.toml", Excluded: []string{"fastapi>=0.111.0,<0.112.0 (locked: 0.110.0)"}, RefreshCommand: "poetry lock"}
			var got LockStaleError
			if !errors.As(err, &got) || !reflect.DeepEqual(got, want) {
				t.Errorf("got %#v\nwant %#v", err, want)
			}
		}},
		{"a package another one needs is not locked; one needed only for Python < 3.11 may be absent", editedPoetryFixture("poetry-2.0", func(lock string) string {
			return withoutPoetryPackages(lock, "sniffio", "exceptiongroup")
		}, nil), func(t *testing.T, err error) {
			want := LockIncompleteError{File: "poetry.lock", RefreshCommand: "poetry lock", Missing: []MissingDependency{{Name: "sniffio", RequiredBy: "anyio"}}}
			var got LockIncompleteError
			if !errors.As(err, &got) || !reflect.DeepEqual(got, want) {
				t.Errorf("got %#v\nwant %#v", err, want)
			}
		}},
		{"a pyproject.toml that is not TOML", func(t *testing.T) string {
			lock, _ := os.ReadFile(filepath.Join(lockFixture("poetry-2.0"), "poetry.lock"))
			return writeTree(t, map[string]string{"poetry.lock": string(lock), "pyproject.toml": "[tool.poetry\n"})
		}, func(t *testing.T, err error) {
			var syntax TOMLSyntaxError
			if !errors.As(err, &syntax) || syntax.Path != "pyproject.toml" {
				t.Errorf("got %#v, want a TOMLSyntaxError in pyproject.toml", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadPoetryLock(tt.home(t), linuxTarget("3.12.4"))
			tt.check(t, err)
		})
	}
}

func fixtureHome(name string) func(*testing.T) string {
	return func(*testing.T) string { return lockFixture(name) }
}

// inlineHome writes lock as poetry.lock ("" for none) with a one-dependency
// pyproject.toml.
func inlineHome(lock string) func(*testing.T) string {
	return func(t *testing.T) string {
		files := map[string]string{"pyproject.toml": "[tool.poetry.dependencies]\na = \"*\"\n"}
		if lock != "" {
			files["poetry.lock"] = lock
		}
		return writeTree(t, files)
	}
}

// editedPoetryFixture copies a fixture's poetry.lock and pyproject.toml,
// each passed through its edit when one is given.
func editedPoetryFixture(name string, editLock, editPyproject func(string) string) func(*testing.T) string {
	return func(t *testing.T) string {
		files := map[string]string{}
		for file, edit := range map[string]func(string) string{"poetry.lock": editLock, "pyproject.toml": editPyproject} {
			data, err := os.ReadFile(filepath.Join(lockFixture(name), file))
			if err != nil {
				t.Fatal(err)
			}
			files[file] = string(data)
			if edit != nil {
				files[file] = edit(files[file])
			}
		}
		return writeTree(t, files)
	}
}

// withoutPoetryPackages removes the named [[package]] entries, with their
// subtables, from a poetry.lock.
func withoutPoetryPackages(lock string, names ...string) string {
	entries := strings.Split(lock, "[[package]]\n")
	kept := entries[:1]
	for _, e := range entries[1:] {
		drop := false
		for _, n := range names {
			drop = drop || strings.HasPrefix(e, "name = \""+n+"\"\n")
		}
		if !drop {
			kept = append(kept, e)
		}
	}
	return strings.Join(kept, "[[package]]\n")
}
