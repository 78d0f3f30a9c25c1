package app

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	pep440 "github.com/aquasecurity/go-pep440-version"
	"github.com/warpdrive-buildpack/warpdrive/pep508"
)

// The sources of a Python version request, in the order they are tried; the
// build log prints the one that won.
const (
	SourceEnv                = "BP_PYTHON_VERSION"
	SourcePythonVersionFile  = ".python-version"
	SourceRuntimeTxt         = "runtime.txt"
	SourceRequiresPython     = "pyproject.toml [project] requires-python"
	SourcePipfileVersion     = "Pipfile [requires] python_version"
	SourcePipfileFullVersion = "Pipfile [requires] python_full_version"
	SourcePoetry             = "pyproject.toml [tool.poetry.dependencies] python"
	SourceDefault            = "the buildpack default"
)

// VersionRequest is the Python version an application asks for, and where the
// request came from (the build log says which source won).
type VersionRequest struct {
	// Version is what was asked for, as written (less runtime.txt's "python-"
	// prefix): "3.12", "3.12.4", ">= 3.10, <3.13", "^3.11", or the default.
	Version string
	// Source names where it came from, one of the Source constants, e.g.
	// ".python-version" or "BP_PYTHON_VERSION". It also says how Version is
	// read: a Poetry constraint for SourcePoetry, PEP 440 for all others.
	Source string
}

// Specifier returns the request as a normalized PEP 440 specifier: a bare
// "3.12" becomes "==3.12.*", "3.12.4" becomes "==3.12.4", Poetry's "^3.11"
// becomes ">=3.11,<4.0", alternatives are joined by "||". The error is a
// VersionError.
func (r VersionRequest) Specifier() (string, error) {
	s, err := parseRequest(r)
	if err != nil {
		return "", err
	}
	return s.String(), nil
}

// Constraint turns the request into a semver constraint for libpak's
// dependency resolver: "3.12" means any 3.12.x, "3.12.4" exactly that
// release; a specifier is translated as well as semver allows (~=3.12 becomes
// ">=3.12, <4"). ResolvePythonVersion is the authority on what a request
// means (it knows PEP 440's pre-release rules and the patch fallback); a
// request that is not valid is returned as written.
func (r VersionRequest) Constraint() string {
	if bareMinor.MatchString(r.Version) {
		return r.Version + ".*"
	}
	s, err := parseRequest(r)
	if err != nil {
		return r.Version
	}
	return s.semver()
}

// VersionError says a version source holds something that is not a Python
// version or version specifier this buildpack understands.
type VersionError struct {
	Source string
	Value  string
	// Reason, when set, says what is wrong in more detail.
	Reason string
}

