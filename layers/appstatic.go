package layers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/reuse"
	"github.com/warpdrive-buildpack/warpdrive/stepcache"
)

// AppStaticSnapshot names, in the snapshots layer, the collectstatic output
// kept for a STATIC_ROOT inside the application directory.
const AppStaticSnapshot = "app-static"

// AppStatic collects Django's static files into the STATIC_ROOT the
// settings set inside the application directory (Heroku's layout). That
// directory is part of the app layer, which the lifecycle takes from the
// source every build, so the output cannot be reused as a layer: it is kept
// as a snapshot in the cache instead, keyed by collectstatic's record in the
// step cache (see stepcache.Cache: the packages, Python, the settings module,
// the variables, the application files it read, the static files the
// finders list) plus what STATIC_ROOT held before it ran, and unpacked into
// STATIC_ROOT while that record is valid: no Python runs.
type AppStatic struct {
	// Venv is the packages layer: collectstatic runs with it active.
	Venv string
	Home string
	// Root is STATIC_ROOT, an absolute path inside the application directory.
	Root string
	// Inputs are what collectstatic depends on besides the files it reads.
	Inputs    map[string]string
	Probes    *stepcache.Cache
	Snapshots reuse.Snapshots
	// Need unpacks the interpreter before collectstatic runs.
	Need   func() error
	Logger log.Logger
}

// appStaticResult is what the record keeps besides the reads: STATIC_ROOT's
// own mode, which the snapshot (of what is inside it) does not hold.
type appStaticResult struct {
	RootMode fs.FileMode `json:"root_mode"`
}

// Collect restores the output of an earlier build's collectstatic into
// STATIC_ROOT, or runs collectstatic and keeps its output for later builds;
// reused says which.
func (s AppStatic) Collect() (reused bool, err error) {
	start := time.Now()
	inputs, err := s.inputs()
	if err != nil {
		return false, err
	}
	entry, why := s.Probes.Check(collectstaticStep, inputs, s.Home)
	if why == "" && !s.Snapshots.Has(AppStaticSnapshot, entry.Fingerprint()) {
		why = "its output is not in the cache"
	}
	if why == "" {
		unreadable, err := s.restore(entry)
		if err != nil {
			return false, err
		}
		if why = unreadable; why == "" {
			s.Logger.Headerf("Django static files: reusing the previous build's collectstatic output in the application's STATIC_ROOT %s "+
				"(none of the %d application files it read changed)", s.Root, len(entry.Files))
			s.Logger.Bodyf("Restored from the cache in %s", time.Since(start).Round(100*time.Millisecond))
			return true, nil
		}
	}
	s.Logger.Headerf("Django static files: collecting into the application's STATIC_ROOT %s", s.Root)
	if why != stepcache.NotRunBefore {
		s.Logger.Bodyf("Running collectstatic again (%s)", why)
	}
	if err := s.collect(inputs); err != nil {
		return false, err
	}
	s.Logger.Bodyf("Completed in %s", time.Since(start).Round(100*time.Millisecond))
	return false, nil
}

// inputs adds to s.Inputs where STATIC_ROOT is and what it held before
// collectstatic ran: collectstatic leaves files already there (a
// placeholder, a build hook's output) in its output.
func (s AppStatic) inputs() (map[string]string, error) {
	before := "absent"
	if _, err := os.Lstat(s.Root); err == nil {
		if before, err = app.TreeHash(s.Root); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("unable to read STATIC_ROOT %s\n%w", s.Root, err)
	}
	// Relative to home, as the reads are: the application's directory is
	// /workspace in every build.
	where, err := filepath.Rel(s.Home, s.Root)
	if err != nil {
		return nil, err
	}
	inputs := map[string]string{"STATIC_ROOT": where, "STATIC_ROOT before collectstatic": before}
	for k, v := range s.Inputs {
		inputs[k] = v
	}
	return inputs, nil
}

// collect runs collectstatic, records what it read (not what it wrote: the
// files under STATIC_ROOT it opened are its output) and keeps a snapshot of
// STATIC_ROOT.
func (s AppStatic) collect(inputs map[string]string) error {
	if err := s.Need(); err != nil {
		return err
	}
	reads, err := Collectstatic(s.Venv, s.Home, nil, s.Logger)
	if err != nil {
		return err
	}
	fi, err := os.Stat(s.Root)
	if err != nil {
		return fmt.Errorf("collectstatic left no STATIC_ROOT %s\n%w", s.Root, err)
	}
	entry, err := s.Probes.Store(collectstaticStep, inputs, s.Home, outside(reads, s.Home, s.Root), appStaticResult{RootMode: fi.Mode().Perm()})
	if err != nil {
		return err
	}
	if err := s.Snapshots.Save(AppStaticSnapshot, entry.Fingerprint(), s.Root); err != nil {
		return fmt.Errorf("unable to save a snapshot of STATIC_ROOT %s in the cache\n%w", s.Root, err)
	}
	s.Logger.Bodyf("Kept in the cache (%s) for later builds, reused while the %d application files it read are unchanged",
		reuse.HumanSize(s.Snapshots.Size(AppStaticSnapshot)), len(entry.Files))
	return nil
}

// outside drops the reads (relative to home) under root.
func outside(reads []string, home, root string) []string {
	rel, err := filepath.Rel(home, root)
	if err != nil {
		return reads
	}
	var kept []string
	for _, r := range reads {
		if r != rel && !strings.HasPrefix(r, rel+string(filepath.Separator)) {
			kept = append(kept, r)
		}
	}
	return kept
}

// restore unpacks the snapshot into STATIC_ROOT, with the mode collectstatic
// left it with (times to the nearest second, as in every snapshot). A snapshot that cannot be read is a cache miss (restored false):
// snapshot that cannot be read is a cache miss (unreadable says why): what
// it unpacked is removed again, since collectstatic skips a file whose copy
// looks newer than its source.
func (s AppStatic) restore(entry stepcache.Entry) (unreadable string, err error) {
	var result appStaticResult
	if err := json.Unmarshal(entry.Result, &result); err != nil || result.RootMode == 0 {
		return "its record in the cache has no STATIC_ROOT mode", nil
	}
	before, err := listTree(s.Root)
	if err != nil {
		return "", err
	}
	err = s.Snapshots.Restore(AppStaticSnapshot, s.Root)
	var corrupt reuse.CorruptSnapshotError
	if errors.As(err, &corrupt) {
		s.Snapshots.Remove(AppStaticSnapshot)
		return corrupt.Error(), removeAdded(s.Root, before)
	}
	if err != nil {
		return "", err
	}
	return "", os.Chmod(s.Root, result.RootMode)
}

// listTree is the set of entries under root (relative paths, root itself
// "."), nil when root does not exist.
func listTree(root string) (map[string]bool, error) {
	if _, err := os.Lstat(root); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	entries := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		entries[rel] = true
		return nil
	})
	return entries, err
}

// removeAdded removes what is under root and not in before (root itself
// when before is nil).
func removeAdded(root string, before map[string]bool) error {
	if before == nil {
		return os.RemoveAll(root)
	}
	var added []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if !before[rel] {
			added = append(added, path)
			if d.IsDir() {
				return filepath.SkipDir
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, path := range added {
		if err := os.RemoveAll(path); err != nil {
			return err
		}
	}
	return nil
}
