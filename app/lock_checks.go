package app

import (
	"fmt"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/pep508"
)

// LockStaleError says the lock was not made from the manifest as it is now:
// the manifest (pyproject.toml, the Pipfile) declares dependencies the lock
// does not hold, or the lock still records dependencies the manifest no
// longer declares. uv (`uv sync --locked`), Poetry (`poetry install`) and
// Pipenv (`pipenv install --deploy`) refuse such a lock rather than install
// something else than the manifest says; so does warpdrive.
type LockStaleError struct {
	File, Manifest string
	// Undeclared are the manifest's dependencies the lock lacks, as the
	// manifest spells them; Removed those the lock records for the project
	// that the manifest no longer declares; Excluded the manifest's
	// requirements that no locked version of their package satisfies
	// ("flask>=4 (locked: 3.1.0)").
	Undeclared, Removed, Excluded []string
	// RefreshCommand rewrites the lock ("uv lock", "poetry lock", ...).
	RefreshCommand string
}

func (e LockStaleError) Error() string {
	var parts []string
	if len(e.Undeclared) > 0 {
		parts = append(parts, fmt.Sprintf("%s declares %s, which %s does not lock", e.Manifest, strings.Join(e.Undeclared, ", "), e.File))
	}
	if len(e.Excluded) > 0 {
		parts = append(parts, fmt.Sprintf("%s requires %s, which the locked versions do not satisfy", e.Manifest, strings.Join(e.Excluded, ", ")))
	}
	if len(e.Removed) > 0 {
		parts = append(parts, fmt.Sprintf("%s was locked with %s, which %s no longer declares", e.File, strings.Join(e.Removed, ", "), e.Manifest))
	}
	return strings.Join(parts, "; ")
}

// MissingDependency is a dependency edge the lock leads nowhere: Package
// requires Name, and the lock has no package Name (at the version the edge
// asks for, when it asks for one).
type MissingDependency struct {
	// Name is the required distribution, as the edge spells it (with its
	// version when the edge names one).
	Name string
	// RequiredBy is the locked package whose dependency it is.
	RequiredBy string
}

// LockIncompleteError says the locked set is not closed under its own
// dependencies: a package the image installs requires one the lock does not
// hold. Installed with --no-deps, as the pins are, the app would fail at
// start with "No module named ...".
type LockIncompleteError struct {
	File           string
	Missing        []MissingDependency
	RefreshCommand string
	// Output is the end of `pip check`'s output when pip found the gap in
	// the installed venv (locks without dependency edges: Pipfile.lock,
	// pylock.toml); empty when the lock's own edges showed it.
	Output []string
}

func (e LockIncompleteError) Error() string {
	var parts []string
	for _, m := range e.Missing {
		parts = append(parts, fmt.Sprintf("%s requires %s", m.RequiredBy, m.Name))
	}
	return fmt.Sprintf("%s is incomplete: %s, which it does not lock", e.File, strings.Join(parts, "; "))
}

// LockEnvironmentError says a pylock.toml was not made for this image: PEP
// 751 requires an installer to refuse a lock whose requires-python the
// interpreter does not satisfy, or none of whose environments markers hold.
type LockEnvironmentError struct {
	File string
	// Python is the image's Python version.
	Python string
	// Key is "requires-python" or "environments"; Value what the lock
	// says there (environments joined by " | ").
	Key, Value string
}

func (e LockEnvironmentError) Error() string {
	if e.Key == "requires-python" {
		return fmt.Sprintf("%s has requires-python = %q, which Python %s does not satisfy", e.File, e.Value, e.Python)
	}
	return fmt.Sprintf("%s was locked for the environments %s, and a Linux CPython %s image matches none of them", e.File, e.Value, e.Python)
}

// excludedByLock describes req when the lock holds versions of its package
// and none satisfies its specifier: the manifest's constraint changed since
// the lock was made (uv and Poetry then lock again). A specifier that does
// not parse excludes nothing.
func excludedByLock(req pep508.Requirement, versions []string) (string, bool) {
	if req.Specifier == "" || len(versions) == 0 {
		return "", false
	}
	for _, v := range versions {
		if lockedVersionAllowed(req.Specifier, v) {
			return "", false
		}
	}
	return fmt.Sprintf("%s%s (locked: %s)", req.Name, req.Specifier, strings.Join(versions, ", ")), true
}
