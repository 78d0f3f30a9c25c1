package app

import (
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	pep440 "github.com/aquasecurity/go-pep440-version"

	"github.com/warpdrive-buildpack/warpdrive/pep508"
)

// pylockDocument is what warpdrive reads of a PEP 751 lock (pylock.toml or
// pylock.<name>.toml). lock-version is read apart (pylockFormatVersion),
// before the rest, so that another major version is reported as such.
type pylockDocument struct {
	// DefaultGroups are the synthetic dependency groups a default install
	// selects (PDM marks its main dependencies with "default").
	DefaultGroups []string `toml:"default-groups"`
	CreatedBy     string   `toml:"created-by"`
	// RequiresPython and Environments say what the lock was made for; PEP
	// 751 requires an installer to refuse it anywhere else.
	RequiresPython string          `toml:"requires-python"`
	Environments   []string        `toml:"environments"`
	Packages       []pylockPackage `toml:"packages"`
}

// pylockPackage is one [[packages]] entry. Its source is exactly one of
// vcs, directory, archive, or sdist and/or wheels.
type pylockPackage struct {
	Name    string `toml:"name"`
	Version string `toml:"version"`
	Marker  string `toml:"marker"`
	// Index is the package index the sdist and wheels were found on.
	Index     string           `toml:"index"`
	VCS       *pylockVCS       `toml:"vcs"`
	Directory *pylockDirectory `toml:"directory"`
	Archive   *pylockDistFile  `toml:"archive"`
	Sdist     *pylockDistFile  `toml:"sdist"`
	Wheels    []pylockDistFile `toml:"wheels"`
}

type pylockVCS struct {
	Type         string `toml:"type"`
	URL          string `toml:"url"`
	Path         string `toml:"path"`
	CommitID     string `toml:"commit-id"`
	Subdirectory string `toml:"subdirectory"`
}

type pylockDirectory struct {
	Path         string `toml:"path"`
	Subdirectory string `toml:"subdirectory"`
}

// pylockDistFile is an archive, sdist or wheel: a URL or a path (relative
// to the lock), and its hashes, algorithm -> hex digest.
type pylockDistFile struct {
	URL          string            `toml:"url"`
	Path         string            `toml:"path"`
	Hashes       map[string]string `toml:"hashes"`
	Subdirectory string            `toml:"subdirectory"`
}

// pylockDefaultTool names the writer of a lock that does not say (created-by
// is required, but its absence need not stop a build).
const pylockDefaultTool = "the locker"

// ReadPylock reads home/<file> (pylock.toml or pylock.<name>.toml, PEP 751)
// for env: every package whose marker holds, with the default groups
// selected (PEP 751's default install), pinned with every hash listed.
// A pylock.toml lists what to install, the application included when it is
// a package, so InstallsProject is false.
func ReadPylock(home, file string, env pep508.Environment) (Lock, error) {
	data, err := os.ReadFile(filepath.Join(home, file))
	if err != nil {
		return Lock{}, fmt.Errorf("unable to read %s\n%w", file, err)
	}
	version, err := pylockFormatVersion(file, data)
	if err != nil {
		return Lock{}, err
	}
	var doc pylockDocument
	if _, err := toml.Decode(string(data), &doc); err != nil {
		return Lock{}, tomlLockSyntaxError(file, data, err)
	}
	if err := doc.checkEnvironment(file, env); err != nil {
		return Lock{}, err
	}
	selected, err := pylockSelect(file, doc.Packages, env.WithGroups(doc.DefaultGroups...))
	if err != nil {
		return Lock{}, err
	}
	pins := make([]Pin, 0, len(selected))
	for _, p := range selected {
		pin, err := p.pin(file)
		if err != nil {
			return Lock{}, err
		}
		pins = append(pins, pin)
	}
	sortPinsByNormalizedName(pins)
	tool := doc.CreatedBy
	if tool == "" {
		tool = pylockDefaultTool
	}
	return Lock{
		File:           file,
		Tool:           tool,
		RefreshCommand: fmt.Sprintf("re-run the tool that wrote %s (created-by: %s)", file, tool),
		Version:        version,
		Pins:           pins,
	}, nil
}

