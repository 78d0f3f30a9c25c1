package app

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// RequirementFile is one file pip reads: a top-level requirements file or one it
// includes with -r/-c.
type RequirementFile struct {
	// Path relative to the application directory.
	Path string
	// Missing is true when the file is named but absent (pip reports that).
	Missing bool
}

// includePattern matches -r/-c/--requirement/--constraint lines, with or
// without "=".
var includePattern = regexp.MustCompile(`^(?:-r|-c|--requirement|--constraint)(?:\s*=\s*|\s+|)(\S+)`)

// RequirementFiles returns the given top-level files (relative to dir) and,
// depth first, every file they include, each once.
func RequirementFiles(dir string, roots []string) []RequirementFile {
	seen := map[string]bool{}
	var out []RequirementFile
	var walk func(rel string)
	walk = func(rel string) {
		rel = filepath.Clean(rel)
		if seen[rel] {
			return
		}
		seen[rel] = true
		src, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			out = append(out, RequirementFile{Path: rel, Missing: true})
			return
		}
		out = append(out, RequirementFile{Path: rel})
		for _, line := range strings.Split(string(src), "\n") {
			if m := includePattern.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
				// pip resolves includes relative to the including file.
				walk(filepath.Join(filepath.Dir(rel), m[1]))
			}
		}
	}
	for _, r := range roots {
		walk(r)
	}
	return out
}

// HashRequirements is a content hash of the files, their names and whether they
// exist: it changes whenever pip would see different input.
func HashRequirements(dir string, files []RequirementFile) string {
	h := sha256.New()
	for _, f := range files {
		h.Write([]byte(f.Path + "\x00"))
		if f.Missing {
			h.Write([]byte("<missing>\x00"))
			continue
		}
		src, _ := os.ReadFile(filepath.Join(dir, f.Path))
		h.Write(src)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// RequirementLocation is where a requirement appears: file and line number.
type RequirementLocation struct {
	Path string
	Line int
	Text string
}

// LocateRequirement finds the lines that name the distribution, comparing
// names the way pip does (case-insensitive, -_. equivalent).
func LocateRequirement(dir string, files []RequirementFile, name string) []RequirementLocation {
	want := NormalizeName(name)
	var out []RequirementLocation
	for _, f := range files {
		if f.Missing {
			continue
		}
		file, err := os.Open(filepath.Join(dir, f.Path))
		if err != nil {
			continue
		}
		s := bufio.NewScanner(file)
		for n := 1; s.Scan(); n++ {
			text := strings.TrimSpace(s.Text())
			if RequirementName(text) == want {
				out = append(out, RequirementLocation{Path: f.Path, Line: n, Text: text})
			}
		}
		file.Close()
	}
	return out
}

var namePrefix = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)`)

// RequirementName returns the normalized distribution name a requirement line
// names, or "" for comments, options and URLs.
func RequirementName(line string) string {
	if i := strings.Index(line, "#"); i >= 0 {
		line = line[:i]
	}
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "-") || strings.Contains(line, "://") {
		return ""
	}
	m := namePrefix.FindString(line)
	return NormalizeName(m)
}

// NormalizeName is PEP 503 name normalization.
func NormalizeName(name string) string {
	return strings.ToLower(regexp.MustCompile(`[-_.]+`).ReplaceAllString(name, "-"))
}

// Requires reports whether any of the files names the distribution.
func Requires(dir string, files []RequirementFile, name string) bool {
	return len(LocateRequirement(dir, files, name)) > 0
}

// TreeHash is a content hash of every regular file under root (names, modes and
// contents), sorted, skipping the directories named in skip. It decides whether
// work derived from the application's files can be reused.
func TreeHash(root string, skip ...string) (string, error) {
	skipped := map[string]bool{}
	for _, s := range skip {
		skipped[s] = true
	}
	var paths []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() && skipped[d.Name()] {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			paths = append(paths, rel)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	sort.Strings(paths)
	h := sha256.New()
	for _, rel := range paths {
		src, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			return "", err
		}
		sum := sha256.Sum256(src)
		h.Write([]byte(rel + "\x00" + hex.EncodeToString(sum[:]) + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Digest is a sha256 of text, hex encoded.
func Digest(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}
