package debpackages

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"pault.ag/go/debian/dependency"
	"pault.ag/go/debian/version"
)

// Installed is what the run image holds: its packages by name, and the
// virtual packages they provide.
type Installed struct {
	Packages  map[string]string
	Providers map[string]bool
}

// ReadInstalled reads a dpkg status file: the packages whose status is
// "install ok installed".
func ReadInstalled(path string) (Installed, error) {
	f, err := os.Open(path)
	if err != nil {
		return Installed{}, err
	}
	defer f.Close()
	in := Installed{Packages: map[string]string{}, Providers: map[string]bool{}}
	err = readParagraphs(f, func(p map[string]string) {
		if p["Status"] != "install ok installed" {
			return
		}
		in.Packages[p["Package"]] = p["Version"]
		for _, v := range providedNames(p["Provides"]) {
			in.Providers[v] = true
		}
	})
	return in, err
}

// has says the run image satisfies a dependency on name (at any version:
// the image's own packages are what its libraries were built against).
func (in Installed) has(name string) bool {
	_, ok := in.Packages[name]
	return ok || in.Providers[name]
}

// UnknownPackageError: a requested package the archive does not have.
type UnknownPackageError struct {
	Request Request
	// Suites are where it was looked for.
	Suites []string
	// Similar are package names that contain the requested one.
	Similar []string
}

func (e UnknownPackageError) Error() string {
	return fmt.Sprintf("%s asks for %s, which is not a package of %s", e.Request.Source, e.Request.Name, strings.Join(e.Suites, ", "))
}

// Resolve lists what to install for the requests: each requested package
// and, unless it skips them, its dependencies the run image does not
// satisfy, each once, in name order. A requested package the run image has
// is left out (unless forced), and said so in skipped.
func Resolve(requests []Request, idx Index, in Installed, suites []string) (install []Package, skipped []string, err error) {
	chosen := map[string]Package{}
	var queue []string
	for _, r := range requests {
		if in.has(r.Name) && !r.Force {
			skipped = append(skipped, r.Name)
			continue
		}
		p, ok := idx.Packages[r.Name]
		if !ok {
			if providers := idx.Providers[r.Name]; len(providers) > 0 {
				p = idx.Packages[providers[0]]
			} else {
				return nil, nil, UnknownPackageError{Request: r, Suites: suites, Similar: similar(idx, r.Name)}
			}
		}
		chosen[p.Name] = p
		if !r.SkipDependencies {
			queue = append(queue, p.Name)
		}
	}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		deps, err := dependency.Parse(chosen[name].Depends)
		if err != nil {
			return nil, nil, fmt.Errorf("unable to read the dependencies of %s %q\n%w", name, chosen[name].Depends, err)
		}
		for _, rel := range deps.Relations {
			if p, ok := pick(rel, idx, in, chosen); ok {
				chosen[p.Name] = p
				queue = append(queue, p.Name)
			}
		}
	}
	for _, p := range chosen {
		install = append(install, p)
	}
	sort.Slice(install, func(i, j int) bool { return install[i].Name < install[j].Name })
	return install, skipped, nil
}

// pick chooses what satisfies one relation ("a | b"): nothing when the run
// image or an already chosen package satisfies any alternative, else the
// first alternative the archive has (a real package before a provider of a
// virtual one, as apt does).
func pick(rel dependency.Relation, idx Index, in Installed, chosen map[string]Package) (Package, bool) {
	for _, alt := range rel.Possibilities {
		if in.has(alt.Name) || chosenProvides(chosen, alt.Name) {
			return Package{}, false
		}
	}
	for _, alt := range rel.Possibilities {
		if p, ok := idx.Packages[alt.Name]; ok {
			return p, true
		}
	}
	for _, alt := range rel.Possibilities {
		if providers := idx.Providers[alt.Name]; len(providers) > 0 {
			return idx.Packages[providers[0]], true
		}
	}
	return Package{}, false
}

func chosenProvides(chosen map[string]Package, name string) bool {
	if _, ok := chosen[name]; ok {
		return true
	}
	for _, p := range chosen {
		for _, v := range providedNames(p.Provides) {
			if v == name {
				return true
			}
		}
	}
	return false
}

// providedNames are the names in a Provides field ("a (= 1), b").
func providedNames(provides string) []string {
	var out []string
	for _, item := range strings.Split(provides, ",") {
		if name, _, _ := strings.Cut(strings.TrimSpace(item), " "); name != "" {
			out = append(out, name)
		}
	}
	return out
}

// similar are up to five archive packages whose names contain name.
func similar(idx Index, name string) []string {
	var out []string
	for n := range idx.Packages {
		if strings.Contains(n, name) {
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) < len(out[j]) || len(out[i]) == len(out[j]) && out[i] < out[j] })
	if len(out) > 5 {
		out = out[:5]
	}
	return out
}

// compareVersions orders two Debian versions; unparsable ones compare as
// strings.
func compareVersions(a, b string) int {
	va, errA := version.Parse(a)
	vb, errB := version.Parse(b)
	if errA != nil || errB != nil {
		return strings.Compare(a, b)
	}
	return version.Compare(va, vb)
}
