package app

import (
	"errors"
	"strings"
	"testing"
)

func TestUninstallableInput(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"nothing", map[string]string{"wsgi.py": ""}, ""},
		{"a lock wins over its manifest", map[string]string{"Pipfile": "", "Pipfile.lock": "{}"}, "Pipfile.lock"},
		{"uv.lock", map[string]string{"pyproject.toml": "[project]\nname='x'\n", "uv.lock": ""}, "uv.lock"},
		{"a project", map[string]string{"pyproject.toml": "[project]\nname = 'x'\ndependencies = ['flask']\n"}, "pyproject.toml"},
		{"tool configuration only", map[string]string{"pyproject.toml": "[tool.black]\nline-length = 100\n"}, ""},
		{"setup.py", map[string]string{"setup.py": ""}, "setup.py"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, ok := UninstallableInput(writeTree(t, tt.files))
			if in.File != tt.want || ok != (tt.want != "") {
				t.Errorf("UninstallableInput = %q, %v; want %q", in.File, ok, tt.want)
			}
			var err error = in
			var de DependencyInputError
			if ok && (!errors.As(err, &de) || !strings.Contains(in.Error(), tt.want) || in.Fix == "") {
				t.Errorf("error %v lacks the file or the fix", in)
			}
		})
	}
}