func (e VersionError) Error() string {
	kind := "a version (3.X or 3.X.Y) nor a PEP 440 version specifier (such as >=3.11 or ~=3.12)"
	if e.Source == SourcePoetry {
		kind = "a version (3.X or 3.X.Y) nor a Poetry constraint (such as ^3.11 or >=3.10,<3.13)"
	}
	msg := fmt.Sprintf("%s asks for Python %q, which is neither %s", e.Source, e.Value, kind)
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// VersionFileError says a version file exists but does not name exactly one
// version. pyenv reads one version per line and tries them in order, but the
// buildpack installs a single Python, and an empty file is more likely a
// mistake than a wish for the default.
type VersionFileError struct {
	// Path is the file, relative to the application, e.g. ".python-version".
	Path string
	// Versions are the lines it names: none, or several.
	Versions []string
}

func (e VersionFileError) Error() string {
	if len(e.Versions) == 0 {
		return fmt.Sprintf("%s names no Python version: it holds only blank lines and comments", e.Path)
	}
	return fmt.Sprintf("%s names several Python versions (%s), but the buildpack installs only one",
		e.Path, strings.Join(e.Versions, ", "))
}

// UnavailableVersionError says no provided Python satisfies a request (for an
// exact 3.X.Y, not even another 3.X release).
type UnavailableVersionError struct {
	Request VersionRequest
	// Available are the provided versions, oldest first.
	Available []string
}

func (e UnavailableVersionError) Error() string {
	provided := "no Python versions"
	if len(e.Available) > 0 {
		provided = strings.Join(e.Available, ", ")
	}
	return fmt.Sprintf("%s asks for Python %s, but no provided version satisfies it; this buildpack provides: %s",
		e.Request.Source, e.Request.Version, provided)
}

// Resolution is the provided Python version chosen for a request.
type Resolution struct {
	// Version is the chosen version, exactly as it appears in the available list.
	Version string
	// Warning is empty, or says that an exact 3.X.Y that is not provided was
	// replaced by the newest 3.X release (naming both).
	Warning string
}

// RequestedPythonVersion finds the Python version, in order: the
// BP_PYTHON_VERSION environment variable; `.python-version` (exactly one
// non-comment line, else a VersionFileError); `runtime.txt` (`python-3.12.4`,
// first non-comment line); pyproject.toml `[project] requires-python`;
// Pipfile `[requires] python_full_version` or `python_version`; pyproject.toml
// `[tool.poetry.dependencies] python`; else def. Each accepts a version (3.X
// or 3.X.Y) or a PEP 440 specifier (Poetry's a Poetry constraint); anything
// else is a VersionError. A TOML file that does not parse is a
// TOMLSyntaxError. def is not checked.
func RequestedPythonVersion(dir string, lookupEnv func(string) (string, bool), def string) (VersionRequest, error) {
	if v, ok := lookupEnv("BP_PYTHON_VERSION"); ok && strings.TrimSpace(v) != "" {
		return checked(VersionRequest{Version: strings.TrimSpace(v), Source: SourceEnv})
	}
	if vs, ok, err := versionLines(filepath.Join(dir, ".python-version")); err != nil {
		return VersionRequest{}, err
	} else if ok && len(vs) != 1 {
		return VersionRequest{}, VersionFileError{Path: ".python-version", Versions: vs}
	} else if ok {
		return checked(VersionRequest{Version: vs[0], Source: SourcePythonVersionFile})
	}
	if v, ok, err := firstLine(filepath.Join(dir, "runtime.txt")); err != nil {
		return VersionRequest{}, err
	} else if ok {
		return checked(VersionRequest{Version: strings.TrimPrefix(v, "python-"), Source: SourceRuntimeTxt})
	}
	if req, ok, err := projectVersion(dir); err != nil || ok {
		if err != nil {
			return VersionRequest{}, err
		}
		return checked(req)
	}
	return VersionRequest{Version: def, Source: SourceDefault}, nil
}

func checked(r VersionRequest) (VersionRequest, error) {
	if _, err := parseRequest(r); err != nil {
		return VersionRequest{}, err
	}
	return r, nil
}

// ResolvePythonVersion picks the newest of the available versions (full
// versions such as "3.11.2") that satisfies the request. Pre-releases are
// only candidates when the request names a pre-release (3.14.0rc1,
// >=3.14.0rc1). An exact 3.X.Y that is not available falls back to the
// newest 3.X release, with a Warning naming both. When nothing fits the error
// is an UnavailableVersionError; a request that does not parse, a VersionError.
func ResolvePythonVersion(req VersionRequest, available []string) (Resolution, error) {
	spec, err := parseRequest(req)
	if err != nil {
		return Resolution{}, err
	}
	ss, err := pep440.NewSpecifiers(spec.String())
	if err != nil { // parseRequest validated every clause, so this is unexpected
		return Resolution{}, VersionError{Source: req.Source, Value: req.Version, Reason: err.Error()}
	}
	versions := parseAvailable(available)
	wantsPre := spec.namesPreRelease()
	if v, ok := newest(versions, func(v pep440.Version) bool {
		return (wantsPre || !v.IsPreRelease()) && ss.Check(v)
	}); ok {
		return Resolution{Version: v}, nil
	}
	if pin, ok := spec.exactPin(); ok {
		if minor, ok := minorOf(pin); ok {
			same := func(pre bool) func(pep440.Version) bool {
				return func(v pep440.Version) bool {
					m, ok := minorOf(v)
					return ok && m == minor && v.IsPreRelease() == pre
				}
			}
			v, ok := newest(versions, same(false))
			if !ok && pin.IsPreRelease() {
				v, ok = newest(versions, same(true))
			}
			if ok {
				return Resolution{Version: v, Warning: fmt.Sprintf(
					"%s asks for Python %s, which this buildpack does not provide; using %s, the newest %s release",
					req.Source, req.Version, v, minor)}, nil
			}
		}
	}
	return Resolution{}, UnavailableVersionError{Request: req, Available: sortedAvailable(versions)}
}

// availableVersion is a provided version: as written, and as parsed.
type availableVersion struct {
	raw string
	v   pep440.Version
}

// parseAvailable parses the provided versions, skipping any that are not
// PEP 440 versions (they can satisfy no request).
func parseAvailable(available []string) []availableVersion {
	var out []availableVersion
	for _, a := range available {
		if v, err := pep440.Parse(a); err == nil {
			out = append(out, availableVersion{a, v})
		}
	}
	return out
}

func newest(versions []availableVersion, ok func(pep440.Version) bool) (string, bool) {
	var best *availableVersion
	for i := range versions {
		if ok(versions[i].v) && (best == nil || versions[i].v.GreaterThan(best.v)) {
			best = &versions[i]
		}
	}
	if best == nil {
		return "", false
	}
	return best.raw, true
}

func sortedAvailable(versions []availableVersion) []string {
	sorted := append([]availableVersion(nil), versions...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].v.LessThan(sorted[j].v) })
	out := make([]string, 0, len(sorted))
	for _, a := range sorted {
		out = append(out, a.raw)
	}
	return out
}

