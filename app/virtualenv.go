package app

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// CommittedVirtualenvError: the source holds a virtual environment (a
// directory with a pyvenv.cfg), made on another machine for another
// interpreter: its scripts name that machine's paths, its compiled packages
// that machine's libraries, and it would be copied into the image beside the
// venv warpdrive builds.
type CommittedVirtualenvError struct {
	// Dirs are the virtualenvs, relative to the source root.
	Dirs []string
	// Home is pyvenv.cfg's "home" of the first (the interpreter it was made with).
	Home string
}

func (e CommittedVirtualenvError) Error() string {
	return fmt.Sprintf("the source holds a virtualenv: %s", strings.Join(e.Dirs, ", "))
}

// FindCommittedVirtualenvs looks for virtualenvs among the top-level
// directories of the source root and of the application home: where `python
// -m venv .venv` (or virtualenv, uv, Poetry's in-project venvs) put them.
func FindCommittedVirtualenvs(src Source) error {
	var found CommittedVirtualenvError
	seen := map[string]bool{}
	for _, dir := range []string{src.Root, src.Home} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("unable to list %s\n%w", dir, err)
		}
		for _, e := range entries {
			path := filepath.Join(dir, e.Name())
			if !e.IsDir() || seen[path] {
				continue
			}
			seen[path] = true
			cfg := filepath.Join(path, "pyvenv.cfg")
			if _, err := os.Stat(cfg); errors.Is(err, os.ErrNotExist) {
				continue
			} else if err != nil {
				return err
			}
			rel, _ := filepath.Rel(src.Root, path)
			found.Dirs = append(found.Dirs, rel+"/")
			if found.Home == "" {
				found.Home = pyvenvHome(cfg)
			}
		}
	}
	if len(found.Dirs) == 0 {
		return nil
	}
	sort.Strings(found.Dirs)
	return found
}

// pyvenvHome is pyvenv.cfg's `home = ...` ("" when it has none).
func pyvenvHome(cfg string) string {
	f, err := os.Open(cfg)
	if err != nil {
		return ""
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if k, v, ok := strings.Cut(s.Text(), "="); ok && strings.TrimSpace(k) == "home" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
