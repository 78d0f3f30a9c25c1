package app

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	pep440 "github.com/aquasecurity/go-pep440-version"

	"github.com/warpdrive-buildpack/warpdrive/pep508"
)

const poetryLockName = "poetry.lock"

// poetryLockVersions are the lock-versions read: 1.0 and 1.1 (Poetry 1.0 to
// 1.4: category per package, hashes in [metadata.files]), 2.0 (Poetry 1.5+:
// files per package) and 2.1 (Poetry 2: groups and markers per package).
var poetryLockVersions = []string{"1.0", "1.1", "2.0", "2.1"}

// poetryLock is poetry.lock as far as warpdrive reads it.
type poetryLock struct {
	Package  []*poetryPackage `toml:"package"`
	Metadata struct {
		LockVersion string `toml:"lock-version"`
		// Files is lock-version 1.x's hashes, keyed by package name.
		Files map[string][]poetryFile `toml:"files"`
	} `toml:"metadata"`
}

type poetryPackage struct {
	Name           string `toml:"name"`
	Version        string `toml:"version"`
	Category       string `toml:"category"` // 1.x: "main" or "dev"
	Optional       bool   `toml:"optional"` // only the project's own extras want it
	PythonVersions string `toml:"python-versions"`
	// Groups and Markers are 2.1's: the groups that need the package, and
	// when (a marker string, or a table of them keyed by group).
	Groups  []string     `toml:"groups"`
	Markers any          `toml:"markers"`
	Files   []poetryFile `toml:"files"`
	// Dependencies values are a constraint string, a table (version,
	// markers, python, platform, optional, extras), or a list of tables.
	Dependencies map[string]any      `toml:"dependencies"`
	Extras       map[string][]string `toml:"extras"`
	Source       *poetrySource       `toml:"source"`
	// Develop: a directory source installed editable (Poetry writes it for
	// directory and git sources; only a directory can be editable here).
	Develop bool `toml:"develop"`
}

type poetryFile struct {
	File string `toml:"file"`
	Hash string `toml:"hash"`
}

type poetrySource struct {
	Type              string `toml:"type"`
	URL               string `toml:"url"`
	Reference         string `toml:"reference"`
	ResolvedReference string `toml:"resolved_reference"`
	// Subdirectory is where in a git repository the package's project is.
	Subdirectory string `toml:"subdirectory"`
}

// ReadPoetryLock reads home/poetry.lock with home/pyproject.toml for env.
//
// The pins are the main set: what the pyproject's main dependencies reach
// through the lock's dependency edges whose markers hold in env, with the
// extras edges ask for; dev groups, the project's own extras and packages
// for other platforms are left out.
func ReadPoetryLock(home string, env pep508.Environment) (Lock, error) {
	lock, err := decodePoetryLock(home)
	if err != nil {
		return Lock{}, err
	}
	pyproject, err := ReadPyproject(home)
	if err != nil {
		return Lock{}, err
	}
	version := lock.Metadata.LockVersion
	refresh := poetryRefreshCommand(version)
	w := newPoetryWalk(lock, env)
	if undeclared, excluded := poetryStale(pyproject, w.byName); len(undeclared) > 0 || len(excluded) > 0 {
		return Lock{}, LockStaleError{File: poetryLockName, Manifest: "pyproject.toml", Undeclared: undeclared, Excluded: excluded, RefreshCommand: refresh}
	}
	roots, err := poetryRoots(pyproject, lock, env)
	if err != nil {
		return Lock{}, err
	}
	for _, req := range roots {
		if err := w.visit(req); err != nil {
			return Lock{}, err
		}
	}
	if len(w.missing) > 0 {
		return Lock{}, LockIncompleteError{File: poetryLockName, Missing: w.missing, RefreshCommand: refresh}
	}
	return Lock{
		File:            poetryLockName,
		Tool:            "Poetry",
		RefreshCommand:  refresh,
		Version:         version,
		Pins:            w.pins(lock.Metadata.Files),
		InstallsProject: pyproject.IsPackage(),
	}, nil
}

