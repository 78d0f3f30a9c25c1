package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
)

// TOMLSyntaxError says pyproject.toml or Pipfile is not valid TOML, so the
// Python version it may ask for cannot be read.
type TOMLSyntaxError struct {
	// Path is the file, relative to the application, e.g. "pyproject.toml".
	Path string
	// Line and Column locate the error, from 1; 0 when unknown.
	Line, Column int
	// Message is the parser's description of the problem.
	Message string
	Err     error
}

func (e TOMLSyntaxError) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("%s is not valid TOML: line %d, column %d: %s", e.Path, e.Line, e.Column, e.Message)
	case e.Line > 0:
		return fmt.Sprintf("%s is not valid TOML: line %d: %s", e.Path, e.Line, e.Message)
	}
	return fmt.Sprintf("%s is not valid TOML: %s", e.Path, e.Message)
}

func (e TOMLSyntaxError) Unwrap() error { return e.Err }

// projectVersion reads the project files' version sources, in order:
// pyproject.toml [project] requires-python, Pipfile [requires]
// python_full_version or python_version, pyproject.toml
// [tool.poetry.dependencies] python. ok is false when none is set. A value
// that is not a string is a VersionError; the request is not otherwise
// checked.
func projectVersion(dir string) (req VersionRequest, ok bool, err error) {
	declared, err := declaredVersions(dir, 1)
	if err != nil || len(declared) == 0 {
		return VersionRequest{}, false, err
	}
	return declared[0], true, nil
}

// declaredVersions are the Python version constraints the project files
// declare, in projectVersion's order, at most limit of them (0: all). A
// file is read only when an earlier source did not already give enough.
func declaredVersions(dir string, limit int) ([]VersionRequest, error) {
	docs := map[string]map[string]any{}
	var out []VersionRequest
	for _, source := range []struct {
		file string
		keys []string
		name string
	}{
		{"pyproject.toml", []string{"project", "requires-python"}, SourceRequiresPython},
		{"Pipfile", []string{"requires", "python_full_version"}, SourcePipfileFullVersion},
		{"Pipfile", []string{"requires", "python_version"}, SourcePipfileVersion},
		{"pyproject.toml", []string{"tool", "poetry", "dependencies", "python"}, SourcePoetry},
	} {
		if limit > 0 && len(out) == limit {
			break
		}
		doc, read := docs[source.file]
		if !read {
			var err error
			if doc, err = readTOML(dir, source.file); err != nil {
				return nil, err
			}
			docs[source.file] = doc
		}
		v, ok := lookup(doc, source.keys...)
		if !ok {
			continue
		}
		req, _, err := stringRequest(v, source.name)
		if err != nil {
			return nil, err
		}
		out = append(out, req)
	}
	return out, nil
}

func stringRequest(v any, source string) (VersionRequest, bool, error) {
	s, ok := v.(string)
	if !ok {
		return VersionRequest{}, false, VersionError{Source: source, Value: fmt.Sprint(v),
			Reason: fmt.Sprintf("the value must be a string, such as \"3.12\", not a TOML %T", v)}
	}
	return VersionRequest{Version: s, Source: source}, true, nil
}

// readTOML decodes dir/name; a missing file is an empty document.
func readTOML(dir, name string) (map[string]any, error) {
	data, err := os.ReadFile(filepath.Join(dir, name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("unable to read %s\n%w", name, err)
	}
	var doc map[string]any
	if _, err := toml.Decode(string(data), &doc); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			line, col := pe.Position.Line, pe.Position.Col
			if start := pe.Position.Start; line > 0 && start >= 0 && start < len(data) {
				// The parser puts an error at a newline on the next line;
				// count from the byte offset so it stays at the end of its own.
				before := data[:start]
				line = 1 + strings.Count(string(before), "\n")
				col = start - strings.LastIndex(string(before), "\n")
			}
			return nil, TOMLSyntaxError{Path: name, Line: line, Column: col, Message: pe.Message, Err: err}
		}
		return nil, TOMLSyntaxError{Path: name, Message: err.Error(), Err: err}
	}
	return doc, nil
}

// lookup follows keys through nested tables.
func lookup(doc map[string]any, keys ...string) (any, bool) {
	var v any = doc
	for _, k := range keys {
		table, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = table[k]; !ok {
			return nil, false
		}
	}
	return v, true
}
