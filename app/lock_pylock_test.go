package app

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/warpdrive-buildpack/warpdrive/pep508"
)

// pylockFixtures is the directory of the pylock fixtures, read in place:
// ReadPylock takes the lock's file name.
var pylockFixtures = filepath.Join("testdata", "locks")

func TestReadPylockSelectsThePinsOfTheTarget(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  pep508.Environment
		want []string
	}{
		{
			name: "uv export, linux, python 3.12: no dev group, no extra, no windows or old-python package",
			file: "pylock.toml",
			env:  linuxTarget("3.12.11"),
			want: []string{"certifi==2025.8.3", "click==8.1.8", "itsdangerous==2.2.0", "numpy==2.2.6",
				"shop==", "shop-utils==", "vendored-sdk==1.4.0", "waitress==3.0.2"},
		},
		{
			name: "uv export, linux, python 3.9: numpy's older entry and the python-gated tomli",
			file: "pylock.toml",
			env:  linuxTarget("3.9.23"),
			want: []string{"certifi==2025.8.3", "click==8.1.8", "itsdangerous==2.2.0", "numpy==2.0.2",
				"shop==", "shop-utils==", "tomli==2.2.1", "vendored-sdk==1.4.0", "waitress==3.0.2"},
		},
		{
			name: "uv export, windows: colorama's marker holds",
			file: "pylock.toml",
			env:  windowsTarget("3.12.11"),
			want: []string{"certifi==2025.8.3", "click==8.1.8", "colorama==0.4.6", "itsdangerous==2.2.0",
				"numpy==2.2.6", "shop==", "shop-utils==", "vendored-sdk==1.4.0", "waitress==3.0.2"},
		},
		{
			name: "uv export, an extra the caller requests",
			file: "pylock.toml",
			env:  linuxTarget("3.12.11").WithExtras("socks"),
			want: []string{"certifi==2025.8.3", "click==8.1.8", "itsdangerous==2.2.0", "numpy==2.2.6",
				"pysocks==1.7.1", "shop==", "shop-utils==", "vendored-sdk==1.4.0", "waitress==3.0.2"},
		},
		{
			// uvloop's requires-python (>=3.14) does not hold: PEP 751 leaves
			// the choice to the marker, so it stays.
			name: "pdm export: the default group is selected, the dev group is not",
			file: "pylock.pdm.toml",
			env:  linuxTarget("3.12.11"),
			want: []string{"blinker==1.9.0", "flask==3.1.1", "uvloop==0.21.0", "wheelhouse-tool==0.9.0"},
		},
		{
			name: "a later minor lock-version is read",
			file: "pylock.minor.toml",
			env:  linuxTarget("3.12.11"),
			want: []string{"click==8.2.1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lock, err := ReadPylock(pylockFixtures, tt.file, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if got := pinList(lock.Pins); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("pins = %q\nwant %q", got, tt.want)
			}
			if lock.InstallsProject {
				t.Error("InstallsProject = true; a pylock lists the project among its packages")
			}
		})
	}
}

func TestReadPylockDescribesTheLock(t *testing.T) {
	tests := []struct {
		file, text             string
		tool, refresh, version string
	}{
		{file: "pylock.toml", tool: "uv", version: "1.0",
			refresh: "re-run the tool that wrote pylock.toml (created-by: uv)"},
		{file: "pylock.pdm.toml", tool: "pdm", version: "1.0",
			refresh: "re-run the tool that wrote pylock.pdm.toml (created-by: pdm)"},
		{file: "pylock.minor.toml", tool: "pip", version: "1.3",
			refresh: "re-run the tool that wrote pylock.minor.toml (created-by: pip)"},
		{file: "pylock.toml", text: "lock-version = \"1.0\"\n", tool: "the locker", version: "1.0",
			refresh: "re-run the tool that wrote pylock.toml (created-by: the locker)"},
	}
	for _, tt := range tests {
		t.Run(tt.file+" "+tt.tool, func(t *testing.T) {
			home := pylockFixtures
			if tt.text != "" {
				home = writeTree(t, map[string]string{tt.file: tt.text})
			}
			lock, err := ReadPylock(home, tt.file, linuxTarget("3.12.11"))
			if err != nil {
				t.Fatal(err)
			}
			if lock.File != tt.file || lock.Tool != tt.tool || lock.RefreshCommand != tt.refresh || lock.Version != tt.version {
				t.Errorf("lock = %q %q %q %q\nwant %q %q %q %q", lock.File, lock.Tool, lock.RefreshCommand, lock.Version,
					tt.file, tt.tool, tt.refresh, tt.version)
			}
		})
	}
}

