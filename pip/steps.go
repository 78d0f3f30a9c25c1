package pip

import (
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/app"
)

// Step is one `pip install` the packages layer runs for a plan.
type Step struct {
	// What is the step for the build log.
	What string
	// Args follow `pip install` and the common flags.
	Args []string
	// Requirements, when not empty, is written to a file passed as the last
	// `-r`: the lock's pins, or a pyproject's declared dependencies.
	Requirements string
	// Optional: a failure is a warning and the install goes on.
	Optional bool
	// ExpandsVariables: Args name environment variables (a Pipfile.lock
	// source URL's ${NAME}) expanded only to run pip, so that the log and
	// the layer's metadata keep the names, not the credentials.
	ExpandsVariables bool
}

// pypiSimple is pip's default index: a lock naming it needs no --index-url.
const pypiSimple = "https://pypi.org/simple"

// Steps turns a plan that is not requirements files into pip
// invocations: a lock's hashed pins (--require-hashes --no-deps, each from
// the index the lock names for it unless PIP_INDEX_URL is set), its pins
// without hashes, local paths and git sources (--no-deps), the project
// itself (--no-deps .), then what the
// server needs (with pip's resolver, against what is installed). A project
// or declared dependencies are one resolving install with the server's
// packages.
func Steps(plan app.DependencyPlan, home string, extra []string, indexURLSet bool) ([]Step, error) {
	var steps []Step
	switch plan.Source {
	case app.FromLock:
		lockSteps, err := lockSteps(plan.Lock, home, indexURLSet)
		if err != nil {
			return nil, err
		}
		steps = lockSteps
	case app.FromProject:
		return []Step{{What: "the project and its dependencies", Args: append([]string{"."}, extra...)}}, nil
	case app.FromDeclared:
		return []Step{{What: "pyproject.toml's dependencies", Args: extra,
			Requirements: strings.Join(plan.Declared, "\n") + "\n"}}, nil
	}
	if len(extra) > 0 {
		steps = append(steps, Step{What: "the server", Args: extra})
	}
	return steps, nil
}

// lockSteps installs a lock's pins with --no-deps, each from the index the
// lock says it comes from: Poetry (and pylock.toml, Pipfile.lock) name an
// index per package, and a package must not be looked for on another index
// (a private name on PyPI is a dependency-confusion attack). Hashed pins go
// first, one step per index; then the pins without hashes, local paths and
// git sources.
func lockSteps(lock app.Lock, home string, indexURLSet bool) ([]Step, error) {
	indexes := lockIndexes(lock.Pins, indexURLSet)
	fallback := fallbackIndexArgs(indexes)
	var hashed, unhashed stepGroups
	for _, pin := range lock.Pins {
		line, err := pinLine(pin, home)
		if err != nil {
			return nil, err
		}
		args := fallback
		if pin.Source == app.SourceIndex {
			args = indexArgs(pinIndex(pin, indexURLSet))
		}
		if len(pin.Hashes) > 0 && (pin.Source == app.SourceIndex || pin.Source == app.SourceURL) {
			for _, h := range pin.Hashes {
				line += " --hash=" + h
			}
			hashed.add(args, line)
		} else {
			unhashed.add(args, line)
		}
	}
	var steps []Step
	for _, g := range hashed {
		steps = append(steps, Step{What: fmt.Sprintf("%d pins of %s, hashes required", len(g.lines), lock.File),
			Args: append([]string{"--require-hashes", "--no-deps"}, g.args...), Requirements: strings.Join(g.lines, "\n") + "\n",
			ExpandsVariables: lock.IndexVariables && len(g.args) > 0})
	}
	for _, g := range unhashed {
		steps = append(steps, Step{What: fmt.Sprintf("%d pins of %s without hashes", len(g.lines), lock.File),
			Args: append([]string{"--no-deps"}, g.args...), Requirements: strings.Join(g.lines, "\n") + "\n",
			ExpandsVariables: lock.IndexVariables && len(g.args) > 0})
	}
	if lock.InstallsProject {
		// Poetry 1.x installs an app whose package cannot be built with
		// only a warning ("use --no-root"), and many Poetry apps are not
		// packages without saying package-mode = false: warpdrive does the
		// same; uv fails, and so does warpdrive.
		steps = append(steps, Step{What: "the project itself", Args: []string{"--no-deps", "."}, Optional: lock.Tool == "Poetry"})
	}
	return steps, nil
}

