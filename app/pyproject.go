package app

import (
	"fmt"
	"maps"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	pep440 "github.com/aquasecurity/go-pep440-version"

	"github.com/warpdrive-buildpack/warpdrive/pep508"
)

// Pyproject is what warpdrive reads of pyproject.toml to install a project.
type Pyproject struct {
	// Exists: the file is present.
	Exists bool
	// Name is [project] name or [tool.poetry] name ("" when neither).
	Name string
	// BuildBackend is [build-system] build-backend ("" when absent);
	// HasBuildSystem says whether [build-system] exists at all.
	BuildBackend   string
	HasBuildSystem bool
	// PoetryPackageMode is false when [tool.poetry] package-mode = false.
	PoetryPackageMode bool
	// IsPoetry: the file has a [tool.poetry] table.
	IsPoetry bool
	// Dependencies are the project's main dependencies as PEP 508 lines:
	// [project] dependencies, else [tool.poetry.dependencies] (without
	// "python") converted from Poetry's constraint syntax. Optional
	// Poetry dependencies (optional = true) are left out.
	Dependencies []string
	// Scripts are the console scripts [project.scripts] or
	// [tool.poetry.scripts] declare, sorted by name.
	Scripts []Script
}

// Script is one console script: `name = "module:attr"`.
type Script struct {
	Name string
	// Entry is the function it calls (Attr may be dotted; Call is false).
	Entry EntryPoint
	// Table is where it is declared: "project.scripts" or "tool.poetry.scripts".
	Table string
}

// IsPackage: `pip install .` builds the application as a package (a build
// system is declared, and Poetry's package-mode is not false).
func (p Pyproject) IsPackage() bool {
	return p.HasBuildSystem && (!p.IsPoetry || p.PoetryPackageMode)
}

// PyprojectError says a value warpdrive reads from pyproject.toml has the
// wrong type or cannot be understood, e.g. a Poetry version constraint that
// does not parse.
type PyprojectError struct {
	// Key is the dotted key, e.g. "tool.poetry.dependencies.flask".
	Key    string
	Reason string
	Err    error
}

func (e PyprojectError) Error() string {
	return "pyproject.toml: " + e.Key + ": " + e.Reason
}

func (e PyprojectError) Unwrap() error { return e.Err }

// ReadPyproject reads home/pyproject.toml (Exists false, no error, when absent).
func ReadPyproject(home string) (Pyproject, error) {
	if !FileExists(filepath.Join(home, "pyproject.toml")) {
		return Pyproject{}, nil
	}
	doc, err := readTOML(home, "pyproject.toml")
	if err != nil {
		return Pyproject{}, err
	}
	p := Pyproject{Exists: true, PoetryPackageMode: true}
	project, _, err := tomlTable(doc, "project")
	if err != nil {
		return Pyproject{}, err
	}
	poetry, isPoetry, err := tomlTable(doc, "tool", "poetry")
	if err != nil {
		return Pyproject{}, err
	}
	buildSystem, hasBuildSystem, err := tomlTable(doc, "build-system")
	if err != nil {
		return Pyproject{}, err
	}
	p.IsPoetry, p.HasBuildSystem = isPoetry, hasBuildSystem
	if p.BuildBackend, err = tomlString(buildSystem, "build-system", "build-backend"); err != nil {
		return Pyproject{}, err
	}
	if p.PoetryPackageMode, err = poetryPackageMode(poetry); err != nil {
		return Pyproject{}, err
	}
	if p.Name, err = tomlString(project, "project", "name"); err != nil {
		return Pyproject{}, err
	}
	if p.Name == "" {
		if p.Name, err = tomlString(poetry, "tool.poetry", "name"); err != nil {
			return Pyproject{}, err
		}
	}
	if p.Dependencies, err = mainDependencies(home, project, poetry); err != nil {
		return Pyproject{}, err
	}
	if p.Scripts, err = consoleScripts(project, poetry); err != nil {
		return Pyproject{}, err
	}
	return p, nil
}