func TestReadPylockPinsEachSource(t *testing.T) {
	tests := []struct {
		name string
		file string
		want Pin
	}{
		{"wheels and sdist from an index", "pylock.toml", Pin{Name: "certifi", Version: "2025.8.3", Source: SourceIndex,
			Ref: "https://pypi.org/simple", Hashes: []string{
				"sha256:0bbfa3a05265b62efd02cec5d4d4d84b849f4ae79903caf8dc39c347a0734880",
				"sha256:25632b8be1360a6c138e193aa2ef30bf87f57e94f7fb7a480e0c55fce6b80b7c"}}},
		{"a git repository at its commit", "pylock.toml", Pin{Name: "itsdangerous", Version: "2.2.0", Source: SourceGit,
			Ref: "https://github.com/pallets/itsdangerous@72237cd4f3c2a9de7aa1a0e8a5f1b7b6dcf4e6a8"}},
		{"the editable project directory", "pylock.toml", Pin{Name: "shop", Source: SourcePath, Ref: "."}},
		{"a local directory", "pylock.toml", Pin{Name: "shop-utils", Source: SourcePath, Ref: "libs/shop-utils"}},
		{"an archive by path", "pylock.toml", Pin{Name: "vendored-sdk", Version: "1.4.0", Source: SourcePath,
			Ref: "vendor/vendored_sdk-1.4.0-py3-none-any.whl", Hashes: []string{
				"sha256:ded69f580c679f571c3970cb56d841d6cfe6069fea40b3522a67083559fae325"}}},
		{"an archive by url, every hash algorithm given", "pylock.toml", Pin{Name: "waitress", Version: "3.0.2", Source: SourceURL,
			Ref: "https://downloads.example.com/waitress/waitress-3.0.2.tar.gz", Hashes: []string{
				"blake2b:514f8a7bda0e3ed5492cfaa2cddb68e3f1fc24c95e7e55cee9364ab38bb03958",
				"sha256:126d69e5f02794faa40cb6c260f2c4f58453efee09eea742eedc17f978bdc77d"}}},
		{"sdist and wheels as tables", "pylock.pdm.toml", Pin{Name: "blinker", Version: "1.9.0", Source: SourceIndex,
			Ref: "https://pypi.org/simple", Hashes: []string{
				"sha256:c220c0fc6e6953b1438c89cb8de1d8f509d66404a0043f2d4812aa1cef528aca",
				"sha256:04cd8d13bb2d19d55f698f6e64b33bee3c19df6181e1b8ebe027d955f9f4dc47"}}},
		{"wheels by url without an index", "pylock.pdm.toml", Pin{Name: "flask", Version: "3.1.1", Source: SourceIndex,
			Hashes: []string{"sha256:080b45a4ede887729c5aec92bec3b32e7815d4a16107dd895a46b9c7bb2f57f8"}}},
		{"a lone wheel by path, which no index holds", "pylock.pdm.toml", Pin{Name: "wheelhouse-tool", Version: "0.9.0", Source: SourcePath,
			Ref: "wheels/wheelhouse_tool-0.9.0-py3-none-any.whl", Hashes: []string{
				"sha256:debf44e62f49f4f459588eb46338b138ec86f2d2b035d13218cfcd81c00b5575"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lock, err := ReadPylock(pylockFixtures, tt.file, linuxTarget("3.12.11"))
			if err != nil {
				t.Fatal(err)
			}
			got, ok := findPin(lock.Pins, tt.want.Name)
			if !ok {
				t.Fatalf("%s is not pinned", tt.want.Name)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("pin = %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestReadPylockErrors(t *testing.T) {
	tests := []struct {
		name  string
		file  string // a fixture of testdata/locks, unless text is set
		text  string // the content of a pylock.toml
		check func(t *testing.T, err error)
	}{
		{
			name: "another major lock-version",
			file: "pylock.future.toml",
			check: wantLockVersion(LockVersionError{File: "pylock.future.toml", Found: "2.0", Supported: "1.x",
				Writer: "a locker writing PEP 751 lock-version 1.x, such as uv (uv export --format pylock.toml) or pip (pip lock)"}),
		},
		{
			name:  "invalid TOML is located",
			file:  "pylock.malformed.toml",
			check: wantLockSyntax("pylock.malformed.toml", "line 6, column"),
		},
		{
			name:  "a marker that does not parse names its package",
			file:  "pylock.badmarker.toml",
			check: wantLockMarker("pylock.badmarker.toml", "colorama", "sys_platform ~ 'win32'"),
		},
		{
			name:  "two entries of one package for the target",
			file:  "pylock.ambiguous.toml",
			check: wantLockSyntax("pylock.ambiguous.toml", `"numpy" is listed more than once for this target (version 2.0.2 and version 2.2.6)`),
		},
		{
			name:  "an archive and wheels for one package",
			file:  "pylock.twosources.toml",
			check: wantLockSyntax("pylock.twosources.toml", `"click" has more than one source (archive, sdist/wheels)`),
		},
		{
			name:  "no lock-version",
			text:  "created-by = \"uv\"\n",
			check: wantLockSyntax("pylock.toml", "no lock-version"),
		},
		{
			name:  "a lock-version that is not a string",
			text:  "lock-version = 1.0\n",
			check: wantLockSyntax("pylock.toml", "must be a string"),
		},
		{
			name:  "a package without a source",
			text:  "lock-version = \"1.0\"\n\n[[packages]]\nname = \"click\"\nversion = \"8.2.1\"\n",
			check: wantLockSyntax("pylock.toml", `"click" has no source`),
		},
		{
			name: "a version control system other than git",
			text: "lock-version = \"1.0\"\n\n[[packages]]\nname = \"legacy\"\n" +
				"vcs = { type = \"hg\", url = \"https://hg.example.com/legacy\", commit-id = \"a1b2c3\" }\n",
			check: wantLockSyntax("pylock.toml", `"legacy" comes from a "hg" repository`),
		},
		{
			name:  "a requires-python the image's Python does not satisfy",
			text:  "lock-version = \"1.0\"\nrequires-python = \">=3.8, <3.12\"\n",
			check: wantLockEnvironment(LockEnvironmentError{File: "pylock.toml", Python: "3.12.11", Key: "requires-python", Value: ">=3.8, <3.12"}),
		},
		{
			name: "environments none of which is a Linux CPython 3.12",
			text: "lock-version = \"1.0\"\nenvironments = [\"sys_platform == 'win32'\", \"sys_platform == 'linux' and python_version < '3.12'\"]\n",
			check: wantLockEnvironment(LockEnvironmentError{File: "pylock.toml", Python: "3.12.11", Key: "environments",
				Value: "sys_platform == 'win32' | sys_platform == 'linux' and python_version < '3.12'"}),
		},
		{
			name: "one environment that holds is enough",
			text: "lock-version = \"1.0\"\nrequires-python = \">=3.12\"\nenvironments = [\"sys_platform == 'win32'\", \"sys_platform == 'linux'\"]\n",
			check: func(t *testing.T, err error) {
				if err != nil {
					t.Errorf("err = %v, want none", err)
				}
			},
		},
		{
			name:  "a requires-python that is no specifier",
			text:  "lock-version = \"1.0\"\nrequires-python = \"three\"\n",
			check: wantLockSyntax("pylock.toml", `requires-python = "three" is not a PEP 440 version specifier`),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home, file := pylockFixtures, tt.file
			if tt.text != "" {
				home, file = writeTree(t, map[string]string{"pylock.toml": tt.text}), "pylock.toml"
			}
			_, err := ReadPylock(home, file, linuxTarget("3.12.11"))
			tt.check(t, err)
		})
	}
}

func wantLockEnvironment(want LockEnvironmentError) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var got LockEnvironmentError
		if !errors.As(err, &got) || got != want {
			t.Errorf("err = %#v\nwant %#v", err, want)
		}
	}
}
