package app

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/pep508"
)

// DependencySource says which kind of input the packages layer installs from.
type DependencySource string

const (
	// FromRequirements: requirements files, `pip install -r` (with pip's resolver).
	FromRequirements DependencySource = "requirements"
	// FromLock: a lock file's pins, exactly, `pip install --no-deps`
	// (--require-hashes wherever the lock has hashes).
	FromLock DependencySource = "lock"
	// FromProject: `pip install .`: the application is a package (a
	// pyproject.toml with a build system, or setup.py) and pip installs it
	// with its declared dependencies.
	FromProject DependencySource = "project"
	// FromDeclared: a pyproject.toml that is not a package (no build system,
	// Poetry's package-mode = false): only its declared dependencies.
	FromDeclared DependencySource = "declared"
	// FromNothing: the application declares no dependencies.
	FromNothing DependencySource = "none"
)

// DependencyPlan is the one input the packages layer installs from, chosen
// by ChooseDependencies, with what was found but not used.
type DependencyPlan struct {
	Source DependencySource
	// File is the chosen input ("requirements.txt", "uv.lock",
	// "pyproject.toml", "setup.py"); "" for FromNothing, and the first root
	// for FromRequirements.
	File string
	// Ignored are the other dependency inputs present, in precedence order.
	Ignored []string
	// Roots are the requirements files (FromRequirements).
	Roots []string
	// Lock is what the lock holds for the target (FromLock).
	Lock Lock
	// Project is pyproject.toml as read (FromProject, FromDeclared, FromLock).
	Project Pyproject
	// Declared are PEP 508 lines (FromDeclared), markers still on them:
	// pip evaluates them.
	Declared []string
}

// lockReaders are the lock files in precedence order: the tools' own locks
// first (uv, Poetry, Pipenv), then the standard one.
var lockReaders = []struct {
	File string
	Read func(home string, env pep508.Environment) (Lock, error)
}{
	{"uv.lock", ReadUVLock},
	{"poetry.lock", ReadPoetryLock},
	{"Pipfile.lock", ReadPipfileLock},
	{"pylock.toml", func(home string, env pep508.Environment) (Lock, error) { return ReadPylock(home, "pylock.toml", env) }},
}

// PipfileWithoutLockError says the app has a Pipfile but no Pipfile.lock:
// a Pipfile holds ranges, and warpdrive installs what Pipenv locked.
type PipfileWithoutLockError struct{}

func (PipfileWithoutLockError) Error() string {
	return "the application has a Pipfile but no Pipfile.lock"
}

// ChooseDependencies picks what to install, in this precedence:
//
//  1. the requirements files WARPDRIVE_PIP_PACKAGES names, when it is set;
//  2. a lock: uv.lock, poetry.lock, Pipfile.lock, pylock.toml;
//  3. requirements.txt;
//  4. pyproject.toml: `pip install .` when it is a package, else its
//     declared dependencies;
//  5. setup.py: `pip install .`;
//
// and a Pipfile with none of these is an error (run `pipenv lock`). env is
// the target's marker environment, for the lock's markers.
func ChooseDependencies(c Config, env pep508.Environment) (DependencyPlan, error) {
	home := c.Home
	present := presentInputs(home, c)
	if c.PipPackagesExplicit {
		return DependencyPlan{Source: FromRequirements, File: c.PipPackages[0], Roots: c.PipPackages,
			Ignored: without(present, c.PipPackages...)}, nil
	}
	for _, r := range lockReaders {
		if !FileExists(filepath.Join(home, r.File)) {
			continue
		}
		lock, err := r.Read(home, env)
		if err != nil {
			return DependencyPlan{}, err
		}
		project, err := ReadPyproject(home)
		if err != nil {
			return DependencyPlan{}, err
		}
		return DependencyPlan{Source: FromLock, File: r.File, Lock: lock, Project: project,
			Ignored: without(present, r.File)}, nil
	}
	if roots := existing(home, c.PipPackages); len(roots) > 0 {
		// pyproject.toml is not read: an app that installs from
		// requirements.txt builds whatever its pyproject.toml holds.
		return DependencyPlan{Source: FromRequirements, File: roots[0], Roots: roots,
			Ignored: without(present, roots...)}, nil
	}
	project, err := ReadPyproject(home)
	if err != nil {
		return DependencyPlan{}, err
	}
	if project.Exists && project.declaresProject() {
		plan := DependencyPlan{Source: FromProject, File: "pyproject.toml", Project: project,
			Ignored: without(present, "pyproject.toml", "setup.py", "setup.cfg")}
		if !project.IsPackage() && !FileExists(filepath.Join(home, "setup.py")) {
			plan.Source, plan.Declared = FromDeclared, project.Dependencies
		}
		return plan, nil
	}
	if FileExists(filepath.Join(home, "setup.py")) {
		return DependencyPlan{Source: FromProject, File: "setup.py", Project: project,
			Ignored: without(present, "setup.py", "pyproject.toml")}, nil
	}
	if FileExists(filepath.Join(home, "Pipfile")) {
		return DependencyPlan{}, PipfileWithoutLockError{}
	}
	return DependencyPlan{Source: FromNothing}, nil
}