// consoleScripts reads [project.scripts] (PEP 621), else
// [tool.poetry.scripts], whose entries are a "module:attr" string or a table
// with a `reference` (Poetry's `type = "console"`; `type = "file"` scripts
// are files, not entry points, and are left out).
func consoleScripts(project, poetry map[string]any) ([]Script, error) {
	table, key := project["scripts"], "project.scripts"
	if table == nil {
		table, key = poetry["scripts"], "tool.poetry.scripts"
	}
	if table == nil {
		return nil, nil
	}
	entries, ok := table.(map[string]any)
	if !ok {
		return nil, PyprojectError{Key: key, Reason: fmt.Sprintf("must be a table, not a TOML %T", table)}
	}
	var out []Script
	for _, name := range slices.Sorted(maps.Keys(entries)) {
		ref, ok := entries[name].(string)
		if t, isTable := entries[name].(map[string]any); isTable {
			if kind, _ := t["type"].(string); kind != "" && kind != "console" {
				continue
			}
			ref, ok = t["reference"].(string)
		}
		if !ok {
			return nil, PyprojectError{Key: key + "." + name, Reason: "must be a \"module:function\" string"}
		}
		// An entry point may name extras after the reference: "mod:fn [extra]".
		ref, _, _ = strings.Cut(ref, "[")
		ep, err := ParseEntryPoint(ref)
		if err != nil || ep.Call {
			return nil, PyprojectError{Key: key + "." + name, Reason: fmt.Sprintf("%q is not module:function", ref), Err: err}
		}
		out = append(out, Script{Name: name, Entry: ep, Table: key})
	}
	return out, nil
}

// tomlTable is the table at keys; ok is false when it is absent.
func tomlTable(doc map[string]any, keys ...string) (table map[string]any, ok bool, err error) {
	v, ok := lookup(doc, keys...)
	if !ok {
		return nil, false, nil
	}
	if table, ok = v.(map[string]any); !ok {
		return nil, false, PyprojectError{Key: strings.Join(keys, "."), Reason: fmt.Sprintf("must be a table, not a TOML %T", v)}
	}
	return table, true, nil
}

// tomlString is table[key] ("" when absent); prefix names the table in errors.
func tomlString(table map[string]any, prefix, key string) (string, error) {
	v, ok := table[key]
	if !ok {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", PyprojectError{Key: prefix + "." + key, Reason: fmt.Sprintf("must be a string, not a TOML %T", v)}
	}
	return s, nil
}

func poetryPackageMode(poetry map[string]any) (bool, error) {
	v, ok := poetry["package-mode"]
	if !ok {
		return true, nil
	}
	mode, ok := v.(bool)
	if !ok {
		return false, PyprojectError{Key: "tool.poetry.package-mode", Reason: fmt.Sprintf("must be true or false, not a TOML %T", v)}
	}
	return mode, nil
}

// mainDependencies are [project] dependencies as written when the key is
// there (even empty: a PEP 621 project that depends on nothing), else the
// converted [tool.poetry.dependencies].
func mainDependencies(home string, project, poetry map[string]any) ([]string, error) {
	if v, ok := project["dependencies"]; ok {
		lines, err := tomlStringList(v)
		if err != nil {
			return nil, PyprojectError{Key: "project.dependencies", Reason: err.Error()}
		}
		return lines, nil
	}
	deps, ok := poetry["dependencies"]
	if !ok {
		return nil, nil
	}
	table, ok := deps.(map[string]any)
	if !ok {
		return nil, PyprojectError{Key: "tool.poetry.dependencies", Reason: fmt.Sprintf("must be a table, not a TOML %T", deps)}
	}
	return poetryDependencies(home, table)
}

// tomlStringList is a TOML array of strings.
func tomlStringList(v any) ([]string, error) {
	items, ok := v.([]any)
	if !ok {
		if v == nil {
			return nil, nil
		}
		return nil, fmt.Errorf("must be an array of strings, not a TOML %T", v)
	}
	out := make([]string, 0, len(items))
	for _, item := range items {
		s, ok := item.(string)
		if !ok {
			return nil, fmt.Errorf("must be an array of strings, but holds a TOML %T", item)
		}
		out = append(out, s)
	}
	return out, nil
}

