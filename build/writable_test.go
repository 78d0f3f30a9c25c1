package build

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"
)

// What the build creates in the application directory gets its owner's
// permissions for group and others; the source keeps its modes.
func TestMakeBuildOutputWritable(t *testing.T) {
	type entry struct {
		path string
		mode os.FileMode // 0 for a directory made with 0o755
	}
	tests := []struct {
		name    string
		source  []entry
		created []entry
		modes   map[string]os.FileMode // after
		roots   []string
		count   int
	}{
		{"collectstatic's STATIC_ROOT tree",
			[]entry{{"manage.py", 0o644}, {"mysite", 0}, {"mysite/settings.py", 0o644}},
			[]entry{{"staticfiles", 0}, {"staticfiles/admin", 0}, {"staticfiles/admin/base.css", 0o644}, {"staticfiles/staticfiles.json", 0o600}},
			map[string]os.FileMode{"manage.py": 0o644, "mysite": 0o755, "mysite/settings.py": 0o644, ".": 0o755,
				"staticfiles": 0o777, "staticfiles/admin": 0o777, "staticfiles/admin/base.css": 0o666, "staticfiles/staticfiles.json": 0o666},
			[]string{"staticfiles"}, 4},
		{"a placeholder directory is the build's to fill",
			[]entry{{"staticfiles", 0}, {"staticfiles/.gitkeep", 0o644}},
			[]entry{{"staticfiles/site.css", 0o644}},
			map[string]os.FileMode{"staticfiles": 0o777, "staticfiles/.gitkeep": 0o644, "staticfiles/site.css": 0o666},
			[]string{"staticfiles"}, 1},
		{"a file written beside the source: the directory stays",
			[]entry{{"app.py", 0o644}, {"bin", 0}, {"bin/run", 0o755}},
			[]entry{{"REVISION", 0o644}, {"bin/generated", 0o700}},
			map[string]os.FileMode{".": 0o755, "app.py": 0o644, "bin": 0o755, "bin/run": 0o755, "REVISION": 0o666, "bin/generated": 0o777},
			[]string{"REVISION", "bin/generated"}, 2},
		{"bytecode caches are left alone",
			[]entry{{"app.py", 0o644}},
			[]entry{{"__pycache__", 0}, {"__pycache__/app.cpython-313.pyc", 0o644}},
			map[string]os.FileMode{"__pycache__": 0o755, "__pycache__/app.cpython-313.pyc": 0o644},
			nil, 0},
		{"nothing created", []entry{{"app.py", 0o644}}, nil, map[string]os.FileMode{"app.py": 0o644}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			os.Chmod(root, 0o755)
			make := func(entries []entry) {
				for _, e := range entries {
					p := filepath.Join(root, e.path)
					if e.mode == 0 {
						os.Mkdir(p, 0o755)
						os.Chmod(p, 0o755)
						continue
					}
					os.WriteFile(p, nil, e.mode)
					os.Chmod(p, e.mode)
				}
			}
			make(tt.source)
			before, err := readSourceTree(root)
			if err != nil {
				t.Fatal(err)
			}
			make(tt.created)
			if len(tt.created) > 0 {
				os.Symlink("app.py", filepath.Join(root, "link"))
			}
			w, err := makeBuildOutputWritable(root, before)
			if err != nil {
				t.Fatal(err)
			}
			for path, want := range tt.modes {
				fi, err := os.Stat(filepath.Join(root, path))
				if err != nil {
					t.Fatal(err)
				}
				if got := fi.Mode().Perm(); got != want {
					t.Errorf("%s: mode %o, want %o", path, got, want)
				}
			}
			if !reflect.DeepEqual(w.Roots, tt.roots) || w.Count != tt.count {
				t.Errorf("got %+v, want roots %v count %d", w, tt.roots, tt.count)
			}
		})
	}
}

func TestRuntimeWritableLogs(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "manage.py"), nil, 0o644)
	before, _ := readSourceTree(root)
	os.MkdirAll(filepath.Join(root, "staticfiles", "admin"), 0o755)
	s := &step{ctx: libcnb.BuildContext{ApplicationPath: root}, sourceTree: before}
	var out bytes.Buffer
	if err := (Build{Logger: log.NewPaketoLogger(&out)}).runtimeWritable(s); err != nil {
		t.Fatal(err)
	}
	if want := "Writable at run time: staticfiles/ (2 files and directories the build created"; !strings.Contains(out.String(), want) {
		t.Errorf("log lacks %q:\n%s", want, out.String())
	}
}