// checkEnvironment: PEP 751 says an installer MUST refuse a lock whose
// requires-python the interpreter does not satisfy, or none of whose
// environments markers holds (when it lists any).
func (d pylockDocument) checkEnvironment(file string, env pep508.Environment) error {
	python := env.Values["python_full_version"]
	if d.RequiresPython != "" {
		spec, err := pep440.NewSpecifiers(d.RequiresPython, pep440.WithPreRelease(true))
		if err != nil {
			return LockSyntaxError{File: file, Detail: fmt.Sprintf("requires-python = %q is not a PEP 440 version specifier", d.RequiresPython), Err: err}
		}
		v, err := pep440.Parse(python)
		if err == nil && !spec.Check(v) {
			return LockEnvironmentError{File: file, Python: python, Key: "requires-python", Value: d.RequiresPython}
		}
	}
	if len(d.Environments) == 0 {
		return nil
	}
	for _, m := range d.Environments {
		ok, err := pep508.Evaluate(m, env)
		if err != nil {
			return LockMarkerError{File: file, Package: "environments", Marker: m, Err: err}
		}
		if ok {
			return nil
		}
	}
	return LockEnvironmentError{File: file, Python: python, Key: "environments", Value: strings.Join(d.Environments, " | ")}
}

// pylockFormatVersion reads lock-version. PEP 751: a tool that supports the
// major version but not the minor one should warn about keys it does not
// know, and must raise an error for a major version it does not support.
// Every 1.x is read here (a later 1.x only adds keys, which are ignored).
func pylockFormatVersion(file string, data []byte) (string, error) {
	var header struct {
		LockVersion any `toml:"lock-version"`
	}
	if _, err := toml.Decode(string(data), &header); err != nil {
		return "", tomlLockSyntaxError(file, data, err)
	}
	version, ok := header.LockVersion.(string)
	switch {
	case header.LockVersion == nil:
		return "", LockSyntaxError{File: file, Detail: `it has no lock-version (PEP 751 locks start with lock-version = "1.0")`}
	case !ok:
		return "", LockSyntaxError{File: file, Detail: fmt.Sprintf(`lock-version must be a string such as "1.0", not %v`, header.LockVersion)}
	}
	if major, _, _ := strings.Cut(version, "."); major != "1" {
		return "", LockVersionError{File: file, Found: version, Supported: "1.x",
			Writer: "a locker writing PEP 751 lock-version 1.x, such as uv (uv export --format pylock.toml) or pip (pip lock)"}
	}
	return version, nil
}

// pylockSelect keeps the packages whose marker holds for env. PEP 751
// requires what remains to name each package once: two entries of one name
// for the same target are an error, not a choice. A package's
// requires-python is informative here and skips nothing.
func pylockSelect(file string, packages []pylockPackage, env pep508.Environment) ([]pylockPackage, error) {
	var selected []pylockPackage
	chosen := map[string]pylockPackage{}
	for _, p := range packages {
		if p.Name == "" {
			return nil, LockSyntaxError{File: file, Detail: "a [[packages]] entry has no name"}
		}
		ok, err := pep508.Evaluate(p.Marker, env)
		if err != nil {
			return nil, LockMarkerError{File: file, Package: p.Name, Marker: p.Marker, Err: err}
		}
		if !ok {
			continue
		}
		name := pep508.NormalizeName(p.Name)
		if first, dup := chosen[name]; dup {
			return nil, LockSyntaxError{File: file, Detail: fmt.Sprintf(
				"package %q is listed more than once for this target (%s and %s); PEP 751 allows one entry per package once markers are evaluated",
				p.Name, first.describe(), p.describe())}
		}
		chosen[name] = p
		selected = append(selected, p)
	}
	return selected, nil
}

func (p pylockPackage) describe() string {
	if p.Version != "" {
		return "version " + p.Version
	}
	return "an entry without a version"
}

// pin turns the package's one source into a Pin.
func (p pylockPackage) pin(file string) (Pin, error) {
	if err := p.checkOneSource(file); err != nil {
		return Pin{}, err
	}
	pin := Pin{Name: p.Name, Version: p.Version}
	var err error
	switch {
	case p.VCS != nil:
		pin.Source, pin.Ref, err = p.vcsRef(file)
	case p.Directory != nil:
		pin.Source, pin.Ref, err = p.directoryRef(file)
	case p.Archive != nil:
		pin.Hashes = pylockHashes(*p.Archive)
		pin.Source, pin.Ref, err = p.archiveRef(file)
	default:
		pin.Hashes = pylockHashes(p.distFiles()...)
		pin.Source, pin.Ref = p.indexRef()
	}
	return pin, err
}

