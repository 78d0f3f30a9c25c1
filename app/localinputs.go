package app

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// LocalInputKind says how pip uses a local path that a requirements file names.
type LocalInputKind string

const (
	// LocalEditable is `-e PATH`: pip links the project into the venv
	// instead of copying it, so only its metadata is an input of the venv.
	LocalEditable LocalInputKind = "editable"
	// LocalPath is a path requirement (`./libs/pkg`, `dist/pkg-1.0.tar.gz`,
	// `file:///...`, `name @ file:///...`): pip builds and copies it.
	LocalPath LocalInputKind = "path"
	// LocalFindLinks is `--find-links PATH`: where pip finds distributions.
	LocalFindLinks LocalInputKind = "find-links"
)

// LocalInput is a file or directory on this machine that pip reads because a
// requirements line names it.
type LocalInput struct {
	Kind LocalInputKind
	// Path is where pip looks, relative to the application directory unless
	// absolute (it may not exist: pip then reports the error).
	Path string
	// File and Line are the requirements line naming it.
	File string
	Line int
}

// LocalInputs returns the local paths the files' lines name, in file and line
// order. Paths are resolved as pip does: a requirement or -e path relative to
// the directory pip runs in (dir), not to the file naming it; a --find-links
// path relative to the file naming it when it exists there, else to dir.
// VCS and remote URLs are not local. Unlike pip it does not expand ${VAR}.
func LocalInputs(dir string, files []RequirementFile) ([]LocalInput, error) {
	var out []LocalInput
	for _, f := range files {
		if f.Missing {
			continue
		}
		src, err := os.ReadFile(inDir(dir, f.Path))
		if errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("unable to read the requirements file %s\n%w", f.Path, err)
		}
		for _, line := range logicalLines(string(src)) {
			refs, err := lineInputs(line.Text)
			if err != nil {
				return nil, fmt.Errorf("%s, line %d: %w", f.Path, line.N, err)
			}
			for _, r := range refs {
				out = append(out, LocalInput{Kind: r.kind, Path: r.resolve(dir, f.Path), File: f.Path, Line: line.N})
			}
		}
	}
	return out, nil
}

// projectMetadata are the files an editable project's metadata (its name,
// version, dependencies, entry points) comes from: what pip installs for it.
var projectMetadata = []string{"pyproject.toml", "setup.py", "setup.cfg"}

// digest is what the venv depends on in the input: an editable project's
// metadata files (its code is linked, so editing it needs no new venv), else
// the whole file or tree, which pip copies. An absent path counts as
// "<missing>": pip reports it.
func (in LocalInput) digest(dir string) (string, error) {
	path := inDir(dir, in.Path)
	if in.Kind != LocalEditable {
		return pathDigest(path)
	}
	var parts []string
	for _, name := range projectMetadata {
		sum, err := pathDigest(filepath.Join(path, name))
		if err != nil {
			return "", err
		}
		parts = append(parts, name+"="+sum)
	}
	return strings.Join(parts, " "), nil
}

// pathDigest is the TreeHash of a directory or the digest of a file.
func pathDigest(path string) (string, error) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "<missing>", nil
	case err != nil:
		return "", err
	case info.IsDir():
		return TreeHash(path)
	case info.Mode().IsRegular():
		return FileDigest(path)
	}
	return "", fmt.Errorf("%s is neither a file nor a directory", path)
}

// localRef is a local path as a requirements line writes it.
type localRef struct {
	kind LocalInputKind
	path string
	// fromURL: a file: URL, which pip resolves against its working directory
	// even in --find-links.
	fromURL bool
}

// resolve makes the path relative to dir (see LocalInputs); file is the
// requirements file naming it, relative to dir.
func (r localRef) resolve(dir, file string) string {
	if r.kind == LocalFindLinks && !r.fromURL {
		// pip: os.path.join(dirname(requirements file), value) if it exists.
		besideFile := relativeTo(filepath.Dir(file), r.path)
		if _, err := os.Stat(inDir(dir, besideFile)); err == nil {
			return besideFile
		}
	}
	return filepath.Clean(r.path)
}

// lineInputs returns the local paths one logical line names. Like pip, a line
// starting with an option is an options line; otherwise the words before the
// first option (such as --hash) are one requirement.
func lineInputs(text string) ([]localRef, error) {
	fields := strings.Fields(text)
	n := 0
	for n < len(fields) && !strings.HasPrefix(fields[n], "-") {
		n++
	}
	if n == 0 {
		return optionInputs(shellFields(text))
	}
	path, ok, fromURL, err := requirementPath(strings.Join(fields[:n], " "))
	if err != nil || !ok {
		return nil, err
	}
	return []localRef{{kind: LocalPath, path: path, fromURL: fromURL}}, nil
}

// requirementPath returns the local path a requirement names, if it names one.
func requirementPath(spec string) (path string, ok, fromURL bool, err error) {
	if m := directReference.FindStringSubmatch(spec); m != nil {
		path, ok, err = fileURLPath(m[2])
		return path, ok, true, err
	}
	if hasScheme(spec) {
		// pip separates a URL's markers by "; ", since ";" may be part of it.
		u, _, _ := strings.Cut(spec, "; ")
		path, ok, err = fileURLPath(strings.TrimSpace(u))
		return path, ok, true, err
	}
	spec, _, _ = strings.Cut(spec, ";")
	spec = stripExtras(strings.TrimSpace(spec))
	return spec, isPathRequirement(spec), false, nil
}

// pathOptions are the options whose value may be a local path.
var pathOptions = []struct {
	short, long string
	kind        LocalInputKind
}{
	{"-e", "--editable", LocalEditable},
	{"-f", "--find-links", LocalFindLinks},
}

