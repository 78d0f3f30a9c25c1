package pep508

import "strings"

// Requirement is one PEP 508 requirement line.
type Requirement struct {
	Name      string   // as written
	Extras    []string // as written, in order; nil when none
	Specifier string   // e.g. ">=3,<4" ("" when none), without parentheses/spaces around
	URL       string   // the `@ url` direct reference, "" when none
	Marker    Marker
}

// ParseRequirement parses a requirement such as
// `flask[dotenv,async] >=3.0, <4 ; python_version >= "3.9"` or
// `pkg @ https://example.com/pkg.whl ; sys_platform == "linux"`, following
// PEP 508's grammar:
//
//	name extras? (versionspec | '@' url)? (';' marker)?
//
// Version specifiers are checked as PEP 440, and Specifier holds them with
// whitespace removed. The error is a *SyntaxError.
func ParseRequirement(s string) (Requirement, error) {
	r := &reqScanner{input: s}
	var req Requirement
	var err error
	if req.Name, err = r.identifier("a package name"); err != nil {
		return Requirement{}, err
	}
	r.skipSpace()
	if r.peek() == '[' {
		if req.Extras, err = r.extras(); err != nil {
			return Requirement{}, err
		}
		r.skipSpace()
	}
	switch c := r.peek(); {
	case c == '@':
		req.URL, err = r.url()
	case c == '(' || strings.IndexByte("<>=!~", c) >= 0:
		req.Specifier, err = r.versionSpec()
	}
	if err != nil {
		return Requirement{}, err
	}
	if req.Marker, err = r.marker(req); err != nil {
		return Requirement{}, err
	}
	return req, nil
}

// NormalizeName is PEP 503's normalized form of a project (or extra, or
// group) name: lowercase, with each run of "-", "_" and "." made one "-".
func NormalizeName(name string) string {
	var b strings.Builder
	inRun := false
	for _, c := range strings.ToLower(name) {
		if c == '-' || c == '_' || c == '.' {
			inRun = true
			continue
		}
		if inRun {
			b.WriteByte('-')
			inRun = false
		}
		b.WriteRune(c)
	}
	if inRun {
		b.WriteByte('-')
	}
	return b.String()
}

// reqScanner walks a requirement left to right; markers are handed to the
// marker parser, the rest is simple enough to read byte by byte.
type reqScanner struct {
	input string
	pos   int
}

// peek is the byte at the cursor, 0 at the end.
func (r *reqScanner) peek() byte {
	if r.pos >= len(r.input) {
		return 0
	}
	return r.input[r.pos]
}

func (r *reqScanner) skipSpace() {
	for r.pos < len(r.input) && isSpace(r.input[r.pos]) {
		r.pos++
	}
}

func (r *reqScanner) errorf(pos int, format string, args ...any) *SyntaxError {
	return syntaxError(r.input, pos, format, args...)
}

// identifier reads a PEP 508 identifier, a name or an extra: letters and
// digits, with "-", "_" and "." allowed only between them. what names the
// identifier for the error when there is none ("a package name").
func (r *reqScanner) identifier(what string) (string, error) {
	r.skipSpace()
	start := r.pos
	for r.pos < len(r.input) && (isAlnum(r.input[r.pos]) || strings.IndexByte("-_.", r.input[r.pos]) >= 0) {
		r.pos++
	}
	id := r.input[start:r.pos]
	switch {
	case id == "":
		return "", r.errorf(start, "expected %s", what)
	case !isAlnum(id[0]) || !isAlnum(id[len(id)-1]):
		return "", r.errorf(start, "%q is not a valid name: it must start and end with a letter or digit", id)
	}
	return id, nil
}

// extras reads "[a, b]"; the cursor is on "[".
func (r *reqScanner) extras() ([]string, error) {
	r.pos++
	r.skipSpace()
	if r.peek() == ']' {
		r.pos++
		return nil, nil
	}
	var extras []string
	for {
		e, err := r.identifier("an extra name")
		if err != nil {
			return nil, err
		}
		extras = append(extras, e)
		r.skipSpace()
		switch r.peek() {
		case ',':
			r.pos++
		case ']':
			r.pos++
			return extras, nil
		default:
			return nil, r.errorf(r.pos, `expected "," or "]" after extra %q`, e)
		}
	}
}

