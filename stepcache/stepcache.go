// Package stepcache keeps what the build's Python steps found (the Django
// settings, an entry point's kind) and what collectstatic produced, with
// what each read, so that a rebuild runs a step again only when something it
// depended on changed.
package stepcache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/reuse"
)

// Cache remembers what the build's Python steps found (the Django
// settings, the entry point's kind) and what collectstatic produced, with
// exactly what each depended on, so an unchanged rebuild, or one that only
// changes files those steps never read, runs no Python at all:
//   - Inputs: the step's arguments, the venv's metadata, the names of all the
//     application's files (a new file can shadow a module), and so on;
//   - Env: the build's environment variables (settings read them);
//   - Files: the content of every application file the step opened or
//     imported, recorded by an audit hook inside the interpreter.
//
// It is a file in the snapshots cache layer.
type Cache struct {
	path    string
	entries map[string]Entry
	used    map[string]bool
}

// Entry is one step's record.
type Entry struct {
	Inputs map[string]string `json:"inputs"`
	Env    map[string]string `json:"env"`
	Files  map[string]string `json:"files"`
	Result json.RawMessage   `json:"result,omitempty"`
}

const probeCacheFile = "probes.json"

// Load reads the record from the snapshots layer; a missing or
// unreadable one is empty (every step runs).
func Load(s reuse.Snapshots) *Cache {
	c := &Cache{entries: map[string]Entry{}, used: map[string]bool{}}
	if s.Dir == "" {
		return c
	}
	c.path = filepath.Join(s.Dir, probeCacheFile)
	if src, err := os.ReadFile(c.path); err == nil {
		if json.Unmarshal(src, &c.entries) != nil {
			c.entries = map[string]Entry{}
		}
	}
	return c
}

// NotRunBefore is Check's reason when the step has no record.
const NotRunBefore = "not run before"

// Check (nil: an empty record) says why the record of step name is not valid for these inputs, in
// words, or "" when it is: then its Result can be used instead of running.
func (c *Cache) Check(name string, inputs map[string]string, home string) (Entry, string) {
	if c == nil {
		return Entry{}, NotRunBefore
	}
	e, ok := c.entries[name]
	if !ok {
		return Entry{}, NotRunBefore
	}
	if why := differs("", e.Inputs, inputs); why != "" {
		return Entry{}, why
	}
	if why := differs("the variable ", e.Env, environmentDigests()); why != "" {
		return Entry{}, why
	}
	for _, rel := range slices.Sorted(maps.Keys(e.Files)) {
		if fileDigest(filepath.Join(home, rel)) != e.Files[rel] {
			return Entry{}, rel + " changed"
		}
	}
	c.used[name] = true
	return e, ""
}

// Store records step name's result and the application files it read
// (relative to home).
func (c *Cache) Store(name string, inputs map[string]string, home string, reads []string, result any) (Entry, error) {
	e := Entry{Inputs: inputs, Env: environmentDigests(), Files: map[string]string{}}
	for _, rel := range reads {
		e.Files[rel] = fileDigest(filepath.Join(home, rel))
	}
	if result != nil {
		raw, err := json.Marshal(result)
		if err != nil {
			return Entry{}, err
		}
		e.Result = raw
	}
	if c != nil {
		c.entries[name] = e
		c.used[name] = true
	}
	return e, nil
}

// Save writes the records of the steps this build checked or ran; the
// others (an entry point no longer used) are dropped.
func (c *Cache) Save() error {
	if c == nil || c.path == "" {
		return nil
	}
	kept := map[string]Entry{}
	for name := range c.used {
		kept[name] = c.entries[name]
	}
	out, err := json.Marshal(kept)
	if err != nil {
		return err
	}
	return os.WriteFile(c.path, out, 0o644)
}

// Fingerprint identifies everything the entry depended on: it is what a
// layer made by the step stores, so the layer is reused exactly when the
// step's record is still valid and unchanged.
func (e Entry) Fingerprint() string {
	h := sha256.New()
	for _, m := range []map[string]string{e.Inputs, e.Env, e.Files} {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			fmt.Fprintf(h, "%s=%s\n", k, m[k])
		}
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// volatile says which variables change between builds of the same input:
// the container's name, and the lifecycle's own CNB_* variables (paths of
// per-build files such as CNB_BP_PLAN_PATH); a platform's variables for the
// app reach the build under their own names.
func volatile(name string) bool {
	return name == "HOSTNAME" || strings.HasPrefix(name, "CNB_")
}

// environmentDigests are the build's variables, each as a short digest of
// its value (values may be credentials, and the record is in the cache).
func environmentDigests() map[string]string {
	out := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if volatile(k) {
			continue
		}
		sum := sha256.Sum256([]byte(v))
		out[k] = hex.EncodeToString(sum[:8])
	}
	return out
}

// differs names the first key whose value differs between old and new.
func differs(prefix string, old, new map[string]string) string {
	keys := slices.Collect(maps.Keys(old))
	for k := range new {
		if _, ok := old[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		o, inOld := old[k]
		n, inNew := new[k]
		switch {
		case !inOld:
			return prefix + k + " is new"
		case !inNew:
			return prefix + k + " is gone"
		case o != n:
			return prefix + k + " changed"
		}
	}
	return ""
}

// fileDigest is the sha256 of a file's content, or "missing" when it cannot
// be read (a record naming a deleted file is then no longer valid).
func fileDigest(path string) string {
	sum, err := app.FileDigest(path)
	if err != nil {
		return "missing"
	}
	return sum
}

// ReadsTracker is Python put before a build step's own code: an audit hook
// records every file the interpreter opens, and wd_reads() lists those under
// the working directory (the application), with every imported module's
// source (a module loaded from __pycache__ opens only its .pyc).
const ReadsTracker = `
import os as _wd_os, sys as _wd_sys
_wd_home = _wd_os.path.realpath(_wd_os.getcwd())
_wd_opened = set()
def _wd_audit(event, args):
    if event == "open" and args and isinstance(args[0], (str, bytes)):
        _wd_opened.add(args[0])
_wd_sys.addaudithook(_wd_audit)
def wd_reads():
    found = set()
    paths = list(_wd_opened) + [getattr(m, "__file__", None) for m in list(_wd_sys.modules.values())]
    for p in paths:
        if not p:
            continue
        try:
            p = _wd_os.path.realpath(_wd_os.fsdecode(p))
        except Exception:
            continue
        if p.startswith(_wd_home + _wd_os.sep) and "__pycache__" not in p and _wd_os.path.isfile(p):
            found.add(_wd_os.path.relpath(p, _wd_home))
    return sorted(found)
`
