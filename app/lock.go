package app

// Lock is what a lock file (uv.lock, poetry.lock, Pipfile.lock, pylock.toml)
// says to install for one target: the pins of its default set (no dev groups,
// no extras the project does not request), every marker already evaluated for
// the image's Python and platform.
type Lock struct {
	// File is the lock's name, relative to the application directory.
	File string
	// Tool writes the lock ("uv", "Poetry", "Pipenv", or pylock.toml's
	// created-by); RefreshCommand is the command that rewrites it.
	Tool, RefreshCommand string
	// Version is the lock's format version as written in it.
	Version string
	// Pins are the distributions to install, sorted by normalized name.
	Pins []Pin
	// InstallsProject: the lock's root is the application's own package
	// (uv's editable/non-virtual root, Poetry with a build system and
	// package-mode not false), installed after the pins with
	// `pip install --no-deps .`.
	InstallsProject bool
	// IndexVariables: the lock's index URLs may name environment variables
	// ($NAME, ${NAME}) the installer expands, as Pipenv does for its
	// sources, so that credentials stay out of the lock.
	IndexVariables bool
}

// SourceKind says where a pinned distribution comes from.
type SourceKind string

const (
	// SourceIndex: a package index (PEP 503); Pin.Ref is its URL, or "" when
	// the lock does not name one.
	SourceIndex SourceKind = "index"
	// SourceURL: a direct URL to a wheel or sdist; Pin.Ref is the URL.
	SourceURL SourceKind = "url"
	// SourcePath: a local file or directory; Pin.Ref is the path relative to
	// the application directory (or absolute).
	SourcePath SourceKind = "path"
	// SourceGit: a git repository; Pin.Ref is "URL@commit" (or the URL alone).
	SourceGit SourceKind = "git"
)

// Pin is one distribution a lock fixes.
type Pin struct {
	// Name as the lock spells it; Version exactly (no operator).
	Name, Version string
	// Hashes are "sha256:<hex>" (or another algorithm pip accepts) of every
	// file the lock lists for the pin; empty when it lists none.
	Hashes []string
	Source SourceKind
	Ref    string
	// Editable: a local directory installed in development mode (`pip
	// install -e`), as Poetry's develop = true asks: the venv imports it
	// from the application directory.
	Editable bool
}

// LockSyntaxError says a lock file cannot be read as its format: not valid
// TOML/JSON, or a field of the wrong type or missing.
type LockSyntaxError struct {
	File string
	// Detail says what is wrong, e.g. "line 12, column 3: expected '='" or
	// "package \"flask\" has no version".
	Detail string
	Err    error
}

func (e LockSyntaxError) Error() string {
	return e.File + " cannot be read: " + e.Detail
}

func (e LockSyntaxError) Unwrap() error { return e.Err }

// LockVersionError says a lock's format version is one warpdrive does not
// understand.
type LockVersionError struct {
	File string
	// Found is the version the lock declares; Supported the versions read
	// (e.g. "1" or "1.1, 2.0, 2.1").
	Found, Supported string
	// Writer names the tool version that writes a supported lock, e.g.
	// "uv 0.5 or later" or "Poetry 1.x or 2.x".
	Writer string
}

func (e LockVersionError) Error() string {
	return e.File + " declares format version " + e.Found + ", which warpdrive does not read (it reads " + e.Supported + ")"
}

// LockMarkerError says an environment marker in a lock cannot be parsed or
// evaluated, so whether its package belongs in the image is unknown.
type LockMarkerError struct {
	File, Package, Marker string
	Err                   error
}

func (e LockMarkerError) Error() string {
	return e.File + ": the marker of " + e.Package + " cannot be evaluated: " + e.Marker + ": " + e.Err.Error()
}

func (e LockMarkerError) Unwrap() error { return e.Err }