// poetryRefreshCommand: Poetry 1.x's "poetry lock" also upgrades every
// package unless told not to; 2.x dropped the flag and never upgrades.
func poetryRefreshCommand(lockVersion string) string {
	if strings.HasPrefix(lockVersion, "1.") {
		return "poetry lock --no-update"
	}
	return "poetry lock"
}

// decodePoetryLock reads poetry.lock: a TOML syntax error, an unknown
// lock-version, then a field of the wrong type, in that order, so that a
// lock from a future Poetry says so rather than that a field is odd.
func decodePoetryLock(home string) (*poetryLock, error) {
	path := filepath.Join(home, poetryLockName)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("unable to read %s\n%w", poetryLockName, err)
	}
	doc, err := readTOML(home, poetryLockName)
	if err != nil {
		return nil, poetrySyntaxError(poetryLockName, err)
	}
	if err := checkPoetryLockVersion(doc); err != nil {
		return nil, err
	}
	var lock poetryLock
	if _, err := toml.DecodeFile(path, &lock); err != nil {
		return nil, LockSyntaxError{File: poetryLockName, Detail: strings.TrimPrefix(err.Error(), "toml: "), Err: err}
	}
	for i, p := range lock.Package {
		if p.Name == "" {
			return nil, LockSyntaxError{File: poetryLockName, Detail: fmt.Sprintf("[[package]] number %d has no name", i+1)}
		}
		if p.Version == "" {
			return nil, LockSyntaxError{File: poetryLockName, Detail: fmt.Sprintf("package %q has no version", p.Name)}
		}
	}
	return &lock, nil
}

func checkPoetryLockVersion(doc map[string]any) error {
	found := "none"
	if v, ok := lookup(doc, "metadata", "lock-version"); ok {
		found = fmt.Sprint(v)
		if s, ok := v.(string); ok && slices.Contains(poetryLockVersions, s) {
			return nil
		}
	}
	return LockVersionError{File: poetryLockName, Found: found,
		Supported: strings.Join(poetryLockVersions, ", "), Writer: "Poetry 1.x or 2.x"}
}

// poetrySyntaxError turns readTOML's TOMLSyntaxError into a LockSyntaxError.
func poetrySyntaxError(file string, err error) error {
	var syntax TOMLSyntaxError
	if !errors.As(err, &syntax) {
		return err
	}
	detail := syntax.Message
	switch {
	case syntax.Line > 0 && syntax.Column > 0:
		detail = fmt.Sprintf("line %d, column %d: %s", syntax.Line, syntax.Column, syntax.Message)
	case syntax.Line > 0:
		detail = fmt.Sprintf("line %d: %s", syntax.Line, syntax.Message)
	}
	return LockSyntaxError{File: file, Detail: detail, Err: err}
}

// poetryRequest asks for one package: a root dependency or an edge.
type poetryRequest struct {
	name string
	// constraint is a go-pep440-version specifier ("||" between
	// alternatives, "" for any), used to choose among several locked
	// packages of one name.
	constraint string
	extras     []string
	// viaExtra: the edge is an optional dependency an extra turned on,
	// which may reach a package marked optional.
	viaExtra bool
}

// poetryRoots are the pyproject's main dependencies whose markers hold. A
// lock without a pyproject.toml has no roots to say what is main, so its
// roots are the main packages no other package depends on.
func poetryRoots(pyproject Pyproject, lock *poetryLock, env pep508.Environment) ([]poetryRequest, error) {
	if !pyproject.Exists {
		return unrequiredPoetryPackages(lock), nil
	}
	var roots []poetryRequest
	for _, line := range pyproject.Dependencies {
		req, err := pep508.ParseRequirement(line)
		if err != nil {
			return nil, PyprojectError{Key: "dependencies", Reason: fmt.Sprintf("%q: %v", line, err), Err: err}
		}
		ok, err := req.Marker.Evaluate(env)
		if err != nil {
			return nil, PyprojectError{Key: "dependencies", Reason: fmt.Sprintf("%q: %v", line, err), Err: err}
		}
		if ok {
			roots = append(roots, poetryRequest{name: req.Name, constraint: req.Specifier, extras: req.Extras})
		}
	}
	return roots, nil
}