// url reads "@ url"; the cursor is on "@". A URL runs to the next
// whitespace: it may itself hold ";", which is why PEP 508 wants
// whitespace before the marker of a URL requirement.
func (r *reqScanner) url() (string, error) {
	r.pos++
	r.skipSpace()
	start := r.pos
	for r.pos < len(r.input) && !isSpace(r.input[r.pos]) {
		r.pos++
	}
	if r.pos == start {
		return "", r.errorf(start, `expected a URL after "@"`)
	}
	return r.input[start:r.pos], nil
}

// versionSpec reads a version_many, bare or in parentheses, and returns it
// with whitespace removed.
func (r *reqScanner) versionSpec() (string, error) {
	parens := r.peek() == '('
	if parens {
		r.pos++
	}
	var clauses []string
	for {
		c, err := r.versionClause()
		if err != nil {
			return "", err
		}
		clauses = append(clauses, c)
		r.skipSpace()
		if r.peek() != ',' {
			break
		}
		r.pos++
	}
	if parens {
		if r.peek() != ')' {
			return "", r.errorf(r.pos, `expected "," or ")" in the version specifier`)
		}
		r.pos++
	}
	return strings.Join(clauses, ","), nil
}

// versionClause reads one operator and version, such as ">= 3.0".
func (r *reqScanner) versionClause() (string, error) {
	r.skipSpace()
	start := r.pos
	op := ""
	for _, o := range comparisonOps {
		if strings.HasPrefix(r.input[r.pos:], o) {
			op = o
			break
		}
	}
	if op == "" {
		return "", r.errorf(start, "expected a version operator (one of %s)", strings.Join(comparisonOps, " "))
	}
	r.pos += len(op)
	r.skipSpace()
	vstart := r.pos
	for r.pos < len(r.input) && isVersionByte(r.input[r.pos], op) {
		r.pos++
	}
	version := r.input[vstart:r.pos]
	if version == "" {
		return "", r.errorf(vstart, "expected a version after %q", op)
	}
	if op != "===" {
		if _, ok := versionSpecifier(op, version); !ok {
			return "", r.errorf(start, "invalid version specifier %q", op+version)
		}
	}
	return op + version, nil
}

// isVersionByte reports whether c can be part of a version after op. PEP
// 440 versions use letters, digits and "-_.*+!"; === compares any string,
// so it takes anything up to whitespace or a character that ends the
// specifier.
func isVersionByte(c byte, op string) bool {
	if op == "===" {
		return !isSpace(c) && strings.IndexByte(",;)", c) < 0
	}
	return isAlnum(c) || strings.IndexByte("-_.*+!", c) >= 0
}

// marker reads what follows the name, extras and version or URL of req:
// the end, or ";" and a marker. After a URL the ";" must follow whitespace,
// since "url;" would have been read as part of the URL.
func (r *reqScanner) marker(req Requirement) (Marker, error) {
	before := r.pos
	r.skipSpace()
	switch {
	case r.pos == len(r.input):
		return Marker{}, nil
	case req.URL != "" && (r.peek() != ';' || r.pos == before):
		return Marker{}, r.errorf(r.pos, `expected the end or ";" (after the URL and whitespace)`)
	case req.Specifier != "" && r.peek() != ';':
		return Marker{}, r.errorf(r.pos, `expected ",", ";" or the end after the version specifier`)
	case r.peek() != ';':
		return Marker{}, r.errorf(r.pos, `expected a version specifier, "@", ";" or the end`)
	}
	semicolon := r.pos
	r.pos++
	if strings.TrimSpace(r.input[r.pos:]) == "" {
		return Marker{}, r.errorf(semicolon, `expected a marker after ";"`)
	}
	root, err := parseMarkerAt(r.input, r.pos)
	if err != nil {
		return Marker{}, err
	}
	return Marker{root: root}, nil
}
