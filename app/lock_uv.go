package app

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/warpdrive-buildpack/warpdrive/pep508"
)

// uvLockName is the file uv writes next to the project's pyproject.toml.
const uvLockName = "uv.lock"

// uvLockDocument is what warpdrive reads of uv.lock. The top-level version
// is read apart (uvFormatVersion), before the rest, so that a lock of
// another format version is reported as such rather than as a type error.
type uvLockDocument struct {
	Manifest struct {
		// Members names the workspace's member packages.
		Members []string `toml:"members"`
	} `toml:"manifest"`
	Packages []uvPackage `toml:"package"`
}

// uvPackage is one [[package]] of uv.lock.
type uvPackage struct {
	Name    string   `toml:"name"`
	Version string   `toml:"version"`
	Source  uvSource `toml:"source"`
	// ResolutionMarkers are the forks of the resolution this version was
	// chosen in, when uv locked several versions of one name.
	ResolutionMarkers    []string            `toml:"resolution-markers"`
	Dependencies         []uvEdge            `toml:"dependencies"`
	OptionalDependencies map[string][]uvEdge `toml:"optional-dependencies"`
	// [package.dev-dependencies] (the project's dependency groups) is not
	// read: the image holds what the project needs to run.
	Sdist    *uvDistFile  `toml:"sdist"`
	Wheels   []uvDistFile `toml:"wheels"`
	Metadata struct {
		RequiresDist []uvRequirement `toml:"requires-dist"`
	} `toml:"metadata"`
}

// uvSource is a package's (or an edge's) source table; exactly one of the
// location keys is set. It is comparable, so an edge's source can pick one
// of several packages of the same name.
type uvSource struct {
	Registry     string `toml:"registry"`
	Editable     string `toml:"editable"`
	Virtual      string `toml:"virtual"`
	Directory    string `toml:"directory"`
	Path         string `toml:"path"`
	URL          string `toml:"url"`
	Git          string `toml:"git"`
	Subdirectory string `toml:"subdirectory"`
}

// uvEdge is one entry of a package's dependencies: the dependency's name,
// its version and source when the name alone is ambiguous, the marker that
// guards it, and the dependency's extras it requests.
type uvEdge struct {
	Name    string    `toml:"name"`
	Version string    `toml:"version"`
	Source  *uvSource `toml:"source"`
	Marker  string    `toml:"marker"`
	Extra   []string  `toml:"extra"`
}

// uvDistFile is an sdist or a wheel uv recorded for a package.
type uvDistFile struct {
	Hash string `toml:"hash"`
}

// uvRequirement is one entry of [package.metadata] requires-dist: what the
// project's pyproject.toml asked for when uv locked it.
type uvRequirement struct {
	Name   string `toml:"name"`
	Marker string `toml:"marker"`
}

// ReadUVLock reads home/uv.lock for the target env: the packages reached
// from the project (its dependencies, never its dependency groups, each
// edge's marker evaluated for env), pinned with the hashes of every file uv
// recorded for them.
func ReadUVLock(home string, env pep508.Environment) (Lock, error) {
	data, err := os.ReadFile(filepath.Join(home, uvLockName))
	if err != nil {
		return Lock{}, fmt.Errorf("unable to read %s\n%w", uvLockName, err)
	}
	version, err := uvFormatVersion(data)
	if err != nil {
		return Lock{}, err
	}
	var doc uvLockDocument
	if _, err := toml.Decode(string(data), &doc); err != nil {
		return Lock{}, tomlLockSyntaxError(uvLockName, data, err)
	}
	graph := newUVGraph(doc.Packages, env)
	roots, err := graph.roots(doc.Manifest.Members)
	if err != nil {
		return Lock{}, err
	}
	project, hasProject := graph.project(roots)
	if hasProject {
		// As `uv sync --locked`: a lock not made from this pyproject.toml
		// is refused before anything is read from it.
		if err := uvCheckFresh(home, project, graph); err != nil {
			return Lock{}, err
		}
	}
	reached, err := graph.walk(roots)
	if err != nil {
		return Lock{}, err
	}
	pins, err := graph.pins(reached)
	if err != nil {
		return Lock{}, err
	}
	return Lock{
		File:            uvLockName,
		Tool:            "uv",
		RefreshCommand:  "uv lock",
		Version:         version,
		Pins:            pins,
		InstallsProject: hasProject && project.Source.Editable != "",
	}, nil
}