func unrequiredPoetryPackages(lock *poetryLock) []poetryRequest {
	required := map[string]bool{}
	for _, p := range lock.Package {
		for name := range p.Dependencies {
			required[pep508.NormalizeName(name)] = true
		}
	}
	var roots []poetryRequest
	for _, p := range lock.Package {
		if !required[pep508.NormalizeName(p.Name)] {
			roots = append(roots, poetryRequest{name: p.Name, constraint: "==" + p.Version})
		}
	}
	return roots
}

// poetryStale names the pyproject's main dependencies the lock has no
// package for, whatever their markers (the lock is for every platform),
// and those no locked version satisfies: Poetry would refuse such a lock
// ("pyproject.toml changed significantly since poetry.lock was last
// generated"). Poetry decides that from [metadata] content-hash, a hash of
// pyproject.toml's relevant sections whose recipe changed between Poetry
// versions; a missing or excluded package is what can be told for every
// version, and what would leave the image without the dependency it asks
// for.
func poetryStale(pyproject Pyproject, byName map[string][]*poetryPackage) (undeclared, excluded []string) {
	for _, line := range pyproject.Dependencies {
		req, err := pep508.ParseRequirement(line)
		if err != nil {
			continue // poetryRoots reports it
		}
		locked := byName[pep508.NormalizeName(req.Name)]
		if len(locked) == 0 {
			undeclared = append(undeclared, req.Name)
			continue
		}
		versions := make([]string, len(locked))
		for i, p := range locked {
			versions[i] = p.Version
		}
		if what, ok := excludedByLock(req, versions); ok {
			excluded = append(excluded, what)
		}
	}
	return undeclared, excluded
}

// poetryWalk follows the lock's dependency graph from the roots.
type poetryWalk struct {
	env    pep508.Environment
	byName map[string][]*poetryPackage
	// nodes holds, by normalized name, the package chosen for the name the
	// first time it was asked for.
	nodes map[string]*poetryNode
	// missing are the dependencies of included packages the lock has no
	// package for.
	missing []MissingDependency
}

type poetryNode struct {
	pkg *poetryPackage
	// included: the package belongs to the main set, and its edges have
	// been followed.
	included bool
	// extras are the package's extras asked for so far, normalized.
	extras map[string]bool
}

func newPoetryWalk(lock *poetryLock, env pep508.Environment) *poetryWalk {
	w := &poetryWalk{env: env, byName: map[string][]*poetryPackage{}, nodes: map[string]*poetryNode{}}
	for _, p := range lock.Package {
		key := pep508.NormalizeName(p.Name)
		w.byName[key] = append(w.byName[key], p)
	}
	return w
}

// visit admits the package req asks for and follows its edges again when
// that adds it or some of its extras; a package the lock does not hold is
// passed over (poetryStale reports the roots among them, follow the
// edges).
func (w *poetryWalk) visit(req poetryRequest) error {
	node, err := w.node(req)
	if node == nil || err != nil {
		return err
	}
	grew := false
	if !node.included {
		ok, err := w.admits(node.pkg, req.viaExtra)
		if !ok || err != nil {
			return err
		}
		node.included, grew = true, true
	}
	for _, extra := range req.extras {
		if key := pep508.NormalizeName(extra); !node.extras[key] {
			node.extras[key], grew = true, true
		}
	}
	if !grew {
		return nil
	}
	return w.followEdges(node)
}

// node is the package chosen for req's name, choosing it on first sight.
func (w *poetryWalk) node(req poetryRequest) (*poetryNode, error) {
	key := pep508.NormalizeName(req.name)
	if node, ok := w.nodes[key]; ok {
		return node, nil
	}
	candidates := w.byName[key]
	if len(candidates) == 0 {
		return nil, nil
	}
	pkg, err := w.choose(candidates, req.constraint)
	if err != nil {
		return nil, err
	}
	node := &poetryNode{pkg: pkg, extras: map[string]bool{}}
	w.nodes[key] = node
	return node, nil
}