// dependencyFiles are every file ChooseDependencies considers, in precedence
// order, for the log's "ignored" list.
var dependencyFiles = []string{"uv.lock", "poetry.lock", "Pipfile.lock", "pylock.toml", "requirements.txt", "pyproject.toml", "setup.py", "Pipfile"}

func presentInputs(home string, c Config) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range append(append([]string{}, c.PipPackages...), dependencyFiles...) {
		if !seen[f] && FileExists(filepath.Join(home, f)) {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// without is list minus the given names; manifests that only accompany the
// chosen lock (pyproject.toml for uv.lock and poetry.lock, Pipfile for
// Pipfile.lock) are not "ignored", the lock was made from them.
func without(list []string, names ...string) []string {
	drop := map[string]bool{}
	for _, n := range names {
		drop[filepath.Clean(n)] = true
		switch n {
		case "uv.lock", "poetry.lock", "pylock.toml":
			drop["pyproject.toml"] = true
		case "Pipfile.lock":
			drop["Pipfile"] = true
		}
	}
	var out []string
	for _, f := range list {
		if !drop[filepath.Clean(f)] {
			out = append(out, f)
		}
	}
	return out
}

func existing(home string, files []string) []string {
	var out []string
	for _, f := range files {
		if FileExists(filepath.Join(home, f)) {
			out = append(out, f)
		}
	}
	return out
}

// declaresProject: the pyproject.toml describes a project, not only the
// configuration of tools such as black or ruff.
func (p Pyproject) declaresProject() bool {
	return p.Name != "" || p.HasBuildSystem || p.IsPoetry || len(p.Dependencies) > 0
}

// Declares says whether the plan's input names the distribution (PEP 503
// names compared), so a server the app already depends on is not added.
func (p DependencyPlan) Declares(home string, files []RequirementFile, name string) bool {
	want := pep508.NormalizeName(name)
	switch p.Source {
	case FromRequirements:
		return Requires(home, files, name)
	case FromLock:
		for _, pin := range p.Lock.Pins {
			if pep508.NormalizeName(pin.Name) == want {
				return true
			}
		}
	case FromProject, FromDeclared:
		for _, line := range p.Project.Dependencies {
			if r, err := pep508.ParseRequirement(line); err == nil && pep508.NormalizeName(r.Name) == want {
				return true
			}
		}
	}
	return false
}

// DependsDirectlyOn is Declares limited to what the app itself names: a
// lock made from pyproject.toml (uv.lock, poetry.lock, pylock.toml) answers
// with the project's declared dependencies, not every pin, so a package that
// only arrives with another one (uvicorn with fastapi[standard]) is not taken
// for the app's choice. A lock without declared dependencies (Pipfile.lock, a
// virtual uv workspace root) has only its pins to answer with.
func (p DependencyPlan) DependsDirectlyOn(home string, files []RequirementFile, name string) bool {
	if p.Source == FromLock && p.File != "Pipfile.lock" && len(p.Project.Dependencies) > 0 {
		return DependencyPlan{Source: FromDeclared, Project: p.Project}.Declares(home, files, name)
	}
	return p.Declares(home, files, name)
}

// Describe is the plan in one line for the build log.
func (p DependencyPlan) Describe() string {
	switch p.Source {
	case FromRequirements:
		return "Installing from " + strings.Join(p.Roots, ", ")
	case FromLock:
		return fmt.Sprintf("Installing the %d packages %s pins (%s lock format %s) for this image", len(p.Lock.Pins), p.File, p.Lock.Tool, p.Lock.Version)
	case FromProject:
		return "Installing the project with pip install . (" + p.File + ")"
	case FromDeclared:
		return fmt.Sprintf("Installing the %d dependencies pyproject.toml declares (the project itself is not a package)", len(p.Declared))
	}
	return "No dependency file (requirements.txt, a lock, pyproject.toml or setup.py): nothing to install"
}