// minorOf returns "3.X" for a version with at least two release numbers.
func minorOf(v pep440.Version) (string, bool) { return pep508.MajorMinor(v.BaseVersion()) }

// specifier is a parsed request: alternatives (any may match) of clauses
// (all must match).
type specifier [][]clause

// clause is one PEP 440 comparison, e.g. {">=", "3.10"} or {"==", "3.12.*"}.
type clause struct {
	op, version string
}

func (s specifier) String() string {
	alts := make([]string, len(s))
	for i, cs := range s {
		parts := make([]string, len(cs))
		for j, c := range cs {
			parts[j] = c.op + c.version
		}
		alts[i] = strings.Join(parts, ",")
	}
	return strings.Join(alts, "||")
}

// namesPreRelease says whether any clause names a pre-release, which makes
// pre-releases candidates (as PEP 440 says).
func (s specifier) namesPreRelease() bool {
	for _, cs := range s {
		for _, c := range cs {
			if v, err := pep440.Parse(strings.TrimSuffix(c.version, ".*")); err == nil && v.IsPreRelease() {
				return true
			}
		}
	}
	return false
}

// exactPin returns the version of a request for exactly one version
// (==3.12.4, or a bare 3.12.4).
func (s specifier) exactPin() (pep440.Version, bool) {
	if len(s) != 1 || len(s[0]) != 1 {
		return pep440.Version{}, false
	}
	c := s[0][0]
	if (c.op != "==" && c.op != "===") || strings.HasSuffix(c.version, ".*") {
		return pep440.Version{}, false
	}
	v, err := pep440.Parse(c.version)
	return v, err == nil
}

// semver renders the specifier for Masterminds/semver (libpak's resolver).
func (s specifier) semver() string {
	if v, ok := s.exactPin(); ok {
		return v.String()
	}
	alts := make([]string, len(s))
	for i, cs := range s {
		var parts []string
		for _, c := range cs {
			switch {
			case c.op == "==" && strings.HasSuffix(c.version, ".*"):
				parts = append(parts, c.version)
			case c.op == "==" || c.op == "===":
				parts = append(parts, "="+c.version)
			case c.op == "~=":
				nums := strings.Split(c.version, ".")
				upper := nums[:len(nums)-1]
				parts = append(parts, ">="+c.version, "<"+bump(upper, len(upper)-1))
			default:
				parts = append(parts, c.op+c.version)
			}
		}
		alts[i] = strings.Join(parts, ", ")
	}
	return strings.Join(alts, " || ")
}

var (
	// bareVersion is a version without an operator: 3.X, 3.X.Y (perhaps a
	// pre-release such as 3.14.0rc1), 3.X.* or 3.*.
	bareVersion = regexp.MustCompile(`^3(\.\*|\.\d+(\.\*|\.\d+((a|b|rc)\d+)?)?)$`)
	bareMinor   = regexp.MustCompile(`^3\.\d+$`)
	// operatorSpace is the space PEP 440 allows between an operator and its version.
	operatorSpace = regexp.MustCompile(`(===|==|!=|~=|<=|>=|<|>|\^|~)\s+`)
	// clauseOp splits a clause into its operator and version.
	clauseOp = regexp.MustCompile(`^(===|==|!=|~=|<=|>=|<|>)?(.*)$`)
	// poetryAlternatives and poetryClauses split a Poetry constraint.
	poetryAlternatives = regexp.MustCompile(`\s*\|\|?\s*`)
	poetryClauses      = regexp.MustCompile(`[\s,]+`)
	// numericVersion is what Poetry's ^ and ~ accept.
	numericVersion = regexp.MustCompile(`^\d+(\.\d+){0,2}$`)
)