// choose picks among the packages Poetry locked for one name (one per
// marker set, e.g. numpy 1.24 for Python 3.8 and 1.26 for later): the one
// whose markers or python-versions fit env and whose version the request's
// constraint allows; fitting env counts more.
func (w *poetryWalk) choose(candidates []*poetryPackage, constraint string) (*poetryPackage, error) {
	if len(candidates) == 1 {
		return candidates[0], nil
	}
	best, bestScore := candidates[0], -1
	for _, p := range candidates {
		fits, err := w.fitsEnv(p)
		if err != nil {
			return nil, err
		}
		score := 0
		if fits {
			score += 2
		}
		if lockedVersionAllowed(constraint, p.Version) {
			score++
		}
		if score > bestScore {
			best, bestScore = p, score
		}
	}
	return best, nil
}

// fitsEnv: the package's 2.1 main marker, else its python-versions, holds.
func (w *poetryWalk) fitsEnv(p *poetryPackage) (bool, error) {
	marker, err := poetryMainMarker(p)
	if err != nil {
		return false, err
	}
	if marker == "" {
		if marker, err = poetryPythonMarker(p.PythonVersions); err != nil {
			return true, nil // metadata Poetry wrote; not worth failing over
		}
	}
	return w.holds(marker, w.env, p.Name)
}

// lockedVersionAllowed tests a locked version against a specifier; one that does
// not parse allows it, since it only breaks ties.
func lockedVersionAllowed(constraint, version string) bool {
	if constraint == "" {
		return true
	}
	spec, err := pep440.NewSpecifiers(constraint, pep440.WithPreRelease(true))
	if err != nil {
		return true
	}
	v, err := pep440.Parse(version)
	return err != nil || spec.Check(v)
}

// admits: the package belongs to the main set in env. 1.x's dev category
// and 2.1's groups without "main" are dev-only; an optional package is the
// project's own extra unless an extra of an edge turned it on; a 2.1 main
// marker must hold.
func (w *poetryWalk) admits(p *poetryPackage, viaExtra bool) (bool, error) {
	switch {
	case p.Category == "dev":
		return false, nil
	case p.Groups != nil && !slices.Contains(p.Groups, "main"):
		return false, nil
	case p.Optional && !viaExtra:
		return false, nil
	}
	marker, err := poetryMainMarker(p)
	if err != nil {
		return false, err
	}
	return w.holds(marker, w.env, p.Name)
}

// poetryMainMarker is 2.1's marker for the main group: the string, or the table's
// "main" entry ("" when none).
func poetryMainMarker(p *poetryPackage) (string, error) {
	switch m := p.Markers.(type) {
	case nil:
		return "", nil
	case string:
		return m, nil
	case map[string]any:
		main, ok := m["main"]
		if !ok {
			return "", nil
		}
		if s, ok := main.(string); ok {
			return s, nil
		}
	}
	return "", LockSyntaxError{File: poetryLockName, Detail: fmt.Sprintf("package %q: markers must be a string or a table of strings", p.Name)}
}

func (w *poetryWalk) holds(marker string, env pep508.Environment, what string) (bool, error) {
	ok, err := pep508.Evaluate(marker, env)
	if err != nil {
		return false, LockMarkerError{File: poetryLockName, Package: what, Marker: marker, Err: err}
	}
	return ok, nil
}

// followEdges visits the dependencies of an included package: each edge
// whose conditions hold in env (with the package's extras requested, so
// that `extra == "x"` markers hold), optional ones only when an extra asked
// for lists them; then any extra entry that names no edge (an extra of the
// package itself, such as attrs' "attrs[tests]").
func (w *poetryWalk) followEdges(node *poetryNode) error {
	p := node.pkg
	env := w.env.WithExtras(slices.Sorted(maps.Keys(node.extras))...)
	enabled, err := enabledExtraEntries(p, node.extras)
	if err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(p.Dependencies)) {
		edge, ok, err := w.pickEdge(p, name, env)
		if err != nil {
			return err
		}
		key := pep508.NormalizeName(name)
		entry, turnedOn := enabled[key]
		delete(enabled, key)
		if !ok || (edge.optional && !turnedOn) {
			continue
		}
		w.noteMissing(p, name)
		req := poetryRequest{name: name, constraint: poetrySpecifiers(edge.version),
			extras: append(slices.Clone(edge.extras), entry.extras...), viaExtra: edge.optional}
		if err := w.visit(req); err != nil {
			return err
		}
	}
	for _, key := range slices.Sorted(maps.Keys(enabled)) {
		entry := enabled[key]
		ok, err := w.holds(entry.marker, env, p.Name+"'s extra entry "+entry.name)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		w.noteMissing(p, entry.name)
		if err := w.visit(poetryRequest{name: entry.name, constraint: entry.constraint, extras: entry.extras, viaExtra: true}); err != nil {
			return err
		}
	}
	return nil
}

