package pep508

import (
	"fmt"
	"strings"
)

// Marker is a parsed environment marker. The zero value is the empty marker,
// which holds in every environment.
type Marker struct {
	root node // nil for the empty marker
}

// node is one part of a marker's tree: a comparison, or an and/or of nodes.
type node interface {
	eval(env Environment) (bool, error)
	// format writes the node's normalized text; inAnd says the node is an
	// operand of "and", where an "or" needs parentheses to keep its meaning.
	format(b *strings.Builder, inAnd bool)
}

// variables maps every accepted marker variable name to its canonical name.
// The dotted and python_implementation names are PEP 345's, which packaging
// still accepts and old sdists' metadata still carries.
var variables = map[string]string{
	"python_version":                 "python_version",
	"python_full_version":            "python_full_version",
	"os_name":                        "os_name",
	"sys_platform":                   "sys_platform",
	"platform_release":               "platform_release",
	"platform_system":                "platform_system",
	"platform_version":               "platform_version",
	"platform_machine":               "platform_machine",
	"platform_python_implementation": "platform_python_implementation",
	"implementation_name":            "implementation_name",
	"implementation_version":         "implementation_version",
	"extra":                          "extra",
	"extras":                         "extras",
	"dependency_groups":              "dependency_groups",

	"os.name":                        "os_name",
	"sys.platform":                   "sys_platform",
	"platform.version":               "platform_version",
	"platform.machine":               "platform_machine",
	"platform.python_implementation": "platform_python_implementation",
	"python_implementation":          "platform_python_implementation",
}

// ParseMarker parses a PEP 508 marker such as
// `python_version < "3.11" and sys_platform != "win32"`. An empty (or
// all-blank) string is the empty marker. The error is a *SyntaxError.
func ParseMarker(s string) (Marker, error) {
	if strings.TrimSpace(s) == "" {
		return Marker{}, nil
	}
	root, err := parseMarkerAt(s, 0)
	if err != nil {
		return Marker{}, err
	}
	return Marker{root: root}, nil
}

// Evaluate parses marker and evaluates it in env; the empty marker is true.
func Evaluate(marker string, env Environment) (bool, error) {
	m, err := ParseMarker(marker)
	if err != nil {
		return false, err
	}
	return m.Evaluate(env)
}

// Evaluate reports whether the marker holds in env. "and" and "or" stop at
// the first operand that decides them, so a comparison that cannot be made
// in env (say platform_release >= "20" on an empty platform_release) is only
// an error when it matters. The empty marker is true.
func (m Marker) Evaluate(env Environment) (bool, error) {
	if m.root == nil {
		return true, nil
	}
	ok, err := m.root.eval(env)
	if err != nil {
		return false, fmt.Errorf("evaluating marker %q: %w", m.String(), err)
	}
	return ok, nil
}

// String returns the marker's normalized text, as packaging writes it:
// canonical variable names, double-quoted values, single spaces, and
// parentheses only where "or" sits inside "and". Extra names are PEP
// 685-normalized. The empty marker is "".
func (m Marker) String() string {
	if m.root == nil {
		return ""
	}
	var b strings.Builder
	m.root.format(&b, false)
	return b.String()
}

// IsEmpty reports whether m is the empty marker.
func (m Marker) IsEmpty() bool {
	return m.root == nil
}

// parser is a recursive-descent parser for PEP 508's marker grammar:
//
//	marker_or   = marker_and ('or' marker_and)*
//	marker_and  = marker_expr ('and' marker_expr)*
//	marker_expr = marker_var marker_op marker_var | '(' marker_or ')'
//
// It holds one token of lookahead.
type parser struct {
	lex lexer
	tok token
}

// parseMarkerAt parses the marker starting at byte start of input and
// running to its end; ParseRequirement uses start to parse the part after
// ';' while error positions still count from the start of the requirement.
func parseMarkerAt(input string, start int) (node, error) {
	p := &parser{lex: lexer{input: input, pos: start}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	root, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		return nil, p.errorf(`expected "and", "or" or the end of the marker`)
	}
	return root, nil
}

func (p *parser) advance() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) errorf(format string, args ...any) *SyntaxError {
	return syntaxError(p.lex.input, p.tok.pos, format, args...)
}

func (p *parser) parseOr() (node, error) {
	return p.parseChain(tokOr, "or", p.parseAnd)
}

func (p *parser) parseAnd() (node, error) {
	return p.parseChain(tokAnd, "and", p.parseExpr)
}

// parseChain parses operand (sep operand)*. Binding "and" tighter than "or"
// comes from parseOr's operands being parseAnd's chains.
func (p *parser) parseChain(sep tokenKind, op string, operand func() (node, error)) (node, error) {
	first, err := operand()
	if err != nil {
		return nil, err
	}
	terms := []node{first}
	for p.tok.kind == sep {
		if err := p.advance(); err != nil {
			return nil, err
		}
		next, err := operand()
		if err != nil {
			return nil, err
		}
		terms = append(terms, next)
	}
	return newLogical(op, terms), nil
}