// uvFormatVersion reads the top-level version: uv has written version = 1
// since its lock became stable (revisions within it add fields, which this
// reader ignores); another version is a format this reader does not know.
func uvFormatVersion(data []byte) (string, error) {
	var header struct {
		Version any `toml:"version"`
	}
	if _, err := toml.Decode(string(data), &header); err != nil {
		return "", tomlLockSyntaxError(uvLockName, data, err)
	}
	v, isInt := header.Version.(int64)
	switch {
	case header.Version == nil:
		return "", LockSyntaxError{File: uvLockName, Detail: "it has no top-level version (uv writes version = 1)"}
	case !isInt:
		return "", LockSyntaxError{File: uvLockName, Detail: fmt.Sprintf("version must be an integer such as 1, not %#v", header.Version)}
	case v != 1:
		return "", LockVersionError{File: uvLockName, Found: fmt.Sprint(v), Supported: "1", Writer: "uv 0.3 or later"}
	}
	return "1", nil
}

// uvGraph indexes uv.lock's packages by normalized name, for walking the
// dependency edges of one target.
type uvGraph struct {
	packages []uvPackage
	byName   map[string][]int
	env      pep508.Environment
	// isRoot marks the packages the walk starts from.
	isRoot map[int]bool
}

func newUVGraph(packages []uvPackage, env pep508.Environment) *uvGraph {
	g := &uvGraph{packages: packages, byName: map[string][]int{}, env: env, isRoot: map[int]bool{}}
	for i, p := range packages {
		name := pep508.NormalizeName(p.Name)
		g.byName[name] = append(g.byName[name], i)
	}
	return g
}

// isProjectDir reports whether the source is the application directory
// itself, as an editable package or a virtual (non-package) project.
func (s uvSource) isProjectDir() bool {
	return uvIsAppDir(s.Editable) || uvIsAppDir(s.Virtual)
}

func uvIsAppDir(p string) bool {
	return p != "" && path.Clean(filepath.ToSlash(p)) == "."
}

// roots are the packages `uv sync` installs from: the project in the
// application directory when there is one; otherwise (a virtual workspace
// root, which uv does not list as a package) every workspace member.
func (g *uvGraph) roots(members []string) ([]int, error) {
	var roots []int
	for i, p := range g.packages {
		if p.Source.isProjectDir() {
			roots = append(roots, i)
		}
	}
	if len(roots) == 0 {
		roots = g.memberRoots(members)
	}
	if len(roots) == 0 {
		return nil, LockSyntaxError{File: uvLockName,
			Detail: `no package is the project: uv writes it with source = { editable = "." } or { virtual = "." }, or names workspace members under [manifest]`}
	}
	for _, r := range roots {
		g.isRoot[r] = true
	}
	return roots, nil
}

// memberRoots are the workspace members [manifest] names that are local
// projects (editable or virtual), the packages a virtual workspace root
// syncs.
func (g *uvGraph) memberRoots(members []string) []int {
	var roots []int
	for _, m := range members {
		for _, i := range g.byName[pep508.NormalizeName(m)] {
			if s := g.packages[i].Source; s.Editable != "" || s.Virtual != "" {
				roots = append(roots, i)
			}
		}
	}
	return roots
}

// project is the root in the application directory, whose metadata says
// what pyproject.toml held when uv locked.
func (g *uvGraph) project(roots []int) (uvPackage, bool) {
	for _, r := range roots {
		if g.packages[r].Source.isProjectDir() {
			return g.packages[r], true
		}
	}
	return uvPackage{}, false
}

// uvVisit is a package reached through an edge, with one of the extras the
// edge requests ("" for the package's own dependencies).
type uvVisit struct {
	pkg   int
	extra string
}