// noteMissing records that the included package p requires name, which the
// lock does not hold.
func (w *poetryWalk) noteMissing(p *poetryPackage, name string) {
	if len(w.byName[pep508.NormalizeName(name)]) == 0 {
		w.missing = appendMissing(w.missing, MissingDependency{Name: name, RequiredBy: p.Name})
	}
}

// poetrySpecifiers converts an edge's Poetry constraint for lockedVersionAllowed;
// one that does not parse allows any version.
func poetrySpecifiers(constraint string) string {
	c, err := parsePoetryConstraint(constraint)
	if err != nil {
		return ""
	}
	return c.specifiers()
}

// poetryEdge is one [package.dependencies] entry (or one entry of a list).
type poetryEdge struct {
	version, markers, python, platform string
	optional                           bool
	extras                             []string
}

// pickEdge is the first of a dependency's entries whose markers, python and
// platform hold in env; ok is false when none does.
func (w *poetryWalk) pickEdge(p *poetryPackage, name string, env pep508.Environment) (poetryEdge, bool, error) {
	edges, err := parsePoetryEdges(p.Dependencies[name])
	if err != nil {
		return poetryEdge{}, false, LockSyntaxError{File: poetryLockName, Detail: fmt.Sprintf("package %q, dependency %q: %v", p.Name, name, err)}
	}
	what := p.Name + "'s dependency " + name
	for _, e := range edges {
		python, err := poetryPythonMarker(e.python)
		if err != nil {
			return poetryEdge{}, false, LockMarkerError{File: poetryLockName, Package: what, Marker: "python " + e.python, Err: err}
		}
		ok, err := w.holds(andPEP508Markers(e.markers, python, poetryPlatformMarker(e.platform)), env, what)
		if err != nil || ok {
			return e, ok, err
		}
	}
	return poetryEdge{}, false, nil
}

func parsePoetryEdges(value any) ([]poetryEdge, error) {
	switch v := value.(type) {
	case string:
		return []poetryEdge{{version: v}}, nil
	case map[string]any:
		e, err := parsePoetryEdgeTable(v)
		return []poetryEdge{e}, err
	case []map[string]any:
		edges := make([]poetryEdge, 0, len(v))
		for _, t := range v {
			e, err := parsePoetryEdgeTable(t)
			if err != nil {
				return nil, err
			}
			edges = append(edges, e)
		}
		return edges, nil
	case []any:
		edges := make([]poetryEdge, 0, len(v))
		for _, item := range v {
			more, err := parsePoetryEdges(item)
			if err != nil {
				return nil, err
			}
			edges = append(edges, more...)
		}
		return edges, nil
	}
	return nil, fmt.Errorf("must be a constraint string, a table or a list of tables, not a TOML %T", value)
}

func parsePoetryEdgeTable(t map[string]any) (poetryEdge, error) {
	var e poetryEdge
	for key, dst := range map[string]*string{"version": &e.version, "markers": &e.markers, "python": &e.python, "platform": &e.platform} {
		s, err := tomlTableString(t, key)
		if err != nil {
			return poetryEdge{}, err
		}
		*dst = s
	}
	if v, ok := t["optional"]; ok {
		if e.optional, ok = v.(bool); !ok {
			return poetryEdge{}, fmt.Errorf("optional must be true or false, not a TOML %T", v)
		}
	}
	extras, err := tomlStringList(t["extras"])
	if err != nil {
		return poetryEdge{}, fmt.Errorf("extras %v", err)
	}
	e.extras = extras
	return e, nil
}

// poetryExtraEntry is one requirement of a [package.extras] list, written
// by Poetry as `name[extras] (constraint) ; marker`.
type poetryExtraEntry struct {
	name, constraint, marker string
	extras                   []string
}

