// Package debpackages installs Debian packages an application asks for (an
// Aptfile, or project.toml's [com.heroku.buildpacks.deb-packages] table, as
// Heroku's buildpacks read them) into a layer: resolved against the stack's
// Debian archive and what the run image already holds, downloaded with the
// archive's signatures and checksums verified, and unpacked without root.
package debpackages

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/BurntSushi/toml"
)

// Request is one package the application asks for.
type Request struct {
	Name string
	// SkipDependencies installs the package alone.
	SkipDependencies bool
	// Force installs it even when the run image has it.
	Force bool
	// Source says where it was asked for ("Aptfile line 3").
	Source string
}

// RequestError: a line or an entry that names no installable package.
type RequestError struct {
	Source string
	Value  string
	Why    string
}

func (e RequestError) Error() string { return fmt.Sprintf("%s: %q %s", e.Source, e.Value, e.Why) }

// packageName is Debian policy's package name (section 5.6.1), with an
// optional :arch qualifier left out.
var packageName = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+$`)

// ReadRequests reads the Aptfile and project.toml in dir, in that order; a
// package asked for twice is installed once, with the first one's options.
func ReadRequests(dir string) ([]Request, error) {
	fromAptfile, err := readAptfile(filepath.Join(dir, "Aptfile"))
	if err != nil {
		return nil, err
	}
	fromProject, err := readProjectTOML(filepath.Join(dir, "project.toml"))
	if err != nil {
		return nil, err
	}
	var out []Request
	seen := map[string]bool{}
	for _, r := range append(fromAptfile, fromProject...) {
		if !seen[r.Name] {
			seen[r.Name] = true
			out = append(out, r)
		}
	}
	return out, nil
}

// readAptfile: a package name per line; blank lines and # comments are
// skipped. Heroku's classic apt buildpack also takes .deb URLs and :repo:
// lines, which would bring packages from outside the stack's archive: they
// are refused.
func readAptfile(path string) ([]Request, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Request
	s := bufio.NewScanner(f)
	for n := 1; s.Scan(); n++ {
		line := strings.TrimSpace(s.Text())
		if i := strings.Index(line, "#"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if line == "" {
			continue
		}
		source := fmt.Sprintf("Aptfile line %d", n)
		for _, name := range strings.Fields(line) {
			if err := checkName(source, name); err != nil {
				return nil, err
			}
			out = append(out, Request{Name: name, Source: source})
		}
	}
	return out, s.Err()
}

func checkName(source, name string) error {
	switch {
	case strings.HasPrefix(name, ":repo:"):
		return RequestError{Source: source, Value: name, Why: "adds an apt repository: only the stack's own Debian archive is used"}
	case strings.Contains(name, "://") || strings.HasSuffix(name, ".deb"):
		return RequestError{Source: source, Value: name, Why: "is a .deb file or URL: name a package of the stack's Debian archive"}
	case !packageName.MatchString(name):
		return RequestError{Source: source, Value: name, Why: "is not a Debian package name (lowercase letters, digits, + - and .)"}
	}
	return nil
}

// projectTOML is the part of pack's project.toml Heroku's deb-packages
// buildpack reads: install = ["name", {name = "...", skip_dependencies =
// true, force = true}].
type projectTOML struct {
	Com struct {
		Heroku struct {
			Buildpacks struct {
				DebPackages struct {
					Install []any `toml:"install"`
				} `toml:"deb-packages"`
			} `toml:"buildpacks"`
		} `toml:"heroku"`
	} `toml:"com"`
}

func readProjectTOML(path string) ([]Request, error) {
	var p projectTOML
	if _, err := toml.DecodeFile(path, &p); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("unable to read %s\n%w", path, err)
	}
	var out []Request
	for i, item := range p.Com.Heroku.Buildpacks.DebPackages.Install {
		source := fmt.Sprintf("project.toml [com.heroku.buildpacks.deb-packages] install[%d]", i)
		r, err := projectRequest(source, item)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func projectRequest(source string, item any) (Request, error) {
	r := Request{Source: source}
	switch v := item.(type) {
	case string:
		r.Name = v
	case map[string]any:
		name, _ := v["name"].(string)
		r.Name = name
		for key, value := range v {
			b, isBool := value.(bool)
			switch {
			case key == "name":
			case key == "skip_dependencies" && isBool:
				r.SkipDependencies = b
			case key == "force" && isBool:
				r.Force = b
			default:
				return Request{}, RequestError{Source: source, Value: fmt.Sprint(key), Why: "is not a setting warpdrive knows (name, skip_dependencies, force)"}
			}
		}
	default:
		return Request{}, RequestError{Source: source, Value: fmt.Sprint(item), Why: "is neither a package name nor a table with a name"}
	}
	return r, checkName(source, r.Name)
}

// OSRelease is what /etc/os-release says of the build image's distribution.
type OSRelease struct{ ID, VersionID, Codename string }

// ReadOSRelease reads an os-release file (KEY=value lines, values maybe quoted).
func ReadOSRelease(path string) (OSRelease, error) {
	f, err := os.Open(path)
	if err != nil {
		return OSRelease{}, err
	}
	defer f.Close()
	var r OSRelease
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"'`)
		switch k {
		case "ID":
			r.ID = v
		case "VERSION_ID":
			r.VersionID = v
		case "VERSION_CODENAME":
			r.Codename = v
		}
	}
	return r, s.Err()
}

// DistroError: the stack is not a Debian release this package knows how
// to reach (its archive, its keys).
type DistroError struct{ OSRelease OSRelease }

func (e DistroError) Error() string {
	return fmt.Sprintf("the build image is %s %s (%s), not Debian", e.OSRelease.ID, e.OSRelease.VersionID, e.OSRelease.Codename)
}

// RunImageStatus is where a stack's build image keeps its run image's dpkg
// status (warpdrive's stacks do): the packages the run image already has.
const RunImageStatus = "/usr/share/warpdrive/run-image/dpkg-status"