// poetryDependencies converts [tool.poetry.dependencies] to PEP 508 lines,
// sorted by name (a TOML table has no order warpdrive can see).
func poetryDependencies(home string, deps map[string]any) ([]string, error) {
	names := make([]string, 0, len(deps))
	for name := range deps {
		if pep508.NormalizeName(name) != "python" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var lines []string
	for _, name := range names {
		more, err := poetryDependencyLines(home, name, deps[name])
		if err != nil {
			return nil, PyprojectError{Key: "tool.poetry.dependencies." + name, Reason: err.Error(), Err: err}
		}
		lines = append(lines, more...)
	}
	return lines, nil
}

// poetryDependencyLines converts one Poetry dependency: a constraint
// string, a table, or a list of tables (Poetry's "multiple constraints",
// one per marker set), which gives one line per entry.
func poetryDependencyLines(home, name string, value any) ([]string, error) {
	switch v := value.(type) {
	case string:
		spec, err := poetryConstraintToPEP440(v)
		if err != nil {
			return nil, err
		}
		return []string{name + spec}, nil
	case map[string]any:
		line, ok, err := poetryTableLine(home, name, v)
		if err != nil || !ok {
			return nil, err
		}
		return []string{line}, nil
	case []map[string]any:
		var lines []string
		for _, t := range v {
			more, err := poetryDependencyLines(home, name, t)
			if err != nil {
				return nil, err
			}
			lines = append(lines, more...)
		}
		return lines, nil
	case []any:
		var lines []string
		for _, item := range v {
			t, ok := item.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("a list of constraints must hold tables, not a TOML %T", item)
			}
			more, err := poetryDependencyLines(home, name, t)
			if err != nil {
				return nil, err
			}
			lines = append(lines, more...)
		}
		return lines, nil
	}
	return nil, fmt.Errorf("must be a version string, a table or a list of tables, not a TOML %T", value)
}

// poetryTableLine converts a dependency table ({version, markers, python,
// platform, extras, optional, git/path/url ...}). ok is false for an
// optional dependency, which only the project's own extras install.
func poetryTableLine(home, name string, t map[string]any) (line string, ok bool, err error) {
	if optional, _ := t["optional"].(bool); optional {
		return "", false, nil
	}
	extras, err := tomlStringList(t["extras"])
	if err != nil {
		return "", false, fmt.Errorf("extras %v", err)
	}
	head := name
	if len(extras) > 0 {
		head += "[" + strings.Join(extras, ",") + "]"
	}
	ref, err := poetryDirectReference(home, t)
	if err != nil {
		return "", false, err
	}
	marker, err := poetryTableMarker(t)
	if err != nil {
		return "", false, err
	}
	if ref != "" {
		line = head + " @ " + ref
		if marker != "" {
			// A URL may hold ";": PEP 508 wants a space before the marker.
			line += " ; " + marker
		}
		return line, true, nil
	}
	version, err := tomlTableString(t, "version")
	if err != nil {
		return "", false, err
	}
	spec, err := poetryConstraintToPEP440(version)
	if err != nil {
		return "", false, err
	}
	line = head + spec
	if marker != "" {
		line += "; " + marker
	}
	return line, true, nil
}

// tomlTableString is t[key] as a string ("" when absent).
func tomlTableString(t map[string]any, key string) (string, error) {
	v, ok := t[key]
	if !ok {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s must be a string, not a TOML %T", key, v)
	}
	return s, nil
}

// poetryDirectReference is the PEP 508 URL of a git, path or url
// dependency ("" for one from an index). A path becomes an absolute file://
// URL because a PEP 508 line has no directory to be relative to.
func poetryDirectReference(home string, t map[string]any) (string, error) {
	fields := map[string]string{}
	for _, key := range []string{"git", "rev", "tag", "branch", "subdirectory", "path", "url"} {
		s, err := tomlTableString(t, key)
		if err != nil {
			return "", err
		}
		fields[key] = s
	}
	switch {
	case fields["git"] != "":
		return poetryGitURL(fields["git"], firstNonEmptyString(fields["rev"], fields["tag"], fields["branch"]), fields["subdirectory"]), nil
	case fields["path"] != "":
		return absoluteFileURL(home, fields["path"])
	case fields["url"] != "":
		return fields["url"], nil
	}
	return "", nil
}

// poetryGitURL is pip's "git+URL@rev#subdirectory=dir". Poetry also takes
// scp-style "git@host:org/repo.git", which pip only knows as ssh://.
func poetryGitURL(repo, rev, subdirectory string) string {
	if !strings.Contains(repo, "://") {
		if at, colon := strings.Index(repo, "@"), strings.Index(repo, ":"); at >= 0 && colon > at {
			repo = "ssh://" + repo[:colon] + "/" + repo[colon+1:]
		}
	}
	if !strings.HasPrefix(repo, "git+") {
		repo = "git+" + repo
	}
	if rev != "" {
		repo += "@" + rev
	}
	if subdirectory != "" {
		repo += "#subdirectory=" + subdirectory
	}
	return repo
}

