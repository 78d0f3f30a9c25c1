package app

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/Masterminds/semver/v3"
)

func TestRequestedPythonVersionFileErrors(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		env     map[string]string
		want    VersionRequest
		wantErr *VersionFileError
		message string
	}{
		{"several versions", map[string]string{".python-version": "3.12\n3.11\n"}, nil,
			VersionRequest{}, &VersionFileError{".python-version", []string{"3.12", "3.11"}},
			".python-version names several Python versions (3.12, 3.11), but the buildpack installs only one"},
		{"several versions among comments", map[string]string{".python-version": "# pyenv\n3.12.4  # app\n\n3.11 # tools\n"}, nil,
			VersionRequest{}, &VersionFileError{".python-version", []string{"3.12.4", "3.11"}}, "several"},
		{"only comments, even with runtime.txt", map[string]string{".python-version": "# pick one\n\n", "runtime.txt": "python-3.12.4"}, nil,
			VersionRequest{}, &VersionFileError{".python-version", nil},
			".python-version names no Python version: it holds only blank lines and comments"},
		{"empty file", map[string]string{".python-version": ""}, nil,
			VersionRequest{}, &VersionFileError{".python-version", nil}, "no Python version"},
		{"environment wins over the file", map[string]string{".python-version": "3.12\n3.11\n"}, map[string]string{"BP_PYTHON_VERSION": "3.13"},
			VersionRequest{"3.13", "BP_PYTHON_VERSION"}, nil, ""},
		{"runtime.txt with only comments still falls through", map[string]string{"runtime.txt": "# none\n"}, nil,
			VersionRequest{"3.13", "the buildpack default"}, nil, ""},
		{"runtime.txt still takes its first line", map[string]string{"runtime.txt": "python-3.12.4\npython-3.11.9\n"}, nil,
			VersionRequest{"3.12.4", "runtime.txt"}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lookup := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
			got, err := RequestedPythonVersion(writeTree(t, tt.files), lookup, "3.13")
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if tt.wantErr == nil {
				if err != nil {
					t.Errorf("err = %v, want none", err)
				}
				return
			}
			var fileErr VersionFileError
			if !errors.As(err, &fileErr) || !reflect.DeepEqual(fileErr, *tt.wantErr) {
				t.Fatalf("err = %#v, want %#v", err, *tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("message %q does not say %q", err.Error(), tt.message)
			}
		})
	}
}

