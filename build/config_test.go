package build

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/app"
)

// Settings are resolved after `.warpdrive/environment` is applied (a
// variable given to the build wins) and after build-env: both may choose the
// server; a variable that breaks the venv stops the build.
func TestResolveConfigurationSeesTheEnvironmentFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "wsgi.py"), []byte("application = None\n"), 0o644)
	os.MkdirAll(filepath.Join(dir, ".warpdrive"), 0o755)
	os.WriteFile(filepath.Join(dir, ".warpdrive", "environment"), []byte("WARPDRIVE_SERVER_TYPE=gunicorn\nGREETING=from-the-file\n"), 0o644)
	tests := []struct {
		name   string
		env    map[string]string
		server string
		err    string
	}{
		{"the file chooses", nil, "gunicorn", ""},
		{"the build's variable wins", map[string]string{"WARPDRIVE_SERVER_TYPE": "uwsgi"}, "uwsgi", ""},
		{"a variable that breaks the venv", map[string]string{"PIP_USER": "1"}, "", "PIP_USER"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, name := range []string{"WARPDRIVE_SERVER_TYPE", "GREETING", "PIP_USER"} {
				t.Setenv(name, "")
				os.Unsetenv(name)
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var out bytes.Buffer
			b := Build{Logger: log.NewPaketoLogger(&out)}
			src, err := app.ReadSource(dir)
			if err != nil {
				t.Fatal(err)
			}
			applyEnvironmentFile(src.Environment, b.Logger)
			s := &step{source: src, resolver: libpak.ConfigurationResolver{Configurations: []libpak.BuildModuleConfiguration{
				{Name: "WARPDRIVE_SERVER_TYPE", Default: "mod_wsgi", Build: true}}}}
			err = b.resolveConfiguration(s)
			if tt.err != "" {
				var ue app.UnsupportedVariableError
				if !errors.As(err, &ue) || ue.Name != tt.err {
					t.Fatalf("err = %v, want an UnsupportedVariableError for %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.server.Name != tt.server || os.Getenv("GREETING") != "from-the-file" {
				t.Errorf("server %q, GREETING %q; want %s and the file's value", s.server.Name, os.Getenv("GREETING"), tt.server)
			}
			if !strings.Contains(out.String(), "Deploy mode: wsgi (auto: found wsgi.py)") {
				t.Errorf("log:\n%s", out.String())
			}
		})
	}
}
