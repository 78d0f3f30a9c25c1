package layers

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/app"
)

// pipStep is one `pip install` the packages layer runs for a plan.
type pipStep struct {
	// What is the step for the build log.
	What string
	// Args follow `pip install` and the common flags.
	Args []string
	// Requirements, when not empty, is written to a file passed as the last
	// `-r`: the lock's pins, or a pyproject's declared dependencies.
	Requirements string
	// Optional: a failure is a warning and the install goes on.
	Optional bool
}

// pypiSimple is pip's default index: a lock naming it needs no --index-url.
const pypiSimple = "https://pypi.org/simple"

// planSteps turns a plan that is not requirements files into pip
// invocations: a lock's hashed pins (--require-hashes --no-deps, from the
// lock's index unless PIP_INDEX_URL is set), its pins without hashes and its
// local paths (--no-deps), the project itself (--no-deps .), then what the
// server needs (with pip's resolver, against what is installed). A project
// or declared dependencies are one resolving install with the server's
// packages.
func planSteps(plan app.DependencyPlan, home string, extra []string, indexURLSet bool) ([]pipStep, error) {
	var steps []pipStep
	switch plan.Source {
	case app.FromLock:
		lockSteps, err := lockSteps(plan.Lock, home, indexURLSet)
		if err != nil {
			return nil, err
		}
		steps = lockSteps
	case app.FromProject:
		return []pipStep{{What: "the project and its dependencies", Args: append([]string{"."}, extra...)}}, nil
	case app.FromDeclared:
		return []pipStep{{What: "pyproject.toml's dependencies", Args: extra,
			Requirements: strings.Join(plan.Declared, "\n") + "\n"}}, nil
	}
	if len(extra) > 0 {
		steps = append(steps, pipStep{What: "the server", Args: extra})
	}
	return steps, nil
}

func lockSteps(lock app.Lock, home string, indexURLSet bool) ([]pipStep, error) {
	var hashed, unhashed []string
	var indexes []string
	for _, pin := range lock.Pins {
		line, err := pinLine(pin, home)
		if err != nil {
			return nil, err
		}
		if len(pin.Hashes) > 0 && (pin.Source == app.SourceIndex || pin.Source == app.SourceURL) {
			for _, h := range pin.Hashes {
				line += " --hash=" + h
			}
			hashed = append(hashed, line)
		} else {
			unhashed = append(unhashed, line)
		}
		if pin.Source == app.SourceIndex && pin.Ref != "" && !slices.Contains(indexes, strings.TrimSuffix(pin.Ref, "/")) {
			indexes = append(indexes, strings.TrimSuffix(pin.Ref, "/"))
		}
	}
	var index []string
	if !indexURLSet && len(indexes) > 0 && !(len(indexes) == 1 && indexes[0] == pypiSimple) {
		index = []string{"--index-url", indexes[0]}
		for _, u := range indexes[1:] {
			index = append(index, "--extra-index-url", u)
		}
	}
	var steps []pipStep
	if len(hashed) > 0 {
		steps = append(steps, pipStep{What: fmt.Sprintf("%d pins of %s, hashes required", len(hashed), lock.File),
			Args: append([]string{"--require-hashes", "--no-deps"}, index...), Requirements: strings.Join(hashed, "\n") + "\n"})
	}
	if len(unhashed) > 0 {
		steps = append(steps, pipStep{What: fmt.Sprintf("%d pins of %s without hashes", len(unhashed), lock.File),
			Args: append([]string{"--no-deps"}, index...), Requirements: strings.Join(unhashed, "\n") + "\n"})
	}
	if lock.InstallsProject {
		// Poetry 1.x installs an app whose package cannot be built with
		// only a warning ("use --no-root"), and many Poetry apps are not
		// packages without saying package-mode = false: warpdrive does the
		// same; uv fails, and so does warpdrive.
		steps = append(steps, pipStep{What: "the project itself", Args: []string{"--no-deps", "."}, Optional: lock.Tool == "Poetry"})
	}
	return steps, nil
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
		return pin.Name + " @ file://" + filepath.ToSlash(path), nil
	case app.SourceGit:
		ref := pin.Ref
		if !strings.HasPrefix(ref, "git+") {
			ref = "git+" + ref
		}
		return pin.Name + " @ " + ref, nil
	}
	return "", fmt.Errorf("%s: unknown source kind %q", pin.Name, pin.Source)
}

// installsProject: a step builds and installs the application directory.
func installsProject(steps []pipStep) bool {
	for _, s := range steps {
		for _, a := range s.Args {
			if a == "." {
				return true
			}
		}
	}
	return false
}
