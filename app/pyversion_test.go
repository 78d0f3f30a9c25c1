package app

import (
	"errors"
	"reflect"
	"strings"
	"testing"
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
