package app

import (
	"errors"
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"github.com/warpdrive-buildpack/warpdrive/pep508"
)

func TestReadPipfileLockDefaultSet(t *testing.T) {
	tests := []struct {
		name string
		env  pep508.Environment
		want []string
	}{
		{"Python 3.12 on Linux: no Windows-only colorama, no importlib-metadata or zipp (python_version < 3.10), no develop pytest",
			linuxTarget("3.12.4"), []string{
				"acme-auth==2.1.3", "blinker==1.8.2", "click==8.1.7", "flask==3.0.3", "internal-utils==", "itsdangerous==2.2.0",
				"jinja2==3.1.4", "legacy-sdk==0.9.0", "markupsafe==2.1.5", "mylib==", "werkzeug==3.0.3"}},
		{"Python 3.9: importlib-metadata and zipp come in",
			linuxTarget("3.9.18"), []string{
				"acme-auth==2.1.3", "blinker==1.8.2", "click==8.1.7", "flask==3.0.3", "importlib-metadata==8.0.0", "internal-utils==",
				"itsdangerous==2.2.0", "jinja2==3.1.4", "legacy-sdk==0.9.0", "markupsafe==2.1.5", "mylib==", "werkzeug==3.0.3", "zipp==3.19.2"}},
		{"Windows: colorama comes in",
			windowsTarget("3.12.4"), []string{
				"acme-auth==2.1.3", "blinker==1.8.2", "click==8.1.7", "colorama==0.4.6", "flask==3.0.3", "internal-utils==", "itsdangerous==2.2.0",
				"jinja2==3.1.4", "legacy-sdk==0.9.0", "markupsafe==2.1.5", "mylib==", "werkzeug==3.0.3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lock, err := ReadPipfileLock(lockFixture("pipfile"), tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if got := pinList(lock.Pins); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("pins\ngot  %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestReadPipfileLockPinSources(t *testing.T) {
	tests := []struct {
		name string
		pin  string
		want Pin
	}{
		{"an entry's index names a source of _meta", "acme-auth", Pin{Name: "acme-auth", Version: "2.1.3", Source: SourceIndex,
			Ref: "https://pypi.acme.example/simple", Hashes: []string{
				"sha256:03faebb61f42e5afb5d2362b682e1d19e9d96afba1814ceea533581033aece1d",
				"sha256:52f424c9443fcd37428ea14dc367a5a68f38e8334638a1af158cb3256fa7b675"}}},
		{"an entry without an index comes from the first source", "blinker", Pin{Name: "blinker", Version: "1.8.2", Source: SourceIndex,
			Ref: "https://pypi.org/simple", Hashes: []string{
				"sha256:74b152e62fc36a3b8ad8b05b64de8f625f36934267bb1e70806ba8a35365106d",
				"sha256:f93502dafc88c44c75f9b152e7eb207bf6950da4826c0630e5f4f208bbad4659"}}},
		{"a git entry is pinned to the commit Pipenv resolved", "internal-utils", Pin{Name: "internal-utils", Source: SourceGit,
			Ref: "https://github.com/acme/internal-utils.git@9c1f6b2e4d8a7f3b5c0e1d2a3b4c5d6e7f8a9b0c"}},
		{"an editable path entry", "mylib", Pin{Name: "mylib", Source: SourcePath, Ref: "./libs/mylib", Editable: true}},
		{"a file entry is a URL", "legacy-sdk", Pin{Name: "legacy-sdk", Version: "0.9.0", Source: SourceURL,
			Ref: "https://downloads.acme.example/legacy_sdk-0.9.0-py3-none-any.whl"}},
	}
	lock, err := ReadPipfileLock(lockFixture("pipfile"), linuxTarget("3.12.4"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lockPin(t, lock, tt.pin); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

// TestReadPipfileLockKeepsSourceVariables: Pipenv writes a source URL's
// ${NAME} into the lock as the Pipfile has it and expands it at install;
// the pin keeps the name (the install expands it, never the plan).
func TestReadPipfileLockKeepsSourceVariables(t *testing.T) {
	home := writeTree(t, map[string]string{
		"Pipfile": "[packages]\nacme-auth = {version = \"*\", index = \"acme\"}\n",
		"Pipfile.lock": `{"_meta": {"pipfile-spec": 6, "sources": [
			{"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": true},
			{"name": "acme", "url": "https://${ACME_USER}:${ACME_TOKEN}@pypi.acme.example/simple", "verify_ssl": true}]},
		"default": {"acme-auth": {"version": "==2.1.3", "index": "acme", "hashes": ["sha256:03fa"]}}, "develop": {}}`,
	})
	lock, err := ReadPipfileLock(home, linuxTarget("3.12.4"))
	if err != nil {
		t.Fatal(err)
	}
	want := Pin{Name: "acme-auth", Version: "2.1.3", Source: SourceIndex, Ref: "https://${ACME_USER}:${ACME_TOKEN}@pypi.acme.example/simple", Hashes: []string{"sha256:03fa"}}
	if got := lockPin(t, lock, "acme-auth"); !reflect.DeepEqual(got, want) || !lock.IndexVariables {
		t.Errorf("got  %#v (IndexVariables %v)\nwant %#v", got, lock.IndexVariables, want)
	}
}

// TestReadPipfileLockDescribesTheLock: every [packages] entry is locked.
func TestReadPipfileLockDescribesTheLock(t *testing.T) {
	got, err := ReadPipfileLock(lockFixture("pipfile"), linuxTarget("3.12.4"))
	if err != nil {
		t.Fatal(err)
	}
	got.Pins = nil
	want := Lock{File: "Pipfile.lock", Tool: "Pipenv", RefreshCommand: "pipenv lock", Version: "6", IndexVariables: true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
}

func TestReadPipfileLockErrors(t *testing.T) {
	tests := []struct {
		name  string
		home  func(*testing.T) string
		check func(*testing.T, error)
	}{
		{"a comma lost between two entries", fixtureHome("pipfile-malformed"), func(t *testing.T, err error) {
			var syntax LockSyntaxError
			if !errors.As(err, &syntax) || syntax.File != "Pipfile.lock" || !strings.HasPrefix(syntax.Detail, "line 32, column 9: ") {
				t.Errorf("got %#v, want a LockSyntaxError at line 32, column 9 of Pipfile.lock", err)
			}
		}},
		{"pipfile-spec 5", fixtureHome("pipfile-spec5"), func(t *testing.T, err error) {
			want := LockVersionError{File: "Pipfile.lock", Found: "5", Supported: "6", Writer: "pipenv 2018.05 or later"}
			var got LockVersionError
			if !errors.As(err, &got) || got != want {
				t.Errorf("got %#v, want %#v", err, want)
			}
		}},
		{"no pipfile-spec", pipfileHome(`{"_meta": {"sources": []}, "default": {}}`), func(t *testing.T, err error) {
			var got LockVersionError
			if !errors.As(err, &got) || got.Found != "none" {
				t.Errorf("got %#v, want a LockVersionError that found none", err)
			}
		}},
		{"a marker that does not parse", fixtureHome("pipfile-bad-marker"), func(t *testing.T, err error) {
			var marker LockMarkerError
			if !errors.As(err, &marker) || marker.File != "Pipfile.lock" || marker.Package != "click" || marker.Marker != "python_version >= '3.7' and" {
				t.Errorf("got %#v, want a LockMarkerError for click", err)
			}
		}},
		{"hashes that are not a list", pipfileHome("{\"_meta\": {\"pipfile-spec\": 6},\n \"default\": {\"flask\": {\"hashes\": \"sha256:abc\"}}}"), func(t *testing.T, err error) {
			var syntax LockSyntaxError
			if !errors.As(err, &syntax) || !strings.HasPrefix(syntax.Detail, `line 2, column 34: default["flask"].hashes must be a JSON array, not string`) {
				t.Errorf("got %#v, want a LockSyntaxError at the start of the string", err)
			}
		}},
		{"a version that is not a string", pipfileHome("{\n  \"_meta\": {\"pipfile-spec\": 6},\n  \"default\": {\n    \"flask\": {\"version\": 3}\n  }\n}\n"), func(t *testing.T, err error) {
			var syntax LockSyntaxError
			if !errors.As(err, &syntax) || !strings.HasPrefix(syntax.Detail, `line 4, column 26: default["flask"].version must be a JSON string, not number`) {
				t.Errorf("got %#v, want a LockSyntaxError at line 4, column 26 naming flask", err)
			}
		}},
		{"no Pipfile.lock", func(t *testing.T) string { return t.TempDir() }, func(t *testing.T, err error) {
			if !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("got %v, want fs.ErrNotExist", err)
			}
		}},
		{"a package added to the Pipfile since pipenv lock ran", func(t *testing.T) string {
			return writeTree(t, map[string]string{"Pipfile.lock": `{"_meta": {"pipfile-spec": 6}, "default": {"flask": {"version": "==3.1.0"}}}`,
				"Pipfile": "[packages]\nFlask = \"*\"\ngunicorn = \"*\"\n\n[dev-packages]\npytest = \"*\"\n"})
		}, func(t *testing.T, err error) {
			want := LockStaleError{File: "Pipfile.lock", Manifest: "the Pipfile", Undeclared: []string{"gunicorn"}, RefreshCommand: "pipenv lock"}
			var got LockStaleError
			if !errors.As(err, &got) || !reflect.DeepEqual(got, want) {
				t.Errorf("got %#v\nwant %#v", err, want)
			}
		}},
		{"a Pipfile that is not TOML", func(t *testing.T) string {
			return writeTree(t, map[string]string{"Pipfile.lock": `{"_meta": {"pipfile-spec": 6}, "default": {}}`, "Pipfile": "[packages\n"})
		}, func(t *testing.T, err error) {
			var syntax TOMLSyntaxError
			if !errors.As(err, &syntax) || syntax.Path != "Pipfile" {
				t.Errorf("got %#v, want a TOMLSyntaxError in Pipfile", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadPipfileLock(tt.home(t), linuxTarget("3.12.4"))
			tt.check(t, err)
		})
	}
}

// pipfileHome writes lock as Pipfile.lock, without a Pipfile.
func pipfileHome(lock string) func(*testing.T) string {
	return func(t *testing.T) string { return writeTree(t, map[string]string{"Pipfile.lock": lock}) }
}
