package app

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestRequestedPythonVersionSources(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		env   map[string]string
		want  VersionRequest
	}{
		{"requires-python", map[string]string{"pyproject.toml": "[project]\nname = \"app\"\nrequires-python = \">= 3.10, <3.13\"\n"}, nil,
			VersionRequest{">= 3.10, <3.13", SourceRequiresPython}},
		{"Pipfile python_version", map[string]string{"Pipfile": "[packages]\nflask = \"*\"\n\n[requires]\npython_version = \"3.12\"\n"}, nil,
			VersionRequest{"3.12", SourcePipfileVersion}},
		{"Pipfile python_full_version beats python_version", map[string]string{"Pipfile": "[requires]\npython_version = \"3.12\"\npython_full_version = \"3.12.4\"\n"}, nil,
			VersionRequest{"3.12.4", SourcePipfileFullVersion}},
		{"Poetry", map[string]string{"pyproject.toml": "[tool.poetry]\nname = \"app\"\n\n[tool.poetry.dependencies]\npython = \"^3.11\"\ndjango = \"^5.0\"\n"}, nil,
			VersionRequest{"^3.11", SourcePoetry}},
		{"Poetry under a dotted key", map[string]string{"pyproject.toml": "tool.poetry.dependencies.python = \"~3.11\"\n"}, nil,
			VersionRequest{"~3.11", SourcePoetry}},
		{"pyproject.toml without a Python version", map[string]string{"pyproject.toml": "[project]\nname = \"app\"\n[tool.black]\nline-length = 100\n"}, nil,
			VersionRequest{"3.13", SourceDefault}},
		{"Pipfile without [requires]", map[string]string{"Pipfile": "[packages]\nflask = \"*\"\n"}, nil,
			VersionRequest{"3.13", SourceDefault}},
		{".python-version specifier", map[string]string{".python-version": ">= 3.10\n"}, nil,
			VersionRequest{">= 3.10", SourcePythonVersionFile}},
		{".python-version pre-release", map[string]string{".python-version": "3.14.0rc1\n"}, nil,
			VersionRequest{"3.14.0rc1", SourcePythonVersionFile}},
		{"runtime.txt minor", map[string]string{"runtime.txt": "python-3.12\n"}, nil,
			VersionRequest{"3.12", SourceRuntimeTxt}},
		{"runtime.txt specifier", map[string]string{"runtime.txt": "~=3.12\n"}, nil,
			VersionRequest{"~=3.12", SourceRuntimeTxt}},
		{"environment specifier", nil, map[string]string{"BP_PYTHON_VERSION": " >=3.11,<3.13 "},
			VersionRequest{">=3.11,<3.13", SourceEnv}},
		{"a malformed later file is not read", map[string]string{"runtime.txt": "python-3.12.4", "pyproject.toml": "[project\n"}, nil,
			VersionRequest{"3.12.4", SourceRuntimeTxt}},
		{"requires-python wins before a malformed Pipfile is read", map[string]string{"pyproject.toml": "[project]\nrequires-python = \">=3.11\"\n", "Pipfile": "= oops"}, nil,
			VersionRequest{">=3.11", SourceRequiresPython}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lookup := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
			got, err := RequestedPythonVersion(writeTree(t, tt.files), lookup, "3.13")
			if err != nil || got != tt.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

// TestRequestedPythonVersionPrecedence starts with every source and removes
// the winner each time: the next one in the documented order must win.
func TestRequestedPythonVersionPrecedence(t *testing.T) {
	env := map[string]string{"BP_PYTHON_VERSION": "3.14"}
	files := map[string]string{
		".python-version": "3.13\n",
		"runtime.txt":     "python-3.12.4\n",
		"pyproject.toml":  "[project]\nrequires-python = \">=3.11\"\n\n[tool.poetry.dependencies]\npython = \"^3.9\"\n",
		"Pipfile":         "[requires]\npython_version = \"3.10\"\n",
	}
	steps := []struct {
		want   VersionRequest
		remove func()
	}{
		{VersionRequest{"3.14", SourceEnv}, func() { delete(env, "BP_PYTHON_VERSION") }},
		{VersionRequest{"3.13", SourcePythonVersionFile}, func() { delete(files, ".python-version") }},
		{VersionRequest{"3.12.4", SourceRuntimeTxt}, func() { delete(files, "runtime.txt") }},
		{VersionRequest{">=3.11", SourceRequiresPython}, func() {
			files["pyproject.toml"] = "[project]\nname = \"app\"\n\n[tool.poetry.dependencies]\npython = \"^3.9\"\n"
		}},
		{VersionRequest{"3.10", SourcePipfileVersion}, func() { delete(files, "Pipfile") }},
		{VersionRequest{"^3.9", SourcePoetry}, func() { delete(files, "pyproject.toml") }},
		{VersionRequest{"3.8", SourceDefault}, nil},
	}
	for _, s := range steps {
		lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
		got, err := RequestedPythonVersion(writeTree(t, files), lookup, "3.8")
		if err != nil || got != s.want {
			t.Fatalf("got %+v, %v; want %+v", got, err, s.want)
		}
		if s.remove != nil {
			s.remove()
		}
	}
}

func TestRequestedPythonVersionInvalidValues(t *testing.T) {
	tests := []struct {
		name   string
		files  map[string]string
		env    map[string]string
		want   VersionError
		reason string
	}{
		{"pyenv name", map[string]string{".python-version": "pypy3.10\n"}, nil, VersionError{Source: SourcePythonVersionFile, Value: "pypy3.10"}, ""},
		{"pyenv system", map[string]string{".python-version": "system\n"}, nil, VersionError{Source: SourcePythonVersionFile, Value: "system"}, ""},
		{"major only", map[string]string{".python-version": "3\n"}, nil, VersionError{Source: SourcePythonVersionFile, Value: "3"}, ""},
		{"python3", map[string]string{".python-version": "python3\n"}, nil, VersionError{Source: SourcePythonVersionFile, Value: "python3"}, ""},
		{"operator without a version", map[string]string{".python-version": ">=\n"}, nil, VersionError{Source: SourcePythonVersionFile, Value: ">="}, ""},
		{"environment", nil, map[string]string{"BP_PYTHON_VERSION": "banana"}, VersionError{Source: SourceEnv, Value: "banana"}, ""},
		{"runtime.txt", map[string]string{"runtime.txt": "python-three\n"}, nil, VersionError{Source: SourceRuntimeTxt, Value: "three"}, ""},
		{"requires-python", map[string]string{"pyproject.toml": "[project]\nrequires-python = \"~=3\"\n"}, nil,
			VersionError{Source: SourceRequiresPython, Value: "~=3"}, "two digits"},
		{"requires-python not a string", map[string]string{"pyproject.toml": "[project]\nrequires-python = 3.12\n"}, nil,
			VersionError{Source: SourceRequiresPython, Value: "3.12"}, "must be a string"},
		{"empty requires-python", map[string]string{"pyproject.toml": "[project]\nrequires-python = \"\"\n"}, nil,
			VersionError{Source: SourceRequiresPython, Value: ""}, ""},
		{"Pipfile", map[string]string{"Pipfile": "[requires]\npython_version = \"latest\"\n"}, nil,
			VersionError{Source: SourcePipfileVersion, Value: "latest"}, ""},
		{"Pipfile full version", map[string]string{"Pipfile": "[requires]\npython_full_version = \"3.12.x\"\n"}, nil,
			VersionError{Source: SourcePipfileFullVersion, Value: "3.12.x"}, ""},
		{"Poetry", map[string]string{"pyproject.toml": "[tool.poetry.dependencies]\npython = \"^three\"\n"}, nil,
			VersionError{Source: SourcePoetry, Value: "^three"}, "^ needs a version"},
		{"Poetry table", map[string]string{"pyproject.toml": "[tool.poetry.dependencies]\npython = { version = \"^3.11\" }\n"}, nil,
			VersionError{Source: SourcePoetry, Value: "map[version:^3.11]"}, "must be a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lookup := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
			got, err := RequestedPythonVersion(writeTree(t, tt.files), lookup, "3.13")
			var verr VersionError
			if !errors.As(err, &verr) {
				t.Fatalf("got %+v, %v; want a VersionError", got, err)
			}
			if verr.Source != tt.want.Source || verr.Value != tt.want.Value || !strings.Contains(verr.Reason, tt.reason) {
				t.Errorf("err = %#v, want %#v with reason %q", verr, tt.want, tt.reason)
			}
			if got != (VersionRequest{}) {
				t.Errorf("got %+v with the error", got)
			}
		})
	}
}

func TestRequestedPythonVersionMalformedTOML(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  TOMLSyntaxError // Err and Message are not compared
		says  string
	}{
		{"pyproject.toml", map[string]string{"pyproject.toml": "[project]\nname = \"app\"\nrequires-python = >=3.11\n"},
			TOMLSyntaxError{Path: "pyproject.toml", Line: 3, Column: 19}, "pyproject.toml is not valid TOML: line 3, column 19: "},
		{"pyproject.toml unclosed table", map[string]string{"pyproject.toml": "[tool.poetry\n"},
			TOMLSyntaxError{Path: "pyproject.toml", Line: 1}, "pyproject.toml is not valid TOML: line 1"},
		{"Pipfile", map[string]string{"Pipfile": "[packages]\nflask = \"*\"\nflask = \"*\"\n"},
			TOMLSyntaxError{Path: "Pipfile", Line: 3}, "Pipfile is not valid TOML: line 3"},
		{"Pipfile after a pyproject.toml without requires-python", map[string]string{
			"pyproject.toml": "[tool.poetry.dependencies]\npython = \"^3.11\"\n", "Pipfile": "[requires]\npython_version = 3.12\"\n"},
			TOMLSyntaxError{Path: "Pipfile", Line: 2}, "Pipfile is not valid TOML: line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := RequestedPythonVersion(writeTree(t, tt.files), func(string) (string, bool) { return "", false }, "3.13")
			var terr TOMLSyntaxError
			if !errors.As(err, &terr) {
				t.Fatalf("err = %v, want a TOMLSyntaxError", err)
			}
			if terr.Path != tt.want.Path || terr.Line != tt.want.Line || (tt.want.Column != 0 && terr.Column != tt.want.Column) || terr.Message == "" {
				t.Errorf("err = %#v, want %#v", terr, tt.want)
			}
			if !strings.Contains(err.Error(), tt.says) {
				t.Errorf("message %q does not say %q", err.Error(), tt.says)
			}
		})
	}
}

