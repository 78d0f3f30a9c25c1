package launch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSplitModWSGIStart(t *testing.T) {
	tests := []struct {
		name     string
		argv     string
		wantOK   bool
		wantRoot string
	}{
		{"warpdrive's command", "mod_wsgi-express start-server --server-root /tmp/mod_wsgi-server --port 8080", true, "/tmp/mod_wsgi-server"},
		{"a later --server-root wins", "mod_wsgi-express start-server --server-root /tmp/a --port 8080 --server-root /tmp/b", true, "/tmp/b"},
		{"--server-root=DIR", "/layers/warpdrive/venv/bin/mod_wsgi-express start-server --server-root=/tmp/c", true, "/tmp/c"},
		{"no --server-root", "mod_wsgi-express start-server wsgi.py", true, "/tmp/mod_wsgi-server"},
		{"another subcommand", "mod_wsgi-express setup-server wsgi.py", false, ""},
		{"another server", "gunicorn --bind :8080 wsgi:app", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := splitModWSGIStart(strings.Fields(tt.argv))
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tt.wantOK)
			}
			if !ok {
				return
			}
			if m.ServerRoot != tt.wantRoot {
				t.Errorf("server root %q, want %q", m.ServerRoot, tt.wantRoot)
			}
			if want := tt.argv + " --setup-only"; strings.Join(m.Setup, " ") != want {
				t.Errorf("setup = %q, want %q", strings.Join(m.Setup, " "), want)
			}
		})
	}
}

func TestApacheArgvReadsTheScriptsInterpreter(t *testing.T) {
	root := t.TempDir()
	m := modWSGIStart{ServerRoot: root}
	if _, err := m.ApacheArgv(); err == nil {
		t.Error("no apachectl: no error")
	}
	script := filepath.Join(root, "apachectl")
	os.WriteFile(script, []byte("#!/bin/bash\n\nHTTPD=/usr/sbin/apache2\n"), 0o644)
	argv, err := m.ApacheArgv()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(argv, " "), "/bin/bash "+script+" start -DFOREGROUND"; got != want {
		t.Errorf("argv = %q, want %q", got, want)
	}
	os.WriteFile(script, []byte("HTTPD=/usr/sbin/apache2\n"), 0o644)
	if _, err := m.ApacheArgv(); err == nil {
		t.Error("a script without #!: no error")
	}
}
