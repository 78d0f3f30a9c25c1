package app

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
)

// must fails the test on err: for tree edits that cannot fail normally.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestTreeHash(t *testing.T) {
	base := map[string]string{
		"app.py":               "print('hi')\n",
		"bin/run":              "#!/bin/sh\n",
		"pkg/__init__.py":      "",
		".git/HEAD":            "ref: refs/heads/main\n",
		"pkg/data/config.json": "{}",
	}
	tests := []struct {
		name    string
		edit    func(t *testing.T, dir string)
		changed bool
	}{
		{"nothing", func(*testing.T, string) {}, false},
		{"content edited", func(t *testing.T, dir string) {
			must(t, os.WriteFile(filepath.Join(dir, "app.py"), []byte("print('bye')\n"), 0o644))
		}, true},
		{"file renamed", func(t *testing.T, dir string) {
			must(t, os.Rename(filepath.Join(dir, "app.py"), filepath.Join(dir, "main.py")))
		}, true},
		{"made executable", func(t *testing.T, dir string) {
			must(t, os.Chmod(filepath.Join(dir, "bin/run"), 0o755))
		}, true},
		{"permission bits changed", func(t *testing.T, dir string) {
			must(t, os.Chmod(filepath.Join(dir, "app.py"), 0o600))
		}, true},
		{"symlink added", func(t *testing.T, dir string) {
			must(t, os.Symlink("app.py", filepath.Join(dir, "link.py")))
		}, true},
		{"symlink retargeted", func(t *testing.T, dir string) {
			link := filepath.Join(dir, "config.json")
			must(t, os.Remove(link))
			must(t, os.Symlink("pkg/__init__.py", link))
		}, true},
		{"dangling symlink added", func(t *testing.T, dir string) {
			must(t, os.Symlink("nowhere", filepath.Join(dir, "link.py")))
		}, true},
		{"symlink to a directory added (not followed)", func(t *testing.T, dir string) {
			must(t, os.Symlink("pkg", filepath.Join(dir, "alias")))
		}, true},
		{"bytecode written to __pycache__", func(t *testing.T, dir string) {
			for _, d := range []string{"__pycache__", "pkg/__pycache__"} {
				must(t, os.MkdirAll(filepath.Join(dir, d), 0o755))
				must(t, os.WriteFile(filepath.Join(dir, d, "x.cpython-312.pyc"), []byte{0xcb, 0x0d}, 0o644))
			}
		}, false},
		{"skipped directory edited", func(t *testing.T, dir string) {
			must(t, os.WriteFile(filepath.Join(dir, ".git/HEAD"), []byte("ref: refs/heads/dev\n"), 0o644))
		}, false},
	}
	// Each case edits a fresh copy of base, which also holds a symlink so
	// that retargeting one can be tested.
	hash := func(t *testing.T, edit func(*testing.T, string)) string {
		dir := writeTree(t, base)
		must(t, os.Symlink("pkg/data/config.json", filepath.Join(dir, "config.json")))
		edit(t, dir)
		h, err := TreeHash(dir, ".git")
		must(t, err)
		return h
	}
	original := hash(t, func(*testing.T, string) {})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hash(t, tt.edit) != original; got != tt.changed {
				t.Errorf("hash changed = %v, want %v", got, tt.changed)
			}
		})
	}
}

func TestTreeHashResolvesASymlinkedRoot(t *testing.T) {
	dir := writeTree(t, map[string]string{"wheels/a-1.0-py3-none-any.whl": "zip"})
	link := filepath.Join(dir, "link")
	must(t, os.Symlink("wheels", link))
	direct, err := TreeHash(filepath.Join(dir, "wheels"))
	must(t, err)
	viaLink, err := TreeHash(link)
	must(t, err)
	empty, err := TreeHash(t.TempDir())
	must(t, err)
	if viaLink != direct || viaLink == empty {
		t.Errorf("via link %s, direct %s, empty %s", viaLink, direct, empty)
	}
}

// failingFS fails to open one name, as a file that cannot be read does.
type failingFS struct {
	fs.FS
	fail string
}

