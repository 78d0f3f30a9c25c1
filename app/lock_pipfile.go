package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/pep508"
)

const pipfileLockName = "Pipfile.lock"

// pipfileLock is Pipfile.lock (pipfile-spec 6) as far as warpdrive reads
// it: the default set, and the sources its entries' "index" names.
type pipfileLock struct {
	Meta struct {
		Sources []pipfileSource `json:"sources"`
	} `json:"_meta"`
	Default map[string]pipfileEntry `json:"default"`
}

type pipfileSource struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

type pipfileEntry struct {
	Version string   `json:"version"` // "==1.2.3"
	Hashes  []string `json:"hashes"`
	Markers string   `json:"markers"`
	Index   string   `json:"index"` // a source's name
	Git     string   `json:"git"`
	Ref     string   `json:"ref"` // the commit Pipenv resolved
	Path    string   `json:"path"`
	// Editable: pipenv installs the path in development mode (-e).
	Editable bool   `json:"editable"`
	File     string `json:"file"` // a URL
}

// ReadPipfileLock reads home/Pipfile.lock (and home/Pipfile for staleness) for env.
//
// The pins are the default set (never "develop"), without the entries
// whose markers do not hold in env.
func ReadPipfileLock(home string, env pep508.Environment) (Lock, error) {
	data, err := os.ReadFile(filepath.Join(home, pipfileLockName))
	if err != nil {
		return Lock{}, fmt.Errorf("unable to read %s\n%w", pipfileLockName, err)
	}
	spec, err := pipfileSpec(data)
	if err != nil {
		return Lock{}, err
	}
	var lock pipfileLock
	if err := json.Unmarshal(data, &lock); err != nil {
		return Lock{}, pipfileSyntaxError(data, err)
	}
	pins, err := pipfilePins(lock, env)
	if err != nil {
		return Lock{}, err
	}
	undeclared, err := pipfileUndeclared(home, lock.Default)
	if err != nil {
		return Lock{}, err
	}
	if len(undeclared) > 0 {
		return Lock{}, LockStaleError{File: pipfileLockName, Manifest: "the Pipfile", Undeclared: undeclared, RefreshCommand: "pipenv lock"}
	}
	return Lock{
		File:           pipfileLockName,
		Tool:           "Pipenv",
		RefreshCommand: "pipenv lock",
		Version:        spec,
		Pins:           pins,
		IndexVariables: true,
	}, nil
}

