package app

import (
	"errors"
	"reflect"
	"testing"
)

func TestCheckRequiresPython(t *testing.T) {
	pyproject := "[project]\nname = \"app\"\nrequires-python = \"==3.12.*\"\n"
	tests := []struct {
		name    string
		files   map[string]string
		req     VersionRequest
		version string
		want    error
	}{
		{".python-version outside requires-python", map[string]string{"pyproject.toml": pyproject},
			VersionRequest{Version: "3.13", Source: SourcePythonVersionFile}, "3.13.5",
			RequiresPythonError{Request: VersionRequest{Version: "3.13", Source: SourcePythonVersionFile}, Version: "3.13.5",
				Declared: VersionRequest{Version: "==3.12.*", Source: SourceRequiresPython}}},
		{"BP_PYTHON_VERSION inside requires-python", map[string]string{"pyproject.toml": pyproject},
			VersionRequest{Version: "3.12", Source: SourceEnv}, "3.12.4", nil},
		{"requires-python chose the version itself", map[string]string{"pyproject.toml": pyproject},
			VersionRequest{Version: "==3.12.*", Source: SourceRequiresPython}, "3.12.4", nil},
		{"no project files: nothing to check", nil, VersionRequest{Version: "3.13", Source: SourceDefault}, "3.13.5", nil},
		{"Poetry's python is checked too", map[string]string{"pyproject.toml": "[tool.poetry.dependencies]\npython = \"^3.11,<3.13\"\n"},
			VersionRequest{Version: "python-3.13.5", Source: SourceRuntimeTxt}, "3.13.5",
			RequiresPythonError{Request: VersionRequest{Version: "python-3.13.5", Source: SourceRuntimeTxt}, Version: "3.13.5",
				Declared: VersionRequest{Version: "^3.11,<3.13", Source: SourcePoetry}}},
		{"the Pipfile's python_version disagrees with requires-python, which chose",
			map[string]string{"pyproject.toml": "[project]\nrequires-python = \">=3.11\"\n", "Pipfile": "[requires]\npython_version = \"3.11\"\n"},
			VersionRequest{Version: ">=3.11", Source: SourceRequiresPython}, "3.13.5",
			RequiresPythonError{Request: VersionRequest{Version: ">=3.11", Source: SourceRequiresPython}, Version: "3.13.5",
				Declared: VersionRequest{Version: "3.11", Source: SourcePipfileVersion}}},
		{"a constraint warpdrive cannot read is not a refusal", map[string]string{"pyproject.toml": "[project]\nrequires-python = \"py3\"\n"},
			VersionRequest{Version: "3.13", Source: SourceEnv}, "3.13.5", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckRequiresPython(writeTree(t, tt.files), tt.req, tt.version)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			var got RequiresPythonError
			if !errors.As(err, &got) || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("err = %#v\nwant %#v", err, tt.want)
			}
		})
	}
}