// walk follows dependency edges from the roots and returns every package
// reached. Roots bring their own dependencies and those of the extras env
// requests; any other package, its dependencies and those of the extras an
// edge to it requests.
func (g *uvGraph) walk(roots []int) (map[int]bool, error) {
	reached := map[int]bool{}
	seen := map[uvVisit]bool{}
	var stack []uvVisit
	for _, r := range roots {
		stack = append(stack, uvVisit{r, ""})
		for _, extra := range g.env.Extras {
			stack = append(stack, uvVisit{r, extra})
		}
	}
	var missing []MissingDependency
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[v] {
			continue
		}
		seen[v] = true
		reached[v.pkg] = true
		from := g.packages[v.pkg]
		for _, e := range from.edges(v.extra) {
			next, ok, err := g.follow(from, e)
			var absent uvNotLocked
			if errors.As(err, &absent) {
				missing = appendMissing(missing, MissingDependency{Name: absent.name, RequiredBy: from.Name})
				continue
			}
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			stack = append(stack, uvVisit{next, ""})
			for _, extra := range e.Extra {
				stack = append(stack, uvVisit{next, extra})
			}
		}
	}
	if len(missing) > 0 {
		return nil, LockIncompleteError{File: uvLockName, Missing: missing, RefreshCommand: "uv lock"}
	}
	return reached, nil
}

// uvNotLocked: an edge whose marker holds names a package the lock does not
// list (at the version the edge asks for), so the image would lack it.
type uvNotLocked struct{ name string }

func (e uvNotLocked) Error() string { return e.name + " is not in " + uvLockName }

// edges are the package's dependencies, or those of one of its extras.
// Extra names are compared normalized (PEP 685), as uv writes them so but a
// hand edit may not.
func (p uvPackage) edges(extra string) []uvEdge {
	if extra == "" {
		return p.Dependencies
	}
	want := pep508.NormalizeName(extra)
	for name, edges := range p.OptionalDependencies {
		if pep508.NormalizeName(name) == want {
			return edges
		}
	}
	return nil
}

// follow evaluates the edge's marker and, when it holds, returns the
// package it leads to.
func (g *uvGraph) follow(from uvPackage, e uvEdge) (int, bool, error) {
	ok, err := pep508.Evaluate(e.Marker, g.env)
	if err != nil {
		return 0, false, LockMarkerError{File: uvLockName, Package: e.Name, Marker: e.Marker, Err: err}
	}
	if !ok {
		return 0, false, nil
	}
	next, err := g.resolve(from, e)
	return next, err == nil, err
}

// resolve finds the package an edge names. When uv locked several versions
// of the name (a forked resolution), it writes the version and source on
// the edge; failing those, the package's resolution-markers decide.
func (g *uvGraph) resolve(from uvPackage, e uvEdge) (int, error) {
	var candidates []int
	for _, i := range g.byName[pep508.NormalizeName(e.Name)] {
		p := g.packages[i]
		if (e.Version == "" || e.Version == p.Version) && (e.Source == nil || *e.Source == p.Source) {
			candidates = append(candidates, i)
		}
	}
	if len(candidates) > 1 {
		var err error
		if candidates, err = g.inFork(candidates); err != nil {
			return 0, err
		}
	}
	switch len(candidates) {
	case 1:
		return candidates[0], nil
	case 0:
		return 0, uvNotLocked{name: uvEdgeName(e)}
	}
	return 0, LockSyntaxError{File: uvLockName,
		Detail: fmt.Sprintf("package %q depends on %s, which matches %d packages of the lock", from.Name, uvEdgeName(e), len(candidates))}
}

// inFork keeps the candidates whose resolution-markers hold for env (or
// that have none).
func (g *uvGraph) inFork(candidates []int) ([]int, error) {
	var kept []int
	for _, i := range candidates {
		p := g.packages[i]
		ok := len(p.ResolutionMarkers) == 0
		for _, m := range p.ResolutionMarkers {
			holds, err := pep508.Evaluate(m, g.env)
			if err != nil {
				return nil, LockMarkerError{File: uvLockName, Package: p.Name, Marker: m, Err: err}
			}
			ok = ok || holds
		}
		if ok {
			kept = append(kept, i)
		}
	}
	return kept, nil
}

