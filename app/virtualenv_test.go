package app

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestFindCommittedVirtualenvs(t *testing.T) {
	tests := []struct {
		name     string
		files    []string
		home     string
		wantDirs []string
	}{
		{"none", []string{"manage.py", "mysite/settings.py", "static/site.css"}, "", nil},
		{"a .venv at the root", []string{"manage.py", ".venv/pyvenv.cfg", ".venv/bin/python"}, "", []string{".venv/"}},
		{"two, one in the home", []string{"venv/pyvenv.cfg", "backend/manage.py", "backend/env/pyvenv.cfg"}, "backend", []string{"backend/env/", "venv/"}},
		// A venv's own name is no sign: only pyvenv.cfg is.
		{"a directory named venv without pyvenv.cfg", []string{"venv/notes.txt"}, "", nil},
		{"a pyvenv.cfg deeper down is not looked for", []string{"tools/x/.venv/pyvenv.cfg"}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			for _, f := range tt.files {
				os.MkdirAll(filepath.Join(root, filepath.Dir(f)), 0o755)
				content := ""
				if filepath.Base(f) == "pyvenv.cfg" {
					content = "home = /Users/dev/.pyenv/versions/3.12.1/bin\ninclude-system-site-packages = false\n"
				}
				os.WriteFile(filepath.Join(root, f), []byte(content), 0o644)
			}
			err := FindCommittedVirtualenvs(Source{Root: root, Home: filepath.Join(root, tt.home)})
			var ve CommittedVirtualenvError
			if tt.wantDirs == nil {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			if !errors.As(err, &ve) || !reflect.DeepEqual(ve.Dirs, tt.wantDirs) || ve.Home != "/Users/dev/.pyenv/versions/3.12.1/bin" {
				t.Fatalf("err = %#v, want the virtualenvs %v made with /Users/dev/.pyenv/versions/3.12.1/bin", err, tt.wantDirs)
			}
		})
	}
}
