package build

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Files the build creates in the application directory (collectstatic's
// STATIC_ROOT, what a build hook writes) are owned in the image by the
// build's user, 1000:1000 (the lifecycle stores /workspace with the build
// image's CNB_USER_ID:CNB_GROUP_ID), with the modes the build gave them
// (755/644). The app runs as another user: the run image's 1001:1000, whose
// group bits apply, or, on OpenShift, an arbitrary UID in group 0, which is
// neither owner nor group, so only the "other" bits apply. A Heroku-style
// Procfile that runs collectstatic again at start (`web: python manage.py
// collectstatic --noinput && gunicorn ...`) then dies with PermissionError.
// So what the build created, and only that, gets its owner's permissions
// for group and others too (chmod g=u,o=u, added to what it has): the app's
// own source keeps its modes, and an app that writes nothing still runs on
// a read-only root.

// sourceTree is the set of the application directory's entries before the
// build ran anything: relative path -> whether it is a directory.
type sourceTree map[string]bool

// readSourceTree lists the entries under root (.git skipped: the build does
// not write there).
func readSourceTree(root string) (sourceTree, error) {
	tree := sourceTree{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() && d.Name() == ".git" && rel != "." {
			return filepath.SkipDir
		}
		tree[rel] = d.IsDir()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("unable to list the application's files\n%w", err)
	}
	return tree, nil
}

// placeholders are the files that keep an empty directory in git: a source
// directory holding only these (STATIC_ROOT kept as staticfiles/.gitkeep) is
// the build's to fill, so it is made writable like one the build created.
var placeholders = map[string]bool{".gitkeep": true, ".keep": true, ".gitignore": true, ".empty": true}

// Writable is what makeBuildOutputWritable changed: the top-most entries the
// build created (relative paths; a directory stands for everything in it)
// and how many entries in all. A source directory the build wrote into
// keeps its mode (unless it held only placeholders): making it writable
// would let the app replace the source files in it.
type Writable struct {
	Roots []string
	Count int
}

// makeBuildOutputWritable gives every entry under root that is not in before
// (and every source directory holding only placeholders that gained
// entries) its owner's permissions for group and others. Symlinks have no
// modes of their own; __pycache__ directories are left alone (bytecode the
// running app could rewrite is a cache nobody needs writable).
func makeBuildOutputWritable(root string, before sourceTree) (Writable, error) {
	var w Writable
	gained := map[string]bool{} // source directories with new entries
	var created []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "__pycache__") && rel != "." {
			return filepath.SkipDir
		}
		if _, ok := before[rel]; ok || d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		created = append(created, rel)
		if parent := filepath.Dir(rel); isSourceDir(before, parent) {
			gained[parent] = true
			w.Roots = append(w.Roots, rel)
		}
		return nil
	})
	if err != nil {
		return Writable{}, fmt.Errorf("unable to list the files the build created\n%w", err)
	}
	var dirs []string
	for dir := range gained {
		if dir != "." && onlyPlaceholders(before, dir) {
			dirs = append(dirs, dir)
		}
	}
	sort.Strings(dirs)
	for _, rel := range append(dirs, created...) {
		if err := shareOwnerPermissions(filepath.Join(root, rel)); err != nil {
			return Writable{}, err
		}
	}
	w.Count = len(created)
	// A placeholder directory stands for what the build put in it.
	for _, dir := range dirs {
		w.Roots = append(removeUnder(w.Roots, dir), dir)
	}
	sort.Strings(w.Roots)
	return w, nil
}

func isSourceDir(before sourceTree, rel string) bool {
	isDir, ok := before[rel]
	return ok && isDir
}

// onlyPlaceholders: the source directory dir held nothing but placeholder files.
func onlyPlaceholders(before sourceTree, dir string) bool {
	for rel, isDir := range before {
		if filepath.Dir(rel) == dir && rel != dir && (isDir || !placeholders[filepath.Base(rel)]) {
			return false
		}
	}
	return true
}

func removeUnder(paths []string, dir string) []string {
	var out []string
	for _, p := range paths {
		if !strings.HasPrefix(p, dir+string(filepath.Separator)) {
			out = append(out, p)
		}
	}
	return out
}

// shareOwnerPermissions adds the owner's read, write and execute bits to the
// group's and others' (g=u,o=u without removing any), and the owner's write
// bit, which makes the entry writable for whoever the app runs as.
func shareOwnerPermissions(path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	perm := fi.Mode().Perm() | 0o200
	owner := perm & 0o700
	perm |= owner>>3 | owner>>6
	if perm == fi.Mode().Perm() {
		return nil
	}
	if err := os.Chmod(path, fi.Mode()&^fs.ModePerm|perm); err != nil {
		return fmt.Errorf("unable to make %s writable at run time\n%w", path, err)
	}
	return nil
}

// runtimeWritable makes what the build's steps and hooks created in the
// application directory writable by the run-time user, and says so.
func (b Build) runtimeWritable(s *step) error {
	if s.sourceTree == nil {
		return nil
	}
	w, err := makeBuildOutputWritable(s.ctx.ApplicationPath, s.sourceTree)
	if err != nil {
		return err
	}
	if w.Count > 0 || len(w.Roots) > 0 {
		shown := w.Roots
		more := ""
		if len(shown) > 5 {
			shown, more = shown[:5], fmt.Sprintf(" and %d more", len(w.Roots)-5)
		}
		names := make([]string, len(shown))
		for i, r := range shown {
			names[i] = filepath.ToSlash(r)
			if isDir, err := os.Stat(filepath.Join(s.ctx.ApplicationPath, r)); err == nil && isDir.IsDir() {
				names[i] += "/"
			}
		}
		b.Logger.Headerf("Writable at run time: %s%s (%d files and directories the build created in the application; "+
			"group and others get the owner's permissions, for the run user and any UID in group 0)", strings.Join(names, ", "), more, w.Count)
	}
	return nil
}