func uvEdgeName(e uvEdge) string {
	if e.Version != "" {
		return e.Name + " " + e.Version
	}
	return e.Name
}

// pins are the reached packages to install, sorted by normalized name. The
// project in the application directory is not one (pip installs it from
// the directory afterwards, if it is a package), nor is a virtual project.
func (g *uvGraph) pins(reached map[int]bool) ([]Pin, error) {
	var pins []Pin
	for i := range reached {
		p := g.packages[i]
		if (g.isRoot[i] && p.Source.isProjectDir()) || p.Source.Virtual != "" {
			continue
		}
		pin, err := p.pin()
		if err != nil {
			return nil, err
		}
		pins = append(pins, pin)
	}
	sortPinsByNormalizedName(pins)
	return pins, nil
}

func (p uvPackage) pin() (Pin, error) {
	kind, ref, ok := p.Source.kindAndRef()
	if !ok {
		return Pin{}, LockSyntaxError{File: uvLockName, Detail: fmt.Sprintf("package %q has no source", p.Name)}
	}
	return Pin{Name: p.Name, Version: p.Version, Hashes: p.hashes(), Source: kind, Ref: ref}, nil
}

// kindAndRef says where a package comes from. Local sources keep uv's path,
// which is relative to the lock, that is to the application directory.
func (s uvSource) kindAndRef() (SourceKind, string, bool) {
	switch {
	case s.Registry != "":
		return SourceIndex, s.Registry, true
	case s.URL != "":
		return SourceURL, refWithSubdirectory(s.URL, s.Subdirectory), true
	case s.Git != "":
		return SourceGit, uvGitRef(s.Git), true
	case s.Path != "":
		return SourcePath, s.Path, true
	case s.Directory != "":
		return SourcePath, s.Directory, true
	case s.Editable != "":
		return SourcePath, s.Editable, true
	}
	return "", "", false
}

// uvGitRef turns uv's git source, "https://host/repo?rev=v1#<commit>" (with
// subdirectory=... in the query when the package is not at the repository's
// root), into Pin's "URL@commit", plus pip's "#subdirectory=..." when set.
func uvGitRef(git string) string {
	u, err := url.Parse(git)
	if err != nil || u.Fragment == "" {
		return git
	}
	commit, subdirectory := u.Fragment, u.Query().Get("subdirectory")
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	return refWithSubdirectory(u.String()+"@"+commit, subdirectory)
}

// refWithSubdirectory appends pip's "#subdirectory=" to a URL reference when the
// project is not at the root of what the URL fetches.
func refWithSubdirectory(ref, subdirectory string) string {
	if subdirectory == "" {
		return ref
	}
	return ref + "#subdirectory=" + subdirectory
}

// hashes are those of the sdist and every wheel, once each: pip accepts
// whichever file it picks for the image's platform.
func (p uvPackage) hashes() []string {
	files := p.Wheels
	if p.Sdist != nil {
		files = append([]uvDistFile{*p.Sdist}, files...)
	}
	var hashes []string
	seen := map[string]bool{}
	for _, f := range files {
		if f.Hash != "" && !seen[f.Hash] {
			seen[f.Hash] = true
			hashes = append(hashes, f.Hash)
		}
	}
	return hashes
}

