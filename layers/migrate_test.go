package layers

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/buildpacks/libcnb/v2"

	"github.com/warpdrive-buildpack/warpdrive/internal/testpython"
)

// A Django app's environment layer carries the migrate module on PYTHONPATH.
func TestEnvironmentLayerWritesTheMigrateModuleForDjango(t *testing.T) {
	for _, django := range []bool{true, false} {
		layersDir := t.TempDir()
		layer, err := EnvironmentLayer{Django: django}.Contribute(&libcnb.Layers{Path: layersDir})
		if err != nil {
			t.Fatal(err)
		}
		_, statErr := os.Stat(filepath.Join(EnvironmentPythonPath(layersDir), MigrateModule+".py"))
		path := layer.LaunchEnvironment["PYTHONPATH.prepend"]
		if django != (statErr == nil) || django != (path == EnvironmentPythonPath(layersDir)) {
			t.Errorf("Django %v: module %v, PYTHONPATH.prepend %q", django, statErr, path)
		}
	}
}

// fakeMigrateDjango is just enough of Django for the migrate module: setup, a
// connection handler whose default database is SQLite at dbPath, and an
// execute_from_command_line that records its argv and takes a while, as a
// migration does.
func fakeMigrateDjango(t *testing.T, home, dbPath string) {
	t.Helper()
	files := map[string]string{
		"django/__init__.py": "def setup():\n    pass\n",
		"django/db/__init__.py": "class _Wrapper:\n    vendor = 'sqlite'\n\n" +
			"class _Handler:\n    settings = {'default': {'NAME': " + pyQuote(dbPath) + "}}\n" +
			"    def __getitem__(self, alias):\n        return _Wrapper()\n\nconnections = _Handler()\n",
		"django/core/__init__.py": "",
		"django/core/management/__init__.py": "import sys, time\n\ndef execute_from_command_line(argv=None):\n" +
			"    print('migrating', ' '.join(argv), flush=True)\n    time.sleep(1.5)\n    print('migrated', flush=True)\n",
		"manage.py": "import sys\nfrom django.core.management import execute_from_command_line\n\n" +
			"if __name__ == '__main__':\n    execute_from_command_line(sys.argv)\n",
	}
	for name, src := range files {
		must(t, os.MkdirAll(filepath.Dir(filepath.Join(home, name)), 0o755))
		must(t, os.WriteFile(filepath.Join(home, name), []byte(src), 0o644))
	}
}

func pyQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

// Two migrate runs started together on one SQLite database run one after
// the other: the second waits for the first's lock, and manage.py gets
// migrate's arguments.
func TestMigrateModuleSerializesRunsOnSQLite(t *testing.T) {
	python := testpython.Path(t)
	home, moduleDir := t.TempDir(), t.TempDir()
	db := filepath.Join(t.TempDir(), "db.sqlite3")
	fakeMigrateDjango(t, home, db)
	must(t, writeModule(moduleDir, MigrateModule, migrateModule))
	run := func() *exec.Cmd {
		cmd := exec.Command(python, "-m", MigrateModule, "--noinput", "shop")
		cmd.Dir = home
		cmd.Env = append(os.Environ(), "PYTHONPATH="+moduleDir, "PYTHONDONTWRITEBYTECODE=1")
		return cmd
	}
	first, second := run(), run()
	var out1, out2 strings.Builder
	first.Stdout, first.Stderr = &out1, &out1
	second.Stdout, second.Stderr = &out2, &out2
	must(t, first.Start())
	time.Sleep(500 * time.Millisecond)
	must(t, second.Start())
	if err := first.Wait(); err != nil {
		t.Fatalf("first migrate: %v\n%s", err, out1.String())
	}
	if err := second.Wait(); err != nil {
		t.Fatalf("second migrate: %v\n%s", err, out2.String())
	}
	for _, c := range []struct{ what, got, want string }{
		{"the first run", out1.String(), "holding " + db + ".migrate-lock while migrating\nmigrating manage.py migrate --noinput shop\nmigrated\n"},
		{"the second run", out2.String(), "another migrate holds " + db + ".migrate-lock: waiting for it to finish\n"},
		{"the second run", out2.String(), "migrated\n"},
	} {
		if !strings.Contains(c.got, c.want) {
			t.Errorf("%s lacks %q:\n%s", c.what, c.want, c.got)
		}
	}
}

// The module's pure helpers, as migrate's own options spell them.
func TestMigrateModuleHelpers(t *testing.T) {
	python := testpython.Path(t)
	dir := t.TempDir()
	must(t, writeModule(dir, MigrateModule, migrateModule))
	script := `import warpdrive_migrate as m
print(m.database_alias(["--noinput"]), m.database_alias(["--database=other"]), m.database_alias(["shop", "--database", "replica"]))
print(m.sqlite_lock_path("/data/db.sqlite3"), m.sqlite_lock_path(":memory:"), m.sqlite_lock_path("file:memdb?mode=memory"), m.sqlite_lock_path(""))`
	cmd := exec.Command(python, "-c", script)
	cmd.Env = append(os.Environ(), "PYTHONPATH="+dir, "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	want := "default other replica\n/data/db.sqlite3.migrate-lock None None None\n"
	if err != nil || string(out) != want {
		t.Errorf("got %v\n%s\nwant\n%s", err, out, want)
	}
}