// optionInputs returns the local paths an options line names.
func optionInputs(fields []string) ([]localRef, error) {
	var out []localRef
	for i := 0; i < len(fields); i++ {
		for _, o := range pathOptions {
			value, used := optionValue(fields[i:], o.short, o.long)
			if used == 0 {
				continue
			}
			i += used - 1
			ref, ok, err := optionRef(o.kind, value)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, ref)
			}
			break
		}
	}
	return out, nil
}

// optionValue returns the value of the option fields[0] when it is short or
// long, written as optparse accepts it ("-e X", "-eX", "--editable X",
// "--editable=X"), and how many fields it took; 0 when it is another option
// or has no value.
func optionValue(fields []string, short, long string) (string, int) {
	f := fields[0]
	switch {
	case f == short || f == long:
		if len(fields) < 2 {
			return "", 0
		}
		return fields[1], 2
	case strings.HasPrefix(f, long+"="):
		return f[len(long)+1:], 1
	case !strings.HasPrefix(f, "--") && strings.HasPrefix(f, short) && len(f) > len(short):
		return f[len(short):], 1
	}
	return "", 0
}

// optionRef is the local path an -e or --find-links value names, if any.
func optionRef(kind LocalInputKind, value string) (localRef, bool, error) {
	if kind == LocalEditable {
		// pip strips extras from an editable path: `-e .[dev]`.
		value = stripExtras(value)
	}
	if !hasScheme(value) {
		return localRef{kind: kind, path: value}, value != "", nil
	}
	path, ok, err := fileURLPath(value)
	return localRef{kind: kind, path: path, fromURL: true}, ok, err
}

// fileURLPath is the path a file: URL names; ok is false for other URLs
// (remote, VCS), which are not local.
func fileURLPath(raw string) (path string, ok bool, err error) {
	if !strings.HasPrefix(strings.ToLower(raw), "file:") {
		return "", false, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", false, fmt.Errorf("unable to parse the URL %q\n%w", raw, err)
	}
	if u.Opaque != "" {
		// file:relative/path, which pip resolves against its working directory.
		path, err := url.PathUnescape(u.Opaque)
		return path, err == nil, err
	}
	if u.Host != "" && u.Host != "localhost" {
		return "//" + u.Host + u.Path, true, nil
	}
	return u.Path, true, nil
}

var (
	schemePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]+:`)
	extrasPattern = regexp.MustCompile(`^(.+)\[[^\]]+\]$`)
)

// hasScheme reports whether s starts with a URL scheme (file:, https:,
// git+ssh:, ...).
func hasScheme(s string) bool { return schemePattern.MatchString(s) }

// stripExtras removes a trailing [extra,...] from a path.
func stripExtras(s string) string {
	if m := extrasPattern.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return s
}

// archiveSuffixes are the file names pip takes as a distribution file rather
// than a requirement name (pip's ARCHIVE_EXTENSIONS).
var archiveSuffixes = []string{".whl", ".zip", ".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tbz",
	".tar.xz", ".txz", ".tlz", ".tar.lz", ".tar.lzma"}

// isPathRequirement reports whether pip takes a requirement for a local path:
// it contains a path separator or starts with a dot, or it is a distribution
// file's name.
func isPathRequirement(s string) bool {
	if strings.Contains(s, "/") || strings.HasPrefix(s, ".") {
		return true
	}
	lower := strings.ToLower(s)
	for _, suffix := range archiveSuffixes {
		if strings.HasSuffix(lower, suffix) {
			return true
		}
	}
	return false
}

// shellFields splits an options line into words the way pip does
// (shlex.split): quotes group words and are removed, a backslash escapes the
// next character outside single quotes.
func shellFields(s string) []string {
	var words []string
	var word strings.Builder
	inWord := false
	var quote rune
	escaped := false
	for _, c := range s {
		switch {
		case escaped:
			word.WriteRune(c)
			escaped = false
		case c == '\\' && quote != '\'':
			escaped, inWord = true, true
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			word.WriteRune(c)
		case c == '"' || c == '\'':
			quote, inWord = c, true
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		default:
			word.WriteRune(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, word.String())
	}
	return words
}

// reqLine is a logical line of a requirements file as pip reads it:
// continuation lines joined and comments removed. N is its first line.
type reqLine struct {
	N    int
	Text string
}

var (
	// commentPattern is pip's COMMENT_RE: a # at the start or after a space.
	commentPattern = regexp.MustCompile(`(^|\s+)#.*$`)
	commentLine    = regexp.MustCompile(`^\s*#`)
)

// logicalLines splits a requirements file as pip does: a line ending in a
// backslash continues on the next one (unless it is a comment), comments
// are removed, and blank lines are dropped.
func logicalLines(src string) []reqLine {
	var out []reqLine
	emit := func(n int, text string) {
		if text = stripComment(text); text != "" {
			out = append(out, reqLine{N: n, Text: text})
		}
	}
	var joined strings.Builder
	start := 0 // the first line of the one being joined, 0 when none is
	for i, line := range strings.Split(src, "\n") {
		line = strings.TrimSuffix(line, "\r")
		comment := commentLine.MatchString(line)
		if strings.HasSuffix(line, `\`) && !comment {
			if start == 0 {
				start = i + 1
			}
			joined.WriteString(strings.Trim(line, `\`))
			continue
		}
		if start == 0 {
			emit(i+1, line)
			continue
		}
		if comment {
			// Keep the comment separated so it is still removed.
			line = " " + line
		}
		emit(start, joined.String()+line)
		joined.Reset()
		start = 0
	}
	if start != 0 {
		emit(start, joined.String())
	}
	return out
}

// stripComment removes a comment the way pip does and trims the line.
func stripComment(line string) string {
	return strings.TrimSpace(commentPattern.ReplaceAllString(line, ""))
}