// uvCheckFresh compares the project's [package.metadata] requires-dist,
// what pyproject.toml asked for when uv locked, with pyproject.toml's
// [project] dependencies now, by name, as `uv sync --locked` does before
// installing: a dependency added since `uv lock` ran, or one removed, makes
// the lock stale; so does a requirement no locked version of its package
// satisfies (a constraint changed so that the locked version is excluded).
// Entries of the project's extras (a marker naming extra) are not [project]
// dependencies. Specifiers are not compared as text: uv writes them
// normalized, and a spelling difference, or a constraint the locked version
// still satisfies, leaves the lock up to date.
func uvCheckFresh(home string, project uvPackage, graph *uvGraph) error {
	pyproject, err := ReadPyproject(home)
	if err != nil || !pyproject.Exists {
		return err
	}
	if dynamic, err := dynamicDependencies(home); err != nil || dynamic {
		// Only the build backend knows them: uv builds the project to
		// compare, which warpdrive does not.
		return err
	}
	locked := map[string]string{}
	for _, r := range project.Metadata.RequiresDist {
		if !strings.Contains(r.Marker, "extra") {
			locked[pep508.NormalizeName(r.Name)] = r.Name
		}
	}
	declared := map[string]bool{}
	var undeclared, excluded []string
	for _, line := range pyproject.Dependencies {
		req, err := pep508.ParseRequirement(line)
		if err != nil {
			return PyprojectError{Key: "dependencies", Reason: fmt.Sprintf("%q: %v", line, err), Err: err}
		}
		name := pep508.NormalizeName(req.Name)
		declared[name] = true
		if _, ok := locked[name]; !ok {
			undeclared = append(undeclared, req.Name)
		} else if what, ok := excludedByLock(req, graph.versions(name)); ok {
			excluded = append(excluded, what)
		}
	}
	var removed []string
	for _, name := range slices.Sorted(maps.Keys(locked)) {
		if !declared[name] {
			removed = append(removed, locked[name])
		}
	}
	if len(undeclared) == 0 && len(removed) == 0 && len(excluded) == 0 {
		return nil
	}
	return LockStaleError{File: uvLockName, Manifest: "pyproject.toml", Undeclared: undeclared, Removed: removed, Excluded: excluded, RefreshCommand: "uv lock"}
}

// dynamicDependencies: pyproject.toml's [project] dynamic names
// "dependencies", so its build backend computes them.
func dynamicDependencies(home string) (bool, error) {
	doc, err := readTOML(home, "pyproject.toml")
	if err != nil {
		return false, err
	}
	fields, _ := lookup(doc, "project", "dynamic")
	list, _ := fields.([]any)
	for _, f := range list {
		if f == "dependencies" {
			return true, nil
		}
	}
	return false, nil
}

// versions are the versions locked for a normalized name.
func (g *uvGraph) versions(name string) []string {
	var out []string
	for _, i := range g.byName[name] {
		out = append(out, g.packages[i].Version)
	}
	return out
}

// appendMissing adds m unless the list has it.
func appendMissing(list []MissingDependency, m MissingDependency) []MissingDependency {
	for _, have := range list {
		if have == m {
			return list
		}
	}
	return append(list, m)
}

// sortPinsByNormalizedName orders pins as Lock promises, versions breaking
// ties so the order is stable whatever the lock's.
func sortPinsByNormalizedName(pins []Pin) {
	sort.SliceStable(pins, func(i, j int) bool {
		a, b := pep508.NormalizeName(pins[i].Name), pep508.NormalizeName(pins[j].Name)
		if a != b {
			return a < b
		}
		return pins[i].Version < pins[j].Version
	})
}

// tomlLockSyntaxError locates a TOML decoding error in a lock (shared by the
// uv.lock and pylock.toml readers). Syntax errors carry a byte offset,
// which gives the line and column of the problem itself rather than of the
// token after it; type errors already name their line and key.
func tomlLockSyntaxError(file string, data []byte, err error) LockSyntaxError {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		return LockSyntaxError{File: file, Detail: strings.TrimPrefix(err.Error(), "toml: "), Err: err}
	}
	line, col := pe.Position.Line, pe.Position.Col
	if start := pe.Position.Start; line > 0 && start >= 0 && start < len(data) {
		before := string(data[:start])
		line = 1 + strings.Count(before, "\n")
		col = start - strings.LastIndex(before, "\n")
	}
	if line == 0 {
		return LockSyntaxError{File: file, Detail: pe.Message, Err: err}
	}
	return LockSyntaxError{File: file, Detail: fmt.Sprintf("line %d, column %d: %s", line, col, pe.Message), Err: err}
}