// stepGroups gathers requirement lines by the index arguments of their pip
// run, in the order first seen.
type stepGroups []struct {
	args  []string
	lines []string
}

func (gs *stepGroups) add(args []string, line string) {
	for i := range *gs {
		if slices.Equal((*gs)[i].args, args) {
			(*gs)[i].lines = append((*gs)[i].lines, line)
			return
		}
	}
	*gs = append(*gs, struct {
		args  []string
		lines []string
	}{args, []string{line}})
}

// pinIndex is the index an index pin comes from, "" for pip's default:
// PyPI, or PIP_INDEX_URL when it is set, which replaces every index a lock
// names. A Poetry pin without [package.source] is from PyPI, whatever other
// sources (primary, supplemental, explicit) the project has: Poetry writes
// a source only for packages found elsewhere.
func pinIndex(pin app.Pin, indexURLSet bool) string {
	index := strings.TrimSuffix(pin.Ref, "/")
	if indexURLSet || index == pypiSimple {
		return ""
	}
	return index
}

// lockIndexes are the distinct indexes the lock's index pins come from, in
// the lock's order ("" for pip's default).
func lockIndexes(pins []app.Pin, indexURLSet bool) []string {
	var indexes []string
	for _, pin := range pins {
		if pin.Source != app.SourceIndex {
			continue
		}
		if index := pinIndex(pin, indexURLSet); !slices.Contains(indexes, index) {
			indexes = append(indexes, index)
		}
	}
	return indexes
}

// indexArgs make pip look for packages on index only ("" is pip's default).
func indexArgs(index string) []string {
	if index == "" {
		return nil
	}
	return []string{"--index-url", index}
}

// fallbackIndexArgs are for the pins not from an index (paths, git, URLs):
// pip fetches only their build dependencies from an index, so every index
// of the lock may serve them, pip's default first when a pin uses it.
func fallbackIndexArgs(indexes []string) []string {
	var args []string
	for _, index := range indexes {
		switch {
		case index == "":
		case len(args) == 0 && !slices.Contains(indexes, ""):
			args = append(args, "--index-url", index)
		default:
			args = append(args, "--extra-index-url", index)
		}
	}
	return args
}

// pinLine is the requirements line that installs exactly the pin.
func pinLine(pin app.Pin, home string) (string, error) {
	switch pin.Source {
	case app.SourceIndex:
		return pin.Name + "==" + pin.Version, nil
	case app.SourceURL:
		return pin.Name + " @ " + pin.Ref, nil
	case app.SourcePath:
		path := pin.Ref
		if !filepath.IsAbs(path) {
			path = filepath.Join(home, path)
		}
		if pin.Editable {
			return "-e " + fileURL(path), nil
		}
		return pin.Name + " @ " + fileURL(path), nil
	case app.SourceGit:
		ref := pin.Ref
		if !strings.HasPrefix(ref, "git+") {
			ref = "git+" + ref
		}
		return pin.Name + " @ " + ref, nil
	}
	return "", fmt.Errorf("%s: unknown source kind %q", pin.Name, pin.Source)
}

// fileURL is path as a file: URL, percent-encoded: a requirement line ends
// at a space, and pip decodes the URL back to the path.
func fileURL(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}

// installsProject: a step builds and installs the application directory.
func InstallsProject(steps []Step) bool {
	for _, s := range steps {
		for _, a := range s.Args {
			if a == "." {
				return true
			}
		}
	}
	return false
}