var errInjected = errors.New("injected read failure")

func (f failingFS) Open(name string) (fs.File, error) {
	if name == f.fail {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errInjected}
	}
	return f.FS.Open(name)
}

func TestTreeHashReturnsReadErrors(t *testing.T) {
	tree := fstest.MapFS{
		"a.txt":     {Data: []byte("a")},
		"sub/b.txt": {Data: []byte("b")},
	}
	tests := []struct {
		name string
		fail string
	}{
		{"a file cannot be opened", "a.txt"},
		{"a nested file cannot be opened", "sub/b.txt"},
		{"a directory cannot be listed", "sub"},
		{"the root cannot be listed", "."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := hashTree(failingFS{tree, tt.fail}, nil, describeEntry)
			if !errors.Is(err, errInjected) {
				t.Errorf("err = %v, want the injected failure", err)
			}
		})
	}
	if _, err := hashTree(tree, nil, describeEntry); err != nil {
		t.Errorf("without failures: %v", err)
	}
}

// Every failure to read the tree is an error naming the root, for every
// user: the cases fail for root too (CI runs as root, who reads files
// whatever their mode).
func TestTreeHashErrors(t *testing.T) {
	tests := []struct {
		name string
		root func(t *testing.T) string
	}{
		{"root does not exist", func(t *testing.T) string { return filepath.Join(t.TempDir(), "nowhere") }},
		{"root is a symlink loop", func(t *testing.T) string {
			loop := filepath.Join(t.TempDir(), "loop")
			must(t, os.Symlink(loop, loop))
			return loop
		}},
		{"unreadable directory", func(t *testing.T) string { return longTree(t, false) }},
		{"unreadable file", func(t *testing.T) string { return longTree(t, true) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := tt.root(t)
			if _, err := TreeHash(root); err == nil || !strings.Contains(err.Error(), root) {
				t.Errorf("err = %v, want an error naming %s", err, root)
			}
		})
	}
}

// longTree nests directories under a new root until a path inside it is
// too long to open (PATH_MAX, 4096 bytes, holds for root too): the deepest
// directory's own path, or with withFile that of a file in the deepest
// directory that can still be listed. It is made with *at calls, relative
// to each directory, which no length limits.
func longTree(t *testing.T, withFile bool) string {
	t.Helper()
	const pathMax = 4096
	name := strings.Repeat("d", 200)
	root := t.TempDir()
	fd, err := syscall.Open(root, syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
	must(t, err)
	path := root
	for (withFile && len(path)+1+len(name) < pathMax) || (!withFile && len(path) < pathMax) {
		must(t, syscall.Mkdirat(fd, name, 0o755))
		next, err := syscall.Openat(fd, name, syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
		must(t, err)
		syscall.Close(fd)
		fd, path = next, path+"/"+name
	}
	if withFile {
		f, err := syscall.Openat(fd, strings.Repeat("f", 250), syscall.O_CREAT|syscall.O_WRONLY, 0o644)
		must(t, err)
		syscall.Close(f)
	}
	syscall.Close(fd)
	return root
}

func TestTreeNamesChangesWithNamesNotContent(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, content string) {
		t.Helper()
		os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, rel), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("app/views.py", "a")
	names := func() string {
		t.Helper()
		h, err := TreeNames(dir, ".git")
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	before := names()
	tests := []struct {
		name    string
		change  func()
		changes bool
	}{
		{"an edit", func() { write("app/views.py", "b") }, false},
		{"bytecode", func() { write("app/__pycache__/views.cpython-313.pyc", "x") }, false},
		{"git's files", func() { write(".git/HEAD", "x") }, false},
		{"a new module", func() { write("app/models.py", "") }, true},
		{"a rename", func() { os.Rename(filepath.Join(dir, "app", "models.py"), filepath.Join(dir, "app", "forms.py")) }, true},
	}
	for _, tt := range tests {
		tt.change()
		after := names()
		if (after != before) != tt.changes {
			t.Errorf("%s: names hash changed = %v, want %v", tt.name, after != before, tt.changes)
		}
		before = after
	}
}