// TestRequestAndResolve follows a request from the application's files to the
// version the build installs.
func TestRequestAndResolve(t *testing.T) {
	available := []string{"3.10.21", "3.11.2", "3.12.14", "3.13.5"}
	tests := []struct {
		name          string
		files         map[string]string
		want, warning string
	}{
		{"dead patch in runtime.txt", map[string]string{"runtime.txt": "python-3.11.1\n"}, "3.11.2",
			"runtime.txt asks for Python 3.11.1, which this buildpack does not provide; using 3.11.2, the newest 3.11 release"},
		{"requires-python range", map[string]string{"pyproject.toml": "[project]\nrequires-python = \">=3.10,<3.13\"\n"}, "3.12.14", ""},
		{"Pipfile minor", map[string]string{"Pipfile": "[requires]\npython_version = \"3.11\"\n"}, "3.11.2", ""},
		{"Pipfile full version", map[string]string{"Pipfile": "[requires]\npython_full_version = \"3.12.4\"\n"}, "3.12.14",
			"Pipfile [requires] python_full_version asks for Python 3.12.4, which this buildpack does not provide; using 3.12.14, the newest 3.12 release"},
		{"Poetry caret", map[string]string{"pyproject.toml": "[tool.poetry.dependencies]\npython = \"^3.10\"\n"}, "3.13.5", ""},
		{"Poetry tilde", map[string]string{"pyproject.toml": "[tool.poetry.dependencies]\npython = \"~3.10\"\n"}, "3.10.21", ""},
		{"default", nil, "3.13.5", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := RequestedPythonVersion(writeTree(t, tt.files), func(string) (string, bool) { return "", false }, "3.13")
			if err != nil {
				t.Fatal(err)
			}
			got, err := ResolvePythonVersion(req, available)
			if err != nil || !reflect.DeepEqual(got, Resolution{Version: tt.want, Warning: tt.warning}) {
				t.Errorf("got %+v, %v; want %q, warning %q", got, err, tt.want, tt.warning)
			}
		})
	}

	req, _ := RequestedPythonVersion(writeTree(t, map[string]string{".python-version": "3.9\n"}), func(string) (string, bool) { return "", false }, "3.13")
	_, err := ResolvePythonVersion(req, available)
	var unavailable UnavailableVersionError
	if !errors.As(err, &unavailable) || !reflect.DeepEqual(unavailable.Available, available) || unavailable.Request != req {
		t.Errorf("unprovided minor: err = %#v", err)
	}
}
