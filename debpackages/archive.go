package debpackages

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"github.com/ulikunitz/xz"
)

// Archive is where a stack's packages come from: suites of a Debian
// archive (the release, its updates, its security updates), each at a
// mirror, signed by keys in Keyring.
type Archive struct {
	Suites  []Suite
	Arch    string
	Keyring string
	// Cache keeps the verified package lists by their digest, so an
	// unchanged archive is not downloaded again.
	Cache  string
	Client *http.Client
}

// Suite is one suite of an archive, its main component.
type Suite struct {
	Mirror, Name string
}

// DebianArchive is the archive of a Debian release: the mirror's codename
// and codename-updates, and the security mirror's codename-security.
func DebianArchive(codename, arch, mirror, securityMirror, keyring, cache string) Archive {
	return Archive{Suites: []Suite{{mirror, codename}, {mirror, codename + "-updates"}, {securityMirror, codename + "-security"}},
		Arch: arch, Keyring: keyring, Cache: cache, Client: &http.Client{Timeout: 5 * time.Minute}}
}

// FetchError: a file of the archive could not be had, or was not what its
// signature says.
type FetchError struct {
	URL string
	Err error
}

func (e FetchError) Error() string { return fmt.Sprintf("unable to fetch %s: %v", e.URL, e.Err) }
func (e FetchError) Unwrap() error { return e.Err }

// Index is what the archive offers: every package's newest version across
// the suites (a later suite's version wins when it is newer: updates and
// security fixes). Digest identifies the package lists it was read from.
type Index struct {
	Packages map[string]Package
	// Providers maps a virtual package to the packages that provide it.
	Providers map[string][]string
	Digest    string
}

// Package is one binary package of the archive (or of the run image, for
// what is installed: then URL and SHA256 are empty).
type Package struct {
	Name, Version, Arch string
	// Depends are the Pre-Depends and Depends, as written.
	Depends  string
	Provides string
	URL      string
	SHA256   string
}

// Release is the verified state of an archive: each suite's signed
// release file and the package list's digest it vouches for. Digest
// changes when any suite publishes a new package list.
type Release struct {
	Lists  []List
	Digest string
}

// List is one suite's package list, by the digest its release file gives.
type List struct {
	Suite  Suite
	URL    string
	SHA256 string
}

// Release fetches and verifies each suite's signed release file: a few
// small files, so a build can tell whether the archive changed without
// downloading the package lists.
func (a Archive) Release() (Release, error) {
	keyring, err := readKeyring(a.Keyring)
	if err != nil {
		return Release{}, err
	}
	var r Release
	digests := sha256.New()
	for _, suite := range a.Suites {
		l, err := a.verifiedList(suite, keyring)
		if err != nil {
			return Release{}, err
		}
		fmt.Fprintln(digests, suite.Name, l.SHA256)
		r.Lists = append(r.Lists, l)
	}
	r.Digest = hex.EncodeToString(digests.Sum(nil))
	return r, nil
}

// Read reads the package lists the release vouches for (from the cache
// when it holds them) into one index.
func (a Archive) Read(r Release) (Index, error) {
	idx := Index{Packages: map[string]Package{}, Providers: map[string][]string{}, Digest: r.Digest}
	used := map[string]bool{}
	for _, l := range r.Lists {
		list, err := a.packageList(l)
		if err != nil {
			return Index{}, err
		}
		used[l.SHA256] = true
		mirror := strings.TrimSuffix(l.Suite.Mirror, "/")
		if err := readParagraphs(bytes.NewReader(list), func(p map[string]string) {
			idx.add(Package{Name: p["Package"], Version: p["Version"], Arch: p["Architecture"],
				Depends: joinFields(p["Pre-Depends"], p["Depends"]), Provides: p["Provides"],
				URL: mirror + "/" + p["Filename"], SHA256: p["SHA256"]})
		}); err != nil {
			return Index{}, err
		}
	}
	return idx, a.prune(used)
}