// parseRequest reads a request's Version in its source's dialect: PEP 440
// specifiers everywhere, Poetry constraints for SourcePoetry. The error is a
// VersionError.
func parseRequest(r VersionRequest) (specifier, error) {
	fail := func(reason string) (specifier, error) {
		return nil, VersionError{Source: r.Source, Value: r.Version, Reason: reason}
	}
	text := strings.TrimSpace(operatorSpace.ReplaceAllString(r.Version, "$1"))
	if text == "" {
		return fail("")
	}
	var spec specifier
	if r.Source == SourcePoetry {
		for _, alt := range poetryAlternatives.Split(text, -1) {
			var cs []clause
			for _, f := range poetryClauses.Split(strings.TrimSpace(alt), -1) {
				if f == "" {
					continue
				}
				c, reason, ok := poetryClause(f)
				if !ok {
					return fail(reason)
				}
				cs = append(cs, c...)
			}
			if len(cs) == 0 {
				return fail("")
			}
			spec = append(spec, cs)
		}
	} else {
		if strings.Contains(text, "|") {
			return fail("PEP 440 has no alternatives (||); use a single range")
		}
		var cs []clause
		for _, f := range strings.Split(text, ",") {
			c, reason, ok := pepClause(strings.TrimSpace(f))
			if !ok {
				return fail(reason)
			}
			cs = append(cs, c)
		}
		spec = specifier{cs}
	}
	if _, err := pep440.NewSpecifiers(spec.String()); err != nil {
		return fail(err.Error())
	}
	return spec, nil
}

// pepClause normalizes one PEP 440 clause; a bare version follows the
// buildpack's rules (3.12 is any 3.12.x, 3.12.4 exactly that).
func pepClause(f string) (clause, string, bool) {
	m := clauseOp.FindStringSubmatch(f)
	op, v := m[1], m[2]
	if op == "" {
		if !bareVersion.MatchString(v) {
			return clause{}, "", false
		}
		if bareMinor.MatchString(v) {
			v += ".*"
		}
		return clause{"==", v}, "", true
	}
	if _, err := pep440.Parse(strings.TrimSuffix(v, ".*")); err != nil {
		return clause{}, "", false
	}
	if _, err := pep440.NewSpecifiers(op + v); err != nil {
		if strings.HasPrefix(err.Error(), "improper") {
			return clause{}, "", false
		}
		return clause{}, err.Error(), false
	}
	return clause{op, v}, "", true
}

// poetryClause translates one Poetry clause into PEP 440 clauses: ^3.11 is
// >=3.11,<4.0; ~3.11 is >=3.11,<3.12; ~3.11.2 is >=3.11.2,<3.12; * is any.
func poetryClause(f string) ([]clause, string, bool) {
	switch {
	case f == "*":
		return []clause{{">=", "0"}}, "", true
	case strings.HasPrefix(f, "^"), strings.HasPrefix(f, "~") && !strings.HasPrefix(f, "~="):
		v := f[1:]
		if !numericVersion.MatchString(v) {
			return nil, fmt.Sprintf("%s needs a version of up to three numbers", f[:1]), false
		}
		nums := strings.Split(v, ".")
		var upper string
		if f[0] == '^' {
			i := 0 // bump the first non-zero number (^0.2.3 is <0.3.0)
			for i < len(nums)-1 && atoi(nums[i]) == 0 {
				i++
			}
			upper = bump(nums, i)
		} else if len(nums) == 1 {
			upper = bump(nums, 0)
		} else {
			upper = bump(nums, 1)
		}
		return []clause{{">=", v}, {"<", upper}}, "", true
	}
	c, reason, ok := pepClause(f)
	return []clause{c}, reason, ok
}

// bump increments nums[i], drops what follows, and pads to two numbers:
// bump([3 11 2], 1) is "3.12", bump([3 11], 0) is "4.0".
func bump(nums []string, i int) string {
	out := append([]string(nil), nums[:i+1]...)
	out[i] = strconv.Itoa(atoi(out[i]) + 1)
	for len(out) < 2 {
		out = append(out, "0")
	}
	return strings.Join(out, ".")
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// firstLine returns the first line of path that is neither blank nor a
// comment; ok is false when there is none or no file.
func firstLine(path string) (string, bool, error) {
	lines, _, err := versionLines(path)
	if err != nil || len(lines) == 0 {
		return "", false, err
	}
	return lines[0], true, nil
}

// versionLines returns the lines of path that are neither blank nor a comment,
// without trailing comments; exists is false when there is no such file.
func versionLines(path string) (lines []string, exists bool, err error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("unable to read %s\n%w", path, err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	if err := s.Err(); err != nil {
		return nil, false, fmt.Errorf("unable to read %s\n%w", path, err)
	}
	return lines, true, nil
}
