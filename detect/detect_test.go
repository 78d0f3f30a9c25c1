package detect

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		pass  bool
	}{
		{"requirements.txt", []string{"requirements.txt"}, true},
		{"wsgi.py", []string{"wsgi.py"}, true},
		{"app.py", []string{"app.py"}, true},
		{"a Go app", []string{"main.go", "go.mod"}, false},
		{"empty", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tt.files {
				os.WriteFile(filepath.Join(dir, f), nil, 0o644)
			}
			t.Setenv("BP_LOG_LEVEL", "DEBUG")
			var buf bytes.Buffer
			result, err := Detector{Logger: log.NewPaketoLogger(&buf)}.Detect(libcnb.DetectContext{ApplicationPath: dir})
			if err != nil {
				t.Fatal(err)
			}
			if result.Pass != tt.pass {
				t.Errorf("Pass = %v, want %v", result.Pass, tt.pass)
			}
			if !tt.pass && !strings.Contains(buf.String(), "looked for .warpdrive, app.sh, app.py, manage.py, wsgi.py") {
				t.Errorf("a failing detect must say, at debug level, what it looked for; log:\n%s", buf.String())
			}
			if tt.pass && (len(result.Plans) != 1 || result.Plans[0].Provides[0].Name != PlanEntry) {
				t.Errorf("plans = %+v", result.Plans)
			}
		})
	}
}