var poetryExtraEntryPattern = regexp.MustCompile(`^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?\s*(?:\((.*)\))?\s*(.*)$`)

func parsePoetryExtraEntry(s string) (poetryExtraEntry, bool) {
	head, marker, _ := strings.Cut(s, ";")
	m := poetryExtraEntryPattern.FindStringSubmatch(head)
	if m == nil {
		return poetryExtraEntry{}, false
	}
	entry := poetryExtraEntry{name: m[1], marker: strings.TrimSpace(marker), constraint: poetrySpecifiers(firstNonEmptyString(m[3], m[4]))}
	for _, x := range strings.Split(m[2], ",") {
		if x = strings.TrimSpace(x); x != "" {
			entry.extras = append(entry.extras, x)
		}
	}
	return entry, true
}

// enabledExtraEntries are the entries of the package's requested extras, by
// normalized name (their extras merged when several extras list a name).
func enabledExtraEntries(p *poetryPackage, requested map[string]bool) (map[string]poetryExtraEntry, error) {
	enabled := map[string]poetryExtraEntry{}
	for _, extra := range slices.Sorted(maps.Keys(p.Extras)) {
		if !requested[pep508.NormalizeName(extra)] {
			continue
		}
		for _, s := range p.Extras[extra] {
			entry, ok := parsePoetryExtraEntry(s)
			if !ok {
				return nil, LockSyntaxError{File: poetryLockName, Detail: fmt.Sprintf("package %q, extra %q: %q names no package", p.Name, extra, s)}
			}
			key := pep508.NormalizeName(entry.name)
			if prev, ok := enabled[key]; ok {
				entry.extras = append(prev.extras, entry.extras...)
			}
			enabled[key] = entry
		}
	}
	return enabled, nil
}

// pins are the included packages, sorted by normalized name.
func (w *poetryWalk) pins(legacyFiles map[string][]poetryFile) []Pin {
	var pins []Pin
	for _, key := range slices.Sorted(maps.Keys(w.nodes)) {
		if node := w.nodes[key]; node.included {
			pins = append(pins, poetryPin(node.pkg, legacyFiles))
		}
	}
	return pins
}

func poetryPin(p *poetryPackage, legacyFiles map[string][]poetryFile) Pin {
	files := p.Files
	if files == nil {
		files = legacyPoetryFiles(p.Name, legacyFiles)
	}
	var hashes []string
	for _, f := range files {
		if f.Hash != "" {
			hashes = append(hashes, f.Hash)
		}
	}
	source, ref := poetrySourceRef(p.Source)
	editable := p.Develop && p.Source != nil && p.Source.Type == "directory"
	return Pin{Name: p.Name, Version: p.Version, Hashes: hashes, Source: source, Ref: ref, Editable: editable}
}

// legacyPoetryFiles is 1.x's [metadata.files] entry for name, keyed as the
// package is named or in another spelling of it.
func legacyPoetryFiles(name string, files map[string][]poetryFile) []poetryFile {
	if f, ok := files[name]; ok {
		return f
	}
	for key, f := range files {
		if pep508.NormalizeName(key) == pep508.NormalizeName(name) {
			return f
		}
	}
	return nil
}

// poetrySourceRef maps [package.source]: none or "pypi" is the default
// index, "legacy" another index, "url"/"file"/"directory" a direct URL or
// local path, "git" a repository at the commit Poetry resolved (in its
// subdirectory when the project is not at the repository's root).
func poetrySourceRef(s *poetrySource) (SourceKind, string) {
	if s == nil {
		return SourceIndex, ""
	}
	switch s.Type {
	case "legacy":
		return SourceIndex, s.URL
	case "url":
		return SourceURL, s.URL
	case "file", "directory":
		return SourcePath, s.URL
	case "git":
		commit := firstNonEmptyString(s.ResolvedReference, s.Reference)
		if commit == "" {
			return SourceGit, refWithSubdirectory(s.URL, s.Subdirectory)
		}
		return SourceGit, refWithSubdirectory(s.URL+"@"+commit, s.Subdirectory)
	}
	return SourceIndex, ""
}
