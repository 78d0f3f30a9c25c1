package app

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/pep508"
)

// RequirementFile is one file pip reads: a top-level requirements file or one it
// includes with -r/-c.
type RequirementFile struct {
	// Path relative to the application directory, or absolute when the
	// include names an absolute path.
	Path string
	// Missing is true when the file is named but absent (pip reports that).
	Missing bool
}

// includePattern matches -r/-c/--requirement/--constraint lines, with or
// without "=".
var includePattern = regexp.MustCompile(`^(?:-r|-c|--requirement|--constraint)(?:\s*=\s*|\s+|)(\S+)`)

// RequirementFiles is RequirementFilesChecked without the error: a file that
// cannot be read is listed as Missing.
func RequirementFiles(dir string, roots []string) []RequirementFile {
	files, _ := RequirementFilesChecked(dir, roots)
	return files
}

// RequirementFilesChecked returns the given top-level files (relative to dir)
// and, depth first, every file they include, each once. An absent file is
// listed as Missing, since pip reports that itself; any other failure to read
// one (a directory, no permission) is returned, all of them joined, and the
// file is listed as Missing too.
func RequirementFilesChecked(dir string, roots []string) ([]RequirementFile, error) {
	seen := map[string]bool{}
	var out []RequirementFile
	var errs []error
	var walk func(rel string)
	walk = func(rel string) {
		rel = filepath.Clean(rel)
		if seen[rel] {
			return
		}
		seen[rel] = true
		src, err := os.ReadFile(inDir(dir, rel))
		if err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, RequirementFileError{Path: rel, Err: err})
			}
			out = append(out, RequirementFile{Path: rel, Missing: true})
			return
		}
		out = append(out, RequirementFile{Path: rel})
		for _, line := range logicalLines(string(src)) {
			if m := includePattern.FindStringSubmatch(line.Text); m != nil {
				// pip resolves includes relative to the including file.
				walk(relativeTo(filepath.Dir(rel), m[1]))
			}
		}
	}
	for _, r := range roots {
		walk(r)
	}
	return out, errors.Join(errs...)
}

// HashRequirementInputs is a hash of everything pip reads from the application
// when installing the files: their names, whether they exist and their
// contents, then the local inputs they name (see LocalInputs and
// LocalInput.digest). It changes whenever pip would see different input, and
// any error reading an input is returned.
func HashRequirementInputs(dir string, files []RequirementFile) (string, error) {
	h := sha256.New()
	for _, f := range files {
		if err := hashRequirementFile(h, dir, f); err != nil {
			return "", err
		}
	}
	inputs, err := LocalInputs(dir, files)
	if err != nil {
		return "", err
	}
	for _, in := range inputs {
		sum, err := in.digest(dir)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%s\x00%s\n", in.Kind, in.Path, sum)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// hashRequirementFile writes the file's name and contents (or that it is
// absent) to h.
func hashRequirementFile(h hash.Hash, dir string, f RequirementFile) error {
	h.Write([]byte(f.Path + "\x00"))
	if f.Missing {
		h.Write([]byte("<missing>\x00"))
		return nil
	}
	file, err := os.Open(inDir(dir, f.Path))
	if errors.Is(err, os.ErrNotExist) {
		// Deleted since it was listed: pip will see it absent too.
		h.Write([]byte("<missing>\x00"))
		return nil
	} else if err != nil {
		return fmt.Errorf("unable to read the requirements file %s\n%w", f.Path, err)
	}
	defer file.Close()
	if _, err := io.Copy(h, file); err != nil {
		return fmt.Errorf("unable to read the requirements file %s\n%w", f.Path, err)
	}
	h.Write([]byte{0})
	return nil
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
	want := pep508.NormalizeName(name)
	var out []RequirementLocation
	for _, f := range files {
		if f.Missing {
			continue
		}
		file, err := os.Open(inDir(dir, f.Path))
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

var (
	namePrefix = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)`)
	// directReference is PEP 508's `name [extras] @ URL`.
	directReference = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*@\s*(\S+)`)
)

// RequirementName returns the normalized distribution name a requirement line
// names: `name`, `name[extra]>=1`, `name @ URL`. It is "" for comments,
// options, and URLs and paths that do not say the name.
func RequirementName(line string) string {
	line = stripComment(line)
	if m := directReference.FindStringSubmatch(line); m != nil {
		return pep508.NormalizeName(m[1])
	}
	spec, _, _ := strings.Cut(line, ";") // markers may hold a "/"
	if line == "" || strings.HasPrefix(line, "-") || hasScheme(line) || isPathRequirement(strings.TrimSpace(spec)) {
		return ""
	}
	return pep508.NormalizeName(namePrefix.FindString(line))
}

// Requires reports whether any of the files names the distribution.
func Requires(dir string, files []RequirementFile, name string) bool {
	return len(LocateRequirement(dir, files, name)) > 0
}

// inDir is path as seen from dir: itself when absolute.
func inDir(dir, path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(dir, path)
}

// relativeTo resolves path against base the way os.path.join does: an
// absolute path stays as it is.
func relativeTo(base, path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(base, path)
}

// RequirementFileError: a requirements file exists but cannot be read (a
// directory of that name, no permission).
type RequirementFileError struct {
	Path string
	Err  error
}

func (e RequirementFileError) Error() string {
	return fmt.Sprintf("unable to read the requirements file %s: %s", e.Path, e.Err)
}

func (e RequirementFileError) Unwrap() error { return e.Err }