func TestSpecifierNormalizesEachForm(t *testing.T) {
	tests := []struct {
		source, version string
		want            string // "" means a VersionError
		reason          string // part of the error's Reason, if any
	}{
		// Bare versions: 3.X is any 3.X.x, 3.X.Y exactly that release.
		{SourcePythonVersionFile, "3.12", "==3.12.*", ""},
		{SourcePythonVersionFile, "3.12.4", "==3.12.4", ""},
		{SourcePythonVersionFile, "3.14.0rc1", "==3.14.0rc1", ""},
		{SourceRuntimeTxt, "3.12.*", "==3.12.*", ""},
		{SourceEnv, "3.*", "==3.*", ""},
		// PEP 440 specifiers, with the spaces PEP 440 allows.
		{SourceRequiresPython, ">=3.10", ">=3.10", ""},
		{SourceRequiresPython, ">= 3.10, <3.13", ">=3.10,<3.13", ""},
		{SourceRequiresPython, " >=3.10 ,  < 3.13 ", ">=3.10,<3.13", ""},
		{SourceRequiresPython, "~=3.12", "~=3.12", ""},
		{SourceRequiresPython, "~= 3.12.1", "~=3.12.1", ""},
		{SourceRequiresPython, "==3.12.*", "==3.12.*", ""},
		{SourceRequiresPython, "!=3.12.1", "!=3.12.1", ""},
		{SourceRequiresPython, "==3.12.*,!=3.12.1", "==3.12.*,!=3.12.1", ""},
		{SourceRequiresPython, "===3.12.4", "===3.12.4", ""},
		{SourceRequiresPython, ">3.11, <=3.13", ">3.11,<=3.13", ""},
		{SourceEnv, "~=3.12", "~=3.12", ""},
		{SourcePipfileVersion, "3.12", "==3.12.*", ""},
		{SourcePipfileFullVersion, "3.12.4", "==3.12.4", ""},
		// Not versions or specifiers.
		{SourcePythonVersionFile, "python3", "", ""},
		{SourcePythonVersionFile, "3", "", ""},
		{SourcePythonVersionFile, "banana", "", ""},
		{SourcePythonVersionFile, ">=", "", ""},
		{SourcePythonVersionFile, "pypy3.10", "", ""},
		{SourcePythonVersionFile, "pypy3.10-7.3.12", "", ""},
		{SourcePythonVersionFile, "system", "", ""},
		{SourcePythonVersionFile, "3.12-dev", "", ""},
		{SourcePythonVersionFile, "3.12.4t", "", ""},
		{SourcePythonVersionFile, "3.12.4.1", "", ""},
		{SourceRuntimeTxt, "2.7.18", "", ""},
		{SourceEnv, "", "", ""},
		{SourceRequiresPython, "3.12,", "", ""},
		{SourceRequiresPython, ">=3.10 <3.13", "", ""},
		{SourceRequiresPython, ">=3.10<3.13", "", ""},
		{SourceRequiresPython, ">=3.10 || <3", "", "no alternatives"},
		{SourceRequiresPython, "^3.11", "", ""},
		{SourceRequiresPython, "~=3", "", "at least two digits"},
		{SourceRequiresPython, ">=3.12.*", "", "wild card"},
	}
	for _, tt := range tests {
		t.Run(tt.source+" "+tt.version, func(t *testing.T) {
			got, err := VersionRequest{Version: tt.version, Source: tt.source}.Specifier()
			if tt.want != "" {
				if err != nil || got != tt.want {
					t.Fatalf("Specifier() = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			var verr VersionError
			if !errors.As(err, &verr) {
				t.Fatalf("Specifier() = %q, %v; want a VersionError", got, err)
			}
			if verr.Source != tt.source || verr.Value != tt.version || !strings.Contains(verr.Reason, tt.reason) {
				t.Errorf("error = %#v, want source %q, value %q, reason with %q", verr, tt.source, tt.version, tt.reason)
			}
			if !strings.Contains(err.Error(), tt.source+` asks for Python "`+tt.version+`"`) {
				t.Errorf("message %q names neither the source nor the value", err.Error())
			}
		})
	}
}

func TestSpecifierTranslatesPoetryConstraints(t *testing.T) {
	tests := []struct {
		poetry, want string // want "" means a VersionError
	}{
		{"^3.11", ">=3.11,<4.0"},
		{"^3.11.2", ">=3.11.2,<4.0"},
		{"^3", ">=3,<4.0"},
		{"~3.11", ">=3.11,<3.12"},
		{"~3.11.2", ">=3.11.2,<3.12"},
		{"~3", ">=3,<4.0"},
		{"~=3.11", "~=3.11"},
		{"3.11.*", "==3.11.*"},
		{"3.11", "==3.11.*"},
		{"3.11.2", "==3.11.2"},
		{"==3.11.2", "==3.11.2"},
		{">=3.10,<3.13", ">=3.10,<3.13"},
		{">= 3.10, < 3.13", ">=3.10,<3.13"},
		{">=3.10 <3.13", ">=3.10,<3.13"},
		{"!=3.11.1", "!=3.11.1"},
		{"*", ">=0"},
		{"~3.10 || ~3.12", ">=3.10,<3.11||>=3.12,<3.13"},
		{">=3.8,<3.9 | ^3.12", ">=3.8,<3.9||>=3.12,<4.0"},
		{"^banana", ""},
		{"^3.11rc1", ""},
		{"^", ""},
		{"~3.11.2.1", ""},
		{"||", ""},
		{"python", ""},
	}
	for _, tt := range tests {
		t.Run(tt.poetry, func(t *testing.T) {
			got, err := VersionRequest{Version: tt.poetry, Source: SourcePoetry}.Specifier()
			if tt.want == "" {
				var verr VersionError
				if !errors.As(err, &verr) || verr.Source != SourcePoetry || !strings.Contains(err.Error(), "Poetry constraint") {
					t.Fatalf("Specifier() = %q, %v; want a VersionError about a Poetry constraint", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Specifier() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// provided mixes orders and version spellings on purpose.
var provided = []string{"3.13.5", "3.10.21", "3.12.0", "3.11.2", "3.12.14", "3.14.0b3", "3.14.0rc1", "not-a-version"}

func TestResolvePythonVersion(t *testing.T) {
	tests := []struct {
		name, source, version string
		want, warning         string // want "" means an UnavailableVersionError
	}{
		{"minor picks its newest patch", SourcePythonVersionFile, "3.12", "3.12.14", ""},
		{"provided exact patch", SourcePythonVersionFile, "3.12.0", "3.12.0", ""},
		{"default", SourceDefault, "3.13", "3.13.5", ""},
		{">= picks the newest final release", SourceRequiresPython, ">=3.10", "3.13.5", ""},
		{"range", SourceRequiresPython, ">= 3.10, <3.13", "3.12.14", ""},
		{"compatible minor", SourceRequiresPython, "~=3.12", "3.13.5", ""},
		{"compatible patch", SourceRequiresPython, "~=3.12.0", "3.12.14", ""},
		{"wildcard", SourceRequiresPython, "==3.12.*", "3.12.14", ""},
		{"bare wildcard", SourceRuntimeTxt, "3.12.*", "3.12.14", ""},
		{"exclusion", SourceEnv, "!=3.13.5", "3.12.14", ""},
		{"exclusion in a wildcard", SourceEnv, "==3.12.*, !=3.12.14", "3.12.0", ""},
		{"arbitrary equality", SourceEnv, "===3.11.2", "3.11.2", ""},
		{"poetry caret", SourcePoetry, "^3.11", "3.13.5", ""},
		{"poetry tilde", SourcePoetry, "~3.11", "3.11.2", ""},
		{"poetry alternatives: any may match", SourcePoetry, "~3.9 || ~3.12", "3.12.14", ""},
		{"pipfile full version", SourcePipfileFullVersion, "3.11.2", "3.11.2", ""},

		{"unprovided patch falls back to its minor", SourceRuntimeTxt, "3.11.1", "3.11.2",
			"runtime.txt asks for Python 3.11.1, which this buildpack does not provide; using 3.11.2, the newest 3.11 release"},
		{"newer unprovided patch falls back too", SourcePythonVersionFile, "3.12.99", "3.12.14",
			".python-version asks for Python 3.12.99, which this buildpack does not provide; using 3.12.14, the newest 3.12 release"},
		{"== patch falls back", SourceRequiresPython, "==3.11.1", "3.11.2",
			"pyproject.toml [project] requires-python asks for Python ==3.11.1, which this buildpack does not provide; using 3.11.2, the newest 3.11 release"},
		{"pipfile full version falls back", SourcePipfileFullVersion, "3.12.4", "3.12.14", "using 3.12.14, the newest 3.12 release"},

		{"unprovided minor", SourcePythonVersionFile, "3.9", "", ""},
		{"patch of an unprovided minor", SourceRuntimeTxt, "3.9.7", "", ""},
		{"nothing satisfies", SourceRequiresPython, ">=3.15", "", ""},
		{"a range never falls back", SourceRequiresPython, ">=3.11.3,<3.12", "", ""},

		{"pre-releases are not newest", SourceRequiresPython, ">3.13.5", "", ""},
		{"a minor with only pre-releases", SourcePythonVersionFile, "3.14", "", ""},
		{"pre-release asked for exactly", SourcePythonVersionFile, "3.14.0rc1", "3.14.0rc1", ""},
		{"specifier naming a pre-release", SourceRequiresPython, ">=3.14.0b1", "3.14.0rc1", ""},
		{"unprovided pre-release falls back to a pre-release", SourcePythonVersionFile, "3.14.0rc2", "3.14.0rc1",
			".python-version asks for Python 3.14.0rc2, which this buildpack does not provide; using 3.14.0rc1, the newest 3.14 release"},
		{"unprovided final release does not fall back to a pre-release", SourcePythonVersionFile, "3.14.0", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := VersionRequest{Version: tt.version, Source: tt.source}
			got, err := ResolvePythonVersion(req, provided)
			if tt.want == "" {
				var unavailable UnavailableVersionError
				if !errors.As(err, &unavailable) {
					t.Fatalf("got %+v, %v; want an UnavailableVersionError", got, err)
				}
				want := UnavailableVersionError{Request: req,
					Available: []string{"3.10.21", "3.11.2", "3.12.0", "3.12.14", "3.13.5", "3.14.0b3", "3.14.0rc1"}}
				if !reflect.DeepEqual(unavailable, want) {
					t.Errorf("err = %#v, want %#v", unavailable, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if got.Version != tt.want || !strings.Contains(got.Warning, tt.warning) || (tt.warning == "") != (got.Warning == "") {
				t.Errorf("got %+v, want version %q, warning %q", got, tt.want, tt.warning)
			}
		})
	}
}

func TestResolvePythonVersionErrors(t *testing.T) {
	_, err := ResolvePythonVersion(VersionRequest{Version: "banana", Source: SourceEnv}, provided)
	var verr VersionError
	if !errors.As(err, &verr) || verr.Source != SourceEnv {
		t.Errorf("invalid request: err = %v, want a VersionError", err)
	}

	_, err = ResolvePythonVersion(VersionRequest{Version: "3.9", Source: ".python-version"}, []string{"3.13.5", "3.11.2"})
	want := ".python-version asks for Python 3.9, but no provided version satisfies it; this buildpack provides: 3.11.2, 3.13.5"
	if err == nil || err.Error() != want {
		t.Errorf("unavailable: err = %v, want %q", err, want)
	}

	_, err = ResolvePythonVersion(VersionRequest{Version: "3.12", Source: SourceDefault}, nil)
	if err == nil || !strings.HasSuffix(err.Error(), "this buildpack provides: no Python versions") {
		t.Errorf("nothing provided: err = %v", err)
	}
}

// TestConstraintAgreesWithResolve checks that the semver constraint libpak's
// resolver gets picks what ResolvePythonVersion picks, for final releases.
func TestConstraintAgreesWithResolve(t *testing.T) {
	finals := []string{"3.10.21", "3.11.2", "3.12.0", "3.12.14", "3.13.5"}
	tests := []struct {
		req        VersionRequest
		constraint string
	}{
		{VersionRequest{"3.12", SourcePythonVersionFile}, "3.12.*"},
		{VersionRequest{"3.12.0", SourcePythonVersionFile}, "3.12.0"},
		{VersionRequest{"3.12.*", SourceRuntimeTxt}, "3.12.*"},
		{VersionRequest{">= 3.10, <3.13", SourceRequiresPython}, ">=3.10, <3.13"},
		{VersionRequest{"~=3.12", SourceRequiresPython}, ">=3.12, <4.0"},
		{VersionRequest{"~=3.11.0", SourceRequiresPython}, ">=3.11.0, <3.12"},
		{VersionRequest{"!=3.13.5", SourceEnv}, "!=3.13.5"},
		{VersionRequest{"==3.12.*,!=3.12.14", SourceEnv}, "3.12.*, !=3.12.14"},
		{VersionRequest{"^3.11", SourcePoetry}, ">=3.11, <4.0"},
		{VersionRequest{"~3.10 || ~3.12", SourcePoetry}, ">=3.10, <3.11 || >=3.12, <3.13"},
		{VersionRequest{"*", SourcePoetry}, ">=0"},
		{VersionRequest{"banana", SourceEnv}, "banana"},
	}
	for _, tt := range tests {
		t.Run(tt.req.Source+" "+tt.req.Version, func(t *testing.T) {
			if got := tt.req.Constraint(); got != tt.constraint {
				t.Fatalf("Constraint() = %q, want %q", got, tt.constraint)
			}
			want, err := ResolvePythonVersion(tt.req, finals)
			if err != nil {
				return // nothing to agree on
			}
			c, err := semver.NewConstraint(tt.constraint)
			if err != nil {
				t.Fatalf("semver cannot parse %q: %v", tt.constraint, err)
			}
			var best *semver.Version
			for _, f := range finals {
				if v := semver.MustParse(f); c.Check(v) && (best == nil || v.GreaterThan(best)) {
					best = v
				}
			}
			if best == nil || best.Original() != want.Version {
				t.Errorf("semver picks %v, ResolvePythonVersion %q", best, want.Version)
			}
		})
	}
}