// checkOneSource: PEP 751 makes vcs, directory, archive and sdist/wheels
// mutually exclusive, and an installer must reject an entry that mixes them
// (or has none).
func (p pylockPackage) checkOneSource(file string) error {
	var keys []string
	if p.VCS != nil {
		keys = append(keys, "vcs")
	}
	if p.Directory != nil {
		keys = append(keys, "directory")
	}
	if p.Archive != nil {
		keys = append(keys, "archive")
	}
	if p.Sdist != nil || len(p.Wheels) > 0 {
		keys = append(keys, "sdist/wheels")
	}
	switch len(keys) {
	case 1:
		return nil
	case 0:
		return LockSyntaxError{File: file, Detail: fmt.Sprintf("package %q has no source (vcs, directory, archive, sdist or wheels)", p.Name)}
	}
	return LockSyntaxError{File: file, Detail: fmt.Sprintf("package %q has more than one source (%s); PEP 751 allows one", p.Name, strings.Join(keys, ", "))}
}

// vcsRef is "URL@commit-id" of a git repository (or of a local clone's
// path). Other version control systems are a source warpdrive cannot fetch.
func (p pylockPackage) vcsRef(file string) (SourceKind, string, error) {
	v := p.VCS
	if !strings.EqualFold(v.Type, "git") {
		return "", "", LockSyntaxError{File: file, Detail: fmt.Sprintf("package %q comes from a %q repository; warpdrive installs from git repositories only", p.Name, v.Type)}
	}
	location := v.URL
	if location == "" {
		location = v.Path
	}
	if location == "" {
		return "", "", LockSyntaxError{File: file, Detail: fmt.Sprintf("package %q has a vcs source with neither url nor path", p.Name)}
	}
	if v.CommitID != "" {
		location += "@" + v.CommitID
	}
	return SourceGit, refWithSubdirectory(location, v.Subdirectory), nil
}

// directoryRef is the source tree's path, relative to the lock (which sits
// in the application directory). Whether it was editable when locked does
// not matter in an image.
func (p pylockPackage) directoryRef(file string) (SourceKind, string, error) {
	d := p.Directory
	if d.Path == "" {
		return "", "", LockSyntaxError{File: file, Detail: fmt.Sprintf("package %q has a directory source without a path", p.Name)}
	}
	if d.Subdirectory != "" {
		return SourcePath, path.Join(filepath.ToSlash(d.Path), d.Subdirectory), nil
	}
	return SourcePath, d.Path, nil
}

func (p pylockPackage) archiveRef(file string) (SourceKind, string, error) {
	a := p.Archive
	switch {
	case a.URL != "":
		return SourceURL, refWithSubdirectory(a.URL, a.Subdirectory), nil
	case a.Path != "":
		return SourcePath, a.Path, nil
	}
	return "", "", LockSyntaxError{File: file, Detail: fmt.Sprintf("package %q has an archive with neither url nor path", p.Name)}
}

// indexRef places sdist/wheels on the package's index ("" when the lock
// names none: pip finds the files by name and checks the hashes). The
// exception is a lone file given only by path, a wheel or sdist shipped
// with the application, which no index holds.
func (p pylockPackage) indexRef() (SourceKind, string) {
	files := p.distFiles()
	if p.Index == "" && len(files) == 1 && files[0].URL == "" && files[0].Path != "" {
		return SourcePath, files[0].Path
	}
	return SourceIndex, p.Index
}

func (p pylockPackage) distFiles() []pylockDistFile {
	files := p.Wheels
	if p.Sdist != nil {
		files = append([]pylockDistFile{*p.Sdist}, files...)
	}
	return files
}

// pylockHashes turns each file's hashes table into pip's "algorithm:hex",
// every algorithm given, in a stable order.
func pylockHashes(files ...pylockDistFile) []string {
	var hashes []string
	seen := map[string]bool{}
	for _, f := range files {
		for _, algorithm := range slices.Sorted(maps.Keys(f.Hashes)) {
			h := strings.ToLower(algorithm) + ":" + f.Hashes[algorithm]
			if !seen[h] {
				seen[h] = true
				hashes = append(hashes, h)
			}
		}
	}
	return hashes
}