// pipfileSpec checks _meta's pipfile-spec before the rest is decoded, so
// that a lock in another format says so rather than that a field is odd.
func pipfileSpec(data []byte) (string, error) {
	var head struct {
		Meta struct {
			Spec json.RawMessage `json:"pipfile-spec"`
		} `json:"_meta"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return "", pipfileSyntaxError(data, err)
	}
	found := strings.TrimSpace(string(head.Meta.Spec))
	if found == "6" {
		return found, nil
	}
	if found == "" || found == "null" {
		found = "none"
	}
	return "", LockVersionError{File: pipfileLockName, Found: found, Supported: "6", Writer: "pipenv 2018.05 or later"}
}

// pipfileSyntaxError locates a JSON error by line and column.
func pipfileSyntaxError(data []byte, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		// Offset counts the bytes read, the offending one included.
		return LockSyntaxError{File: pipfileLockName, Detail: pipfileJSONPosition(data, syntax.Offset-1) + ": " + syntax.Error(), Err: err}
	case errors.As(err, &typ):
		at := pipfileJSONValueStart(data, int(typ.Offset)-1)
		detail := fmt.Sprintf("%s: %s must be a JSON %s, not %s", pipfileJSONPosition(data, int64(at)), pipfileFieldPath(data, typ.Field),
			pipfileJSONKind(typ.Type.Kind().String()), typ.Value)
		return LockSyntaxError{File: pipfileLockName, Detail: detail, Err: err}
	}
	return LockSyntaxError{File: pipfileLockName, Detail: err.Error(), Err: err}
}

// pipfileJSONValueStart is where the value ending at (or, for an array or
// object, opening at) end begins: encoding/json reports the end of a
// string or literal, and the position should point at its start.
func pipfileJSONValueStart(data []byte, end int) int {
	if end < 0 || end >= len(data) {
		return max(0, min(end, len(data)))
	}
	switch c := data[end]; {
	case c == '"':
		for i := end - 1; i >= 0; i-- {
			if data[i] == '"' && backslashesBefore(data, i)%2 == 0 {
				return i
			}
		}
		return end
	case c == '[' || c == '{':
		return end
	}
	start := end
	for start > 0 && strings.IndexByte("0123456789.+-eEtrufalsn", data[start-1]) >= 0 {
		start--
	}
	return start
}

func backslashesBefore(data []byte, i int) int {
	n := 0
	for i-n > 0 && data[i-n-1] == '\\' {
		n++
	}
	return n
}

// pipfileFieldPath is encoding/json's field path with the entry's name put
// back: it reports a field of a map value as "default.version", without
// saying whose.
func pipfileFieldPath(data []byte, field string) string {
	rest, ok := strings.CutPrefix(field, "default.")
	if !ok {
		return field
	}
	var lock struct {
		Default map[string]json.RawMessage `json:"default"`
	}
	if json.Unmarshal(data, &lock) != nil {
		return field
	}
	for _, name := range slices.Sorted(maps.Keys(lock.Default)) {
		var entry pipfileEntry
		if json.Unmarshal(lock.Default[name], &entry) != nil {
			return fmt.Sprintf("default[%q].%s", name, rest)
		}
	}
	return field
}

// pipfileJSONKind names a Go kind as the JSON type decoded into it.
func pipfileJSONKind(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "slice", "array":
		return "array"
	case "map", "struct":
		return "object"
	case "bool":
		return "boolean"
	}
	return "number"
}

// pipfileJSONPosition is "line L, column C" (from 1) of byte offset.
func pipfileJSONPosition(data []byte, offset int64) string {
	pos := int(max(0, min(offset, int64(len(data)))))
	before := data[:pos]
	line := 1 + bytes.Count(before, []byte("\n"))
	column := pos - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("line %d, column %d", line, column)
}

// pipfilePins are the default entries whose markers hold, sorted by
// normalized name.
func pipfilePins(lock pipfileLock, env pep508.Environment) ([]Pin, error) {
	names := slices.Collect(maps.Keys(lock.Default))
	slices.SortFunc(names, func(a, b string) int {
		return strings.Compare(pep508.NormalizeName(a), pep508.NormalizeName(b))
	})
	var pins []Pin
	for _, name := range names {
		entry := lock.Default[name]
		ok, err := pep508.Evaluate(entry.Markers, env)
		if err != nil {
			return nil, LockMarkerError{File: pipfileLockName, Package: name, Marker: entry.Markers, Err: err}
		}
		if ok {
			pins = append(pins, pipfilePin(name, entry, lock.Meta.Sources))
		}
	}
	return pins, nil
}

func pipfilePin(name string, e pipfileEntry, sources []pipfileSource) Pin {
	version := strings.TrimPrefix(strings.TrimPrefix(e.Version, "==="), "==")
	pin := Pin{Name: name, Version: version, Hashes: e.Hashes}
	switch {
	case e.Git != "":
		pin.Source, pin.Ref = SourceGit, strings.TrimPrefix(e.Git, "git+")
		if e.Ref != "" {
			pin.Ref += "@" + e.Ref
		}
	case e.Path != "":
		pin.Source, pin.Ref, pin.Editable = SourcePath, e.Path, e.Editable
	case e.File != "":
		pin.Source, pin.Ref = SourceURL, e.File
	default:
		pin.Source, pin.Ref = SourceIndex, pipfileIndexURL(e.Index, sources)
	}
	return pin
}

// pipfileIndexURL is the URL of the source named index, or of the first
// source (Pipenv's default) when the entry names none.
func pipfileIndexURL(index string, sources []pipfileSource) string {
	for _, s := range sources {
		if s.Name == index {
			return s.URL
		}
	}
	if len(sources) > 0 {
		return sources[0].URL
	}
	return ""
}

// pipfileUndeclared names the Pipfile's [packages] the default set lacks.
// Pipenv's `install --deploy` refuses a lock whose _meta.hash (a sha256 of
// the Pipfile's normalized JSON) differs from the Pipfile's; a package
// missing from the lock is the part of that which can be told without
// reproducing plette's serialization, and what would leave the image
// without a dependency.
func pipfileUndeclared(home string, locked map[string]pipfileEntry) ([]string, error) {
	doc, err := readTOML(home, "Pipfile")
	if err != nil {
		return nil, err
	}
	packages, ok := doc["packages"].(map[string]any)
	if !ok {
		return nil, nil
	}
	have := map[string]bool{}
	for name := range locked {
		have[pep508.NormalizeName(name)] = true
	}
	var stale []string
	for _, name := range slices.Sorted(maps.Keys(packages)) {
		if !have[pep508.NormalizeName(name)] {
			stale = append(stale, name)
		}
	}
	return stale, nil
}