func (p *parser) parseExpr() (node, error) {
	if p.tok.kind != tokLParen {
		return p.parseComparison()
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	inner, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokRParen {
		return nil, p.errorf(`expected ")"`)
	}
	return inner, p.advance()
}

// operand is one side of a comparison as written.
type operand struct {
	isVar bool
	text  string // the canonical variable name, or the string's content
	pos   int
}

func (p *parser) parseComparison() (node, error) {
	lhs, err := p.parseOperand()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokOp {
		return nil, p.errorf("expected a comparison operator")
	}
	op := p.tok
	if err := p.advance(); err != nil {
		return nil, err
	}
	rhs, err := p.parseOperand()
	if err != nil {
		return nil, err
	}
	return p.newComparison(lhs, op, rhs)
}

func (p *parser) parseOperand() (operand, error) {
	t := p.tok
	switch t.kind {
	case tokString:
		return operand{text: t.text, pos: t.pos}, p.advance()
	case tokIdent:
		name, ok := variables[t.text]
		if !ok {
			return operand{}, p.errorf("unknown marker variable %q", t.text)
		}
		return operand{isVar: true, text: name, pos: t.pos}, p.advance()
	}
	return operand{}, p.errorf("expected a marker variable or a quoted string")
}

// newComparison checks what PEP 508's grammar leaves open: exactly one side
// names a variable (a comparison of two constants, or of two variables,
// says nothing about the environment), and the set-valued and extra
// variables are used the only ways they have a meaning.
func (p *parser) newComparison(lhs operand, op token, rhs operand) (node, error) {
	input := p.lex.input
	switch {
	case !lhs.isVar && !rhs.isVar:
		return nil, syntaxError(input, rhs.pos, "expected a marker variable")
	case lhs.isVar && rhs.isVar:
		return nil, syntaxError(input, rhs.pos, "expected a quoted string")
	}
	c := &comparison{op: op.text, valueFirst: rhs.isVar}
	if c.valueFirst {
		c.variable, c.value = rhs.text, lhs.text
	} else {
		c.variable, c.value = lhs.text, rhs.text
	}
	switch c.variable {
	case "extras", "dependency_groups":
		if !c.valueFirst || (c.op != "in" && c.op != "not in") {
			return nil, syntaxError(input, op.pos, `%s is a set: test it as "'name' in %s" or "not in"`, c.variable, c.variable)
		}
		c.value = NormalizeName(c.value)
	case "extra":
		if c.op != "==" && c.op != "!=" {
			return nil, syntaxError(input, op.pos, `extra can only be compared with "==" or "!="`)
		}
		// PEP 685: extra names compare normalized, so "Socks" is "socks".
		c.value = NormalizeName(c.value)
	}
	return c, nil
}

// logical is an "and" or an "or" of two or more nodes.
type logical struct {
	op    string // "and" or "or"
	terms []node
}

// newLogical joins terms with op. A lone term stands for itself, and a term
// that is itself the same op is spliced in: "a or (b or c)" means
// "a or b or c", and flattening keeps String free of redundant parentheses.
func newLogical(op string, terms []node) node {
	if len(terms) == 1 {
		return terms[0]
	}
	var flat []node
	for _, t := range terms {
		if l, ok := t.(*logical); ok && l.op == op {
			flat = append(flat, l.terms...)
			continue
		}
		flat = append(flat, t)
	}
	return &logical{op: op, terms: flat}
}

func (l *logical) eval(env Environment) (bool, error) {
	// "and" stops at the first false term, "or" at the first true one.
	stopAt := l.op == "or"
	for _, t := range l.terms {
		ok, err := t.eval(env)
		if err != nil {
			return false, err
		}
		if ok == stopAt {
			return stopAt, nil
		}
	}
	return !stopAt, nil
}

func (l *logical) format(b *strings.Builder, inAnd bool) {
	parens := inAnd && l.op == "or"
	if parens {
		b.WriteByte('(')
	}
	for i, t := range l.terms {
		if i > 0 {
			b.WriteString(" " + l.op + " ")
		}
		t.format(b, l.op == "and")
	}
	if parens {
		b.WriteByte(')')
	}
}

// comparison is one marker_var marker_op marker_var, with exactly one side a
// variable.
type comparison struct {
	variable   string // canonical name
	op         string
	value      string
	valueFirst bool // the constant is on the left: '3.8' <= python_version
}

func (c *comparison) format(b *strings.Builder, _ bool) {
	lhs, rhs := c.variable, quote(c.value)
	if c.valueFirst {
		lhs, rhs = rhs, lhs
	}
	b.WriteString(lhs + " " + c.op + " " + rhs)
}

// quote double-quotes s as packaging does, unless s holds a double quote:
// PEP 508 strings have no escapes, so such a value can only be single-quoted.
func quote(s string) string {
	if strings.Contains(s, `"`) {
		return "'" + s + "'"
	}
	return `"` + s + `"`
}
