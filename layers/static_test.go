package layers

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/internal/testpython"
)

// collectstatic imports the application (here a manage.py that imports its
// settings), and must leave no bytecode in it: the application directory is
// the image's app layer, which would then differ between a build that ran
// collectstatic and one that reused its output.
func TestCollectstaticWritesNoBytecode(t *testing.T) {
	python := testpython.Path(t)
	// Python writes bytecode by default: not whatever this machine's
	// environment says (it may set PYTHONDONTWRITEBYTECODE itself).
	t.Setenv("PYTHONDONTWRITEBYTECODE", "")
	os.Unsetenv("PYTHONDONTWRITEBYTECODE")
	home := t.TempDir()
	for rel, src := range map[string]string{
		"manage.py":          "import mysite.settings\nprint('0 static files copied')\n",
		"mysite/__init__.py": "",
		"mysite/settings.py": "STATIC_URL = '/static/'\n",
	} {
		must(t, os.MkdirAll(filepath.Join(home, filepath.Dir(rel)), 0o755))
		must(t, os.WriteFile(filepath.Join(home, rel), []byte(src), 0o644))
	}
	var logBuf bytes.Buffer
	reads, err := Collectstatic(python, home, nil, log.NewPaketoLogger(&logBuf))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(reads, filepath.Join("mysite", "settings.py")) {
		t.Errorf("collectstatic's reads %v lack mysite/settings.py", reads)
	}
	if caches, _ := filepath.Glob(filepath.Join(home, "*", "__pycache__")); len(caches) > 0 {
		t.Errorf("collectstatic wrote bytecode into the application: %v", caches)
	}
}
