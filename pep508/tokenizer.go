package pep508

import (
	"strings"
	"unicode/utf8"
)

type tokenKind int

const (
	tokEOF    tokenKind = iota
	tokLParen           // (
	tokRParen           // )
	tokString           // a quoted string; text is its content, without quotes
	tokOp               // a comparison operator: < <= == != >= > ~= === in, "not in"
	tokAnd              // and
	tokOr               // or
	tokIdent            // any other word: a marker variable, or an unknown name
)

type token struct {
	kind tokenKind
	text string
	pos  int // byte offset in the input
}

// lexer splits a marker into tokens. Whitespace between tokens is optional
// (python_version>='3.8', 'x'in extras), so words end where a character
// that cannot be part of a word starts, not at whitespace.
type lexer struct {
	input string
	pos   int
}

// comparisonOps are the symbolic operators, longest first so that "==="
// wins over "==" and "<=" over "<".
var comparisonOps = []string{"===", "==", "!=", "<=", ">=", "~=", "<", ">"}

func (l *lexer) next() (token, error) {
	l.skipSpace()
	start := l.pos
	if l.pos >= len(l.input) {
		return token{kind: tokEOF, pos: start}, nil
	}
	switch c := l.input[l.pos]; {
	case c == '(':
		l.pos++
		return token{kind: tokLParen, text: "(", pos: start}, nil
	case c == ')':
		l.pos++
		return token{kind: tokRParen, text: ")", pos: start}, nil
	case c == '\'' || c == '"':
		return l.quoted()
	case isWordByte(c):
		return l.word()
	}
	for _, op := range comparisonOps {
		if strings.HasPrefix(l.input[l.pos:], op) {
			l.pos += len(op)
			return token{kind: tokOp, text: op, pos: start}, nil
		}
	}
	r, _ := utf8.DecodeRuneInString(l.input[start:])
	return token{}, syntaxError(l.input, start, "unexpected character %q", r)
}

// quoted reads a python_str. PEP 508 strings have no escapes: a string ends
// at the next quote of the kind that opened it.
func (l *lexer) quoted() (token, error) {
	start := l.pos
	quote := l.input[start]
	end := strings.IndexByte(l.input[start+1:], quote)
	if end < 0 {
		return token{}, syntaxError(l.input, start, "unterminated string")
	}
	l.pos = start + 1 + end + 1
	return token{kind: tokString, text: l.input[start+1 : start+1+end], pos: start}, nil
}

// word reads a keyword or a variable name. The dotted legacy names
// (os.name, platform.machine) are words too.
func (l *lexer) word() (token, error) {
	start := l.pos
	w := l.readWord()
	switch w {
	case "and":
		return token{kind: tokAnd, text: w, pos: start}, nil
	case "or":
		return token{kind: tokOr, text: w, pos: start}, nil
	case "in":
		return token{kind: tokOp, text: w, pos: start}, nil
	case "not":
		// "not" is only ever half of "not in"; PEP 508 has no negation.
		l.skipSpace()
		if l.readWord() != "in" {
			return token{}, syntaxError(l.input, start, `expected "in" after "not"`)
		}
		return token{kind: tokOp, text: "not in", pos: start}, nil
	}
	return token{kind: tokIdent, text: w, pos: start}, nil
}

func (l *lexer) readWord() string {
	start := l.pos
	for l.pos < len(l.input) && isWordByte(l.input[l.pos]) {
		l.pos++
	}
	return l.input[start:l.pos]
}

func (l *lexer) skipSpace() {
	for l.pos < len(l.input) && isSpace(l.input[l.pos]) {
		l.pos++
	}
}

func isWordByte(c byte) bool {
	return isAlnum(c) || c == '_' || c == '.'
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// isSpace is PEP 508's wsp (space and tab), plus the line breaks a marker
// copied out of a multi-line TOML string may carry.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}