// prune drops the cached package lists this build did not use: an archive
// changes daily, and the old lists would pile up in the cache.
func (a Archive) prune(used map[string]bool) error {
	entries, err := os.ReadDir(a.Cache)
	if err != nil {
		return nil
	}
	for _, e := range entries {
		if !used[e.Name()] {
			if err := os.Remove(filepath.Join(a.Cache, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

func joinFields(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + ", " + b
}

func (idx Index) add(p Package) {
	if old, ok := idx.Packages[p.Name]; ok && compareVersions(old.Version, p.Version) >= 0 {
		return
	}
	if _, ok := idx.Packages[p.Name]; !ok {
		for _, virtual := range providedNames(p.Provides) {
			idx.Providers[virtual] = append(idx.Providers[virtual], p.Name)
		}
	}
	idx.Packages[p.Name] = p
}

func readKeyring(path string) (openpgp.EntityList, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("unable to read the archive keyring %s\n%w", path, err)
	}
	defer f.Close()
	keys, err := openpgp.ReadKeyRing(f)
	if err != nil {
		return nil, fmt.Errorf("unable to read the archive keyring %s\n%w", path, err)
	}
	return keys, nil
}

// verifiedList reads the suite's InRelease, checks its signature, and
// returns where main/binary-ARCH/Packages.xz is and the sha256 it must have.
func (a Archive) verifiedList(suite Suite, keyring openpgp.EntityList) (List, error) {
	base := strings.TrimSuffix(suite.Mirror, "/") + "/dists/" + suite.Name + "/"
	release, err := a.get(base + "InRelease")
	if err != nil {
		return List{}, err
	}
	block, _ := clearsign.Decode(release)
	if block == nil {
		return List{}, FetchError{URL: base + "InRelease", Err: fmt.Errorf("not a signed release file")}
	}
	if _, err := block.VerifySignature(keyring, nil); err != nil {
		return List{}, FetchError{URL: base + "InRelease", Err: fmt.Errorf("its signature does not verify with %s: %w", a.Keyring, err)}
	}
	name := "main/binary-" + a.Arch + "/Packages.xz"
	want := releaseSHA256(block.Plaintext, name)
	if want == "" {
		return List{}, FetchError{URL: base + "InRelease", Err: fmt.Errorf("it lists no %s", name)}
	}
	return List{Suite: suite, URL: base + name, SHA256: want}, nil
}

// packageList is the list's content, checked against its signed sha256.
func (a Archive) packageList(l List) ([]byte, error) {
	cached := filepath.Join(a.Cache, l.SHA256)
	if a.Cache != "" {
		if list, err := os.ReadFile(cached); err == nil {
			return list, nil
		}
	}
	compressed, err := a.get(l.URL)
	if err != nil {
		return nil, err
	}
	if got := sha256Hex(compressed); got != l.SHA256 {
		return nil, FetchError{URL: l.URL, Err: fmt.Errorf("its sha256 is %s, the signed release file says %s", got, l.SHA256)}
	}
	r, err := xz.NewReader(bytes.NewReader(compressed))
	if err != nil {
		return nil, FetchError{URL: l.URL, Err: err}
	}
	list, err := io.ReadAll(r)
	if err != nil {
		return nil, FetchError{URL: l.URL, Err: err}
	}
	return list, a.remember(cached, list)
}

// remember keeps a verified package list in the cache, by its digest.
func (a Archive) remember(path string, list []byte) error {
	if a.Cache == "" {
		return nil
	}
	if err := os.MkdirAll(a.Cache, 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, list, 0o644)
}

// releaseSHA256 finds name's digest in the SHA256 section of a release file.
func releaseSHA256(release []byte, name string) string {
	inSHA256 := false
	s := bufio.NewScanner(bytes.NewReader(release))
	for s.Scan() {
		line := s.Text()
		switch {
		case strings.HasPrefix(line, "SHA256:"):
			inSHA256 = true
		case !strings.HasPrefix(line, " "):
			inSHA256 = false
		case inSHA256:
			if f := strings.Fields(line); len(f) == 3 && f[2] == name {
				return f[0]
			}
		}
	}
	return ""
}

func (a Archive) get(url string) ([]byte, error) {
	resp, err := a.Client.Get(url)
	if err != nil {
		return nil, FetchError{URL: url, Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, FetchError{URL: url, Err: fmt.Errorf("HTTP %s", resp.Status)}
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, FetchError{URL: url, Err: err}
	}
	return body, nil
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// readParagraphs calls fn with each paragraph of a Debian control file
// (Packages, dpkg's status): "Field: value" lines, continuation lines
// starting with a space, paragraphs separated by blank lines.
func readParagraphs(r io.Reader, fn func(map[string]string)) error {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 1<<20), 16<<20)
	p := map[string]string{}
	last := ""
	flush := func() {
		if len(p) > 0 {
			fn(p)
		}
		p, last = map[string]string{}, ""
	}
	for s.Scan() {
		line := s.Text()
		switch {
		case strings.TrimSpace(line) == "":
			flush()
		case line[0] == ' ' || line[0] == '\t':
			if last != "" {
				p[last] += "\n" + line
			}
		default:
			k, v, ok := strings.Cut(line, ":")
			if ok {
				last = k
				p[k] = strings.TrimSpace(v)
			}
		}
	}
	flush()
	return s.Err()
}