func absoluteFileURL(home, path string) (string, error) {
	if !filepath.IsAbs(path) {
		path = filepath.Join(home, path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("path %s: %w", path, err)
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String(), nil
}

func firstNonEmptyString(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// poetryTableMarker joins a table's markers, python and platform into one
// PEP 508 marker ("" when none).
func poetryTableMarker(t map[string]any) (string, error) {
	markers, err := tomlTableString(t, "markers")
	if err != nil {
		return "", err
	}
	python, err := tomlTableString(t, "python")
	if err != nil {
		return "", err
	}
	platform, err := tomlTableString(t, "platform")
	if err != nil {
		return "", err
	}
	pythonMarker, err := poetryPythonMarker(python)
	if err != nil {
		return "", fmt.Errorf("python %w", err)
	}
	return andPEP508Markers(markers, pythonMarker, poetryPlatformMarker(platform)), nil
}

// andPEP508Markers joins the non-empty markers with "and", parenthesizing each
// when there are several so that an "or" inside keeps its meaning.
func andPEP508Markers(markers ...string) string {
	var parts []string
	for _, m := range markers {
		if m = strings.TrimSpace(m); m != "" {
			parts = append(parts, m)
		}
	}
	if len(parts) == 1 {
		return parts[0]
	}
	for i, p := range parts {
		parts[i] = "(" + p + ")"
	}
	return strings.Join(parts, " and ")
}

// poetryPlatformMarker is Poetry's platform = "linux" (or "linux || darwin") as a
// sys_platform marker.
func poetryPlatformMarker(platform string) string {
	var alts []string
	for _, p := range strings.Split(platform, "||") {
		if p = strings.TrimSpace(p); p != "" {
			alts = append(alts, "sys_platform == "+strconv.Quote(p))
		}
	}
	return strings.Join(alts, " or ")
}

// pep440Clause is one PEP 440 comparison, e.g. {">=", "1.2.3"} or
// {"==", "1.2.*"}.
type pep440Clause struct{ op, version string }

func (c pep440Clause) String() string { return c.op + c.version }

// poetryConstraint is a parsed Poetry version constraint: alternatives (the
// "||" parts), each a list of clauses that must all hold. An alternative
// with no clauses allows every version.
type poetryConstraint [][]pep440Clause

var (
	poetryOrSeparator = regexp.MustCompile(`\s*\|\|?\s*`)
	// poetryOperatorSpace finds an operator followed by spaces (">= 1.2"),
	// which Poetry accepts; the spaces go so that the rest splits on blanks.
	poetryOperatorSpace = regexp.MustCompile(`(===|==|!=|<=|>=|~=|<|>|=|\^|~)\s+`)
	poetryOperator      = regexp.MustCompile(`^(===|==|!=|<=|>=|~=|<|>|=|\^|~)?(.*)$`)
	pep440ReleasePrefix = regexp.MustCompile(`^(\d+(?:\.\d+)*)(.*)$`)
)

// parsePoetryConstraint parses Poetry's constraint syntax: "^1.2.3",
// "~1.2", "~=1.2", ">=1,<2" (or ">=1 <2"), "1.2.*", "*", an exact "1.2.3",
// and "||" between alternatives.
func parsePoetryConstraint(s string) (poetryConstraint, error) {
	var c poetryConstraint
	for _, alt := range poetryOrSeparator.Split(strings.TrimSpace(s), -1) {
		clauses, err := parsePoetryAlternative(alt)
		if err != nil {
			return nil, fmt.Errorf("constraint %q: %w", s, err)
		}
		c = append(c, clauses)
	}
	return c, nil
}

func parsePoetryAlternative(alt string) ([]pep440Clause, error) {
	alt = poetryOperatorSpace.ReplaceAllString(alt, "$1")
	terms := strings.FieldsFunc(alt, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
	clauses := []pep440Clause{}
	for _, term := range terms {
		more, err := parsePoetryTerm(term)
		if err != nil {
			return nil, err
		}
		clauses = append(clauses, more...)
	}
	return clauses, nil
}

// parsePoetryTerm turns one term into PEP 440 clauses: none for "*", two
// for a caret or tilde range.
func parsePoetryTerm(term string) ([]pep440Clause, error) {
	m := poetryOperator.FindStringSubmatch(term)
	op, version := m[1], strings.TrimPrefix(m[2], "v")
	if version == "*" || version == "x" || version == "X" {
		if op == "" || op == "=" || op == "==" {
			return nil, nil
		}
		return nil, fmt.Errorf("%q: a wildcard needs == or !=", term)
	}
	if base, ok := cutPoetryWildcard(version); ok {
		return poetryWildcardClauses(term, op, base)
	}
	if _, err := pep440.Parse(version); err != nil {
		return nil, fmt.Errorf("%q: %q is not a PEP 440 version", term, version)
	}
	switch op {
	case "^":
		return poetryRangeClauses(version, poetryCaretBump), nil
	case "~":
		return poetryRangeClauses(version, poetryTildeBump), nil
	case "~=":
		if len(pep440ReleaseNumbers(version)) < 2 {
			return nil, fmt.Errorf("%q: ~= needs at least two release numbers", term)
		}
		return []pep440Clause{{"~=", version}}, nil
	case "", "=":
		op = "=="
	}
	return []pep440Clause{{op, version}}, nil
}

// cutPoetryWildcard strips a trailing ".*" (or Poetry's ".x"/".X").
func cutPoetryWildcard(version string) (string, bool) {
	for _, suffix := range []string{".*", ".x", ".X"} {
		if base, ok := strings.CutSuffix(version, suffix); ok {
			return base, true
		}
	}
	return version, false
}

func poetryWildcardClauses(term, op, base string) ([]pep440Clause, error) {
	if _, err := pep440.Parse(base); err != nil {
		return nil, fmt.Errorf("%q: %q is not a PEP 440 version", term, base)
	}
	switch op {
	case "", "=", "==":
		return []pep440Clause{{"==", base + ".*"}}, nil
	case "!=":
		return []pep440Clause{{"!=", base + ".*"}}, nil
	}
	return nil, fmt.Errorf("%q: a wildcard needs == or !=", term)
}

// poetryRangeClauses is ">=version,<upper" where bump picks which release number
// the upper bound increments.
func poetryRangeClauses(version string, bump func(release []int) int) []pep440Clause {
	release := pep440ReleaseNumbers(version)
	return []pep440Clause{{">=", version}, {"<", bumpPEP440Release(release, bump(release))}}
}

// poetryCaretBump is Poetry's "^": the first non-zero number of those given (the
// last given when all are zero) may not change: ^1.2.3 <2.0.0, ^0.2.3
// <0.3.0, ^0.0.3 <0.0.4, ^0.0 <0.1, ^0 <1.
func poetryCaretBump(release []int) int {
	for i, n := range release {
		if n != 0 || i == len(release)-1 || i == 2 {
			return i
		}
	}
	return 0
}

// poetryTildeBump is Poetry's "~": ~1.2.3 <1.3.0, ~1.2 <1.3, ~1 <2.
func poetryTildeBump(release []int) int {
	if len(release) == 1 {
		return 0
	}
	return 1
}

// bumpPEP440Release increments release[i], zeroes what follows and keeps the
// number of parts written: bumpPEP440Release([1 2 3], 0) = "2.0.0".
func bumpPEP440Release(release []int, i int) string {
	parts := make([]string, len(release))
	for j := range release {
		switch {
		case j < i:
			parts[j] = strconv.Itoa(release[j])
		case j == i:
			parts[j] = strconv.Itoa(release[j] + 1)
		default:
			parts[j] = "0"
		}
	}
	return strings.Join(parts, ".")
}

// pep440ReleaseNumbers are the leading dotted numbers of a version: "1.2.3b1" ->
// [1 2 3].
func pep440ReleaseNumbers(version string) []int {
	m := pep440ReleasePrefix.FindStringSubmatch(version)
	if m == nil {
		return nil
	}
	var out []int
	for _, p := range strings.Split(m[1], ".") {
		n, _ := strconv.Atoi(p)
		out = append(out, n)
	}
	return out
}

// allowsAny: one of the alternatives has no clause.
func (c poetryConstraint) allowsAny() bool {
	return slices.ContainsFunc(c, func(alt []pep440Clause) bool { return len(alt) == 0 })
}

// specifiers is the constraint in go-pep440-version's syntax, which keeps
// "||" between alternatives ("" allows any version); used to test a locked
// version against it exactly.
func (c poetryConstraint) specifiers() string {
	if c.allowsAny() {
		return ""
	}
	alts := make([]string, len(c))
	for i, alt := range c {
		alts[i] = joinPEP440Clauses(alt)
	}
	return strings.Join(alts, "||")
}

func joinPEP440Clauses(clauses []pep440Clause) string {
	parts := make([]string, len(clauses))
	for i, c := range clauses {
		parts[i] = c.String()
	}
	return strings.Join(parts, ",")
}

// poetryConstraintToPEP440 converts a Poetry constraint to a PEP 440
// specifier ("" for any version): "^1.2.3" -> ">=1.2.3,<2.0.0". PEP 440
// has no "or", so alternatives are merged into one range: where they meet
// at an excluded version it becomes "!=" (">=1,<1.8 || >1.8,<2" ->
// ">=1,!=1.8,<2"), and a real gap between them is covered, which allows
// more than Poetry would (the lock, not this line, fixes the version).
func poetryConstraintToPEP440(s string) (string, error) {
	c, err := parsePoetryConstraint(s)
	if err != nil {
		return "", err
	}
	if c.allowsAny() {
		return "", nil
	}
	if len(c) == 1 {
		return joinPEP440Clauses(c[0]), nil
	}
	merged, err := mergePoetryAlternatives(c)
	if err != nil {
		return "", err
	}
	return joinPEP440Clauses(merged.clauses()), nil
}

// pep440Bound is one end of a range.
type pep440Bound struct {
	text      string
	version   pep440.Version
	inclusive bool
}

// pep440Range is an alternative as a range; other holds what a range
// cannot say (!= and ===), kept as written.
type pep440Range struct {
	lower, upper *pep440Bound // nil: unbounded
	other        []pep440Clause
}

func newPEP440Bound(text string, inclusive bool) (*pep440Bound, error) {
	v, err := pep440.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("%q is not a PEP 440 version", text)
	}
	return &pep440Bound{text: text, version: v, inclusive: inclusive}, nil
}

// pep440RangeOf reads an alternative's clauses as a range; ==X.*, ~= and exact
// versions become their bounds.
func pep440RangeOf(alt []pep440Clause) (pep440Range, error) {
	var r pep440Range
	for _, c := range alt {
		lower, upper, err := pep440ClauseBounds(c)
		if err != nil {
			return pep440Range{}, err
		}
		if lower == nil && upper == nil {
			r.other = append(r.other, c)
			continue
		}
		r.lower = tighterLowerBound(r.lower, lower)
		r.upper = tighterUpperBound(r.upper, upper)
	}
	return r, nil
}

func pep440ClauseBounds(c pep440Clause) (lower, upper *pep440Bound, err error) {
	base, wildcard := strings.CutSuffix(c.version, ".*")
	release := pep440ReleaseNumbers(base)
	switch {
	case c.op == "==" && wildcard:
		lower, err = newPEP440Bound(base, true)
		if err == nil {
			upper, err = newPEP440Bound(bumpPEP440Release(release, len(release)-1), false)
		}
	case c.op == "==":
		lower, err = newPEP440Bound(c.version, true)
		upper = lower
	case c.op == "~=":
		lower, err = newPEP440Bound(c.version, true)
		if err == nil {
			upper, err = newPEP440Bound(bumpPEP440Release(release[:len(release)-1], len(release)-2), false)
		}
	case c.op == ">=" || c.op == ">":
		lower, err = newPEP440Bound(c.version, c.op == ">=")
	case c.op == "<=" || c.op == "<":
		upper, err = newPEP440Bound(c.version, c.op == "<=")
	}
	return lower, upper, err
}

// tighterLowerBound is the tighter of two lower bounds (nil is unbounded).
func tighterLowerBound(a, b *pep440Bound) *pep440Bound {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	if cmp := a.version.Compare(b.version); cmp > 0 || (cmp == 0 && !a.inclusive) {
		return a
	}
	return b
}

// tighterUpperBound is the tighter of two upper bounds (nil is unbounded).
func tighterUpperBound(a, b *pep440Bound) *pep440Bound {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	if cmp := a.version.Compare(b.version); cmp < 0 || (cmp == 0 && !a.inclusive) {
		return a
	}
	return b
}

// looserUpperBound is the looser of two upper bounds (nil is unbounded).
func looserUpperBound(a, b *pep440Bound) *pep440Bound {
	if a == nil || b == nil {
		return nil
	}
	if cmp := a.version.Compare(b.version); cmp > 0 || (cmp == 0 && a.inclusive) {
		return a
	}
	return b
}

// mergePoetryAlternatives folds the alternatives, lowest first, into one range.
func mergePoetryAlternatives(c poetryConstraint) (pep440Range, error) {
	ranges := make([]pep440Range, 0, len(c))
	for _, alt := range c {
		r, err := pep440RangeOf(alt)
		if err != nil {
			return pep440Range{}, err
		}
		ranges = append(ranges, r)
	}
	slices.SortStableFunc(ranges, func(a, b pep440Range) int {
		switch {
		case a.lower == nil && b.lower == nil:
			return 0
		case a.lower == nil:
			return -1
		case b.lower == nil:
			return 1
		}
		return a.lower.version.Compare(b.lower.version)
	})
	merged := ranges[0]
	for _, next := range ranges[1:] {
		if hole := versionExcludedBetween(merged.upper, next.lower); hole != "" {
			merged.other = append(merged.other, pep440Clause{"!=", hole})
		}
		merged.upper = looserUpperBound(merged.upper, next.upper)
		merged.other = append(merged.other, next.other...)
	}
	return merged, nil
}

// versionExcludedBetween is the one version two ranges leave out where they meet
// ("<1.8" then ">1.8"), "" when they overlap, touch, or leave a wider gap.
func versionExcludedBetween(upper, lower *pep440Bound) string {
	if upper == nil || lower == nil || upper.inclusive || lower.inclusive {
		return ""
	}
	if upper.version.Compare(lower.version) == 0 {
		return upper.text
	}
	return ""
}

// clauses writes the range back: "==v" for a single version, else the
// lower bound, the other clauses, the upper bound.
func (r pep440Range) clauses() []pep440Clause {
	if r.lower != nil && r.upper != nil && r.lower.inclusive && r.upper.inclusive && r.lower.version.Compare(r.upper.version) == 0 {
		return append([]pep440Clause{{"==", r.lower.text}}, r.other...)
	}
	var out []pep440Clause
	if r.lower != nil {
		out = append(out, pep440Clause{boundOperator(">", r.lower.inclusive), r.lower.text})
	}
	out = append(out, r.other...)
	if r.upper != nil {
		out = append(out, pep440Clause{boundOperator("<", r.upper.inclusive), r.upper.text})
	}
	return out
}

// boundOperator is op, with "=" added for an inclusive bound.
func boundOperator(op string, inclusive bool) string {
	if inclusive {
		return op + "="
	}
	return op
}

// poetryPythonMarker turns a Poetry python constraint ("^3.8", ">=3.9,<3.12",
// "~2.7 || ^3.6") into a PEP 508 marker ("" for any Python). Two-part
// versions compare python_version, longer ones and wildcards
// python_full_version.
func poetryPythonMarker(constraint string) (string, error) {
	if strings.TrimSpace(constraint) == "" {
		return "", nil
	}
	c, err := parsePoetryConstraint(constraint)
	if err != nil || c.allowsAny() {
		return "", err
	}
	alts := make([]string, len(c))
	for i, alt := range c {
		var parts []string
		for _, clause := range alt {
			parts = append(parts, pythonClauseMarkers(clause)...)
		}
		alts[i] = strings.Join(parts, " and ")
		if len(c) > 1 && len(parts) > 1 {
			alts[i] = "(" + alts[i] + ")"
		}
	}
	return strings.Join(alts, " or "), nil
}

func pythonClauseMarkers(c pep440Clause) []string {
	if c.op == "~=" {
		release := pep440ReleaseNumbers(c.version)
		upper := bumpPEP440Release(release[:len(release)-1], len(release)-2)
		return append(pythonClauseMarkers(pep440Clause{">=", c.version}), pythonClauseMarkers(pep440Clause{"<", upper})...)
	}
	variable := "python_version"
	if strings.HasSuffix(c.version, ".*") || len(pep440ReleaseNumbers(c.version)) > 2 || c.op == "===" {
		variable = "python_full_version"
	}
	return []string{variable + " " + c.op + " " + strconv.Quote(c.version)}
}
