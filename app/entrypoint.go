package app

import (
	"fmt"
	"strings"
	"unicode"
)

// EntryPoint is a WSGI application the way gunicorn and friends name it:
// module:callable, or module:factory(args) for an application factory.
type EntryPoint struct {
	// Module is a dotted module path: server, pkg.wsgi.
	Module string
	// Attr is the attribute in Module: app, or a dotted path such as app.wsgi_app.
	Attr string
	// Call is true for a factory, module:create_app(...).
	Call bool
	// Args is the text between the factory's parentheses, trimmed; it may be empty.
	Args string
}

// String returns the canonical module:callable text.
func (e EntryPoint) String() string {
	s := e.Module + ":" + e.Attr
	if e.Call {
		s += "(" + e.Args + ")"
	}
	return s
}

// Plain says whether the entry point is a module's own attribute, which
// every server's loader takes as it is. A factory, or a dotted attribute
// (app.wsgi_app), is not: mod_wsgi's --callable-object and uwsgi's
// --callable take one name, and the servers that do walk dots differ in
// whether they call what they find, so warpdrive serves those through a
// generated module that exposes a plain name.
func (e EntryPoint) Plain() bool {
	return !e.Call && !strings.Contains(e.Attr, ".")
}

// EntryPointSyntaxError says a value is not module:callable.
type EntryPointSyntaxError struct {
	Value string
	Why   string
}

func (e EntryPointSyntaxError) Error() string {
	return fmt.Sprintf("invalid WSGI entry point %q: %s; write it as module:callable, e.g. server:app or flaskr:create_app()", e.Value, e.Why)
}

// ParseEntryPoint parses module:callable, module:attr.path and
// module:factory(args). Django's dotted WSGI_APPLICATION form
// (pkg.wsgi.application) is refused rather than guessed at: the last dot could
// as well be a package boundary, and servers only accept the colon form.
func ParseEntryPoint(s string) (EntryPoint, error) {
	fail := func(format string, a ...any) (EntryPoint, error) {
		return EntryPoint{}, EntryPointSyntaxError{Value: s, Why: fmt.Sprintf(format, a...)}
	}
	v := strings.TrimSpace(s)
	if v == "" {
		return fail("it is empty")
	}
	// Module names have no colon, so the first one separates even when the
	// factory's arguments contain more (create_app(config={"a": 1})).
	module, target, found := strings.Cut(v, ":")
	if !found {
		head, args, isCall := strings.Cut(v, "(")
		head = strings.TrimSpace(head)
		if i := strings.LastIndex(head, "."); i > 0 && isDottedName(head) {
			call := ""
			if isCall {
				call = "(" + args
			}
			return fail("there is no ':' between the module and the callable (the dotted Django form is not accepted): use %s:%s%s", head[:i], head[i+1:], call)
		}
		return fail("there is no ':' between the module and the callable")
	}
	module, target = strings.TrimSpace(module), strings.TrimSpace(target)
	switch {
	case module == "":
		return fail("the module before ':' is empty")
	case strings.HasSuffix(module, ".py"):
		// The most common slip: the file name instead of the module name.
		return fail("%q is a file name, not a module: use %s", module, strings.TrimSuffix(strings.ReplaceAll(module, "/", "."), ".py"))
	case strings.ContainsAny(module, `/\`):
		return fail("%q is a path, not a module: use dots, %s", module, strings.NewReplacer("/", ".", `\`, ".").Replace(module))
	case !isDottedName(module):
		return fail("%q is not a Python module name (dotted identifiers, e.g. pkg.wsgi)", module)
	}

	ep := EntryPoint{Module: module, Attr: target}
	if open := strings.Index(target, "("); open >= 0 {
		if !strings.HasSuffix(target, ")") {
			return fail("the factory call %q does not end with ')'", target)
		}
		ep.Attr = strings.TrimSpace(target[:open])
		ep.Call = true
		ep.Args = strings.TrimSpace(target[open+1 : len(target)-1])
		if why := unbalanced(ep.Args); why != "" {
			return fail("the factory arguments %q have %s", ep.Args, why)
		}
	}
	switch {
	case ep.Attr == "":
		return fail("the callable after ':' is empty")
	case !isDottedName(ep.Attr):
		return fail("%q is not a Python attribute name (an identifier, or a dotted path such as app.wsgi_app)", ep.Attr)
	}
	return ep, nil
}

// isDottedName reports whether s is identifiers joined by dots: pkg.mod.
func isDottedName(s string) bool {
	for part := range strings.SplitSeq(s, ".") {
		if !isIdentifier(part) {
			return false
		}
	}
	return true
}

// isIdentifier approximates Python's identifier rule (PEP 3131): a letter or
// underscore, then letters, digits or underscores.
func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || unicode.IsLetter(r) || i > 0 && unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

// unbalanced returns what is wrong with the brackets and quotes of a factory's
// arguments, or "". It does not parse Python: it only catches the text that
// would make the call's closing parenthesis not the last one, such as
// create_app(a)) or create_app('x).
func unbalanced(args string) string {
	closer := map[rune]rune{'(': ')', '[': ']', '{': '}'}
	var want []rune // the closers still expected, innermost last
	var quote rune
	escaped := false
	for _, r := range args {
		switch {
		case quote != 0:
			switch {
			case escaped:
				escaped = false
			case r == '\\':
				escaped = true
			case r == quote:
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case closer[r] != 0:
			want = append(want, closer[r])
		case r == ')' || r == ']' || r == '}':
			if len(want) == 0 || want[len(want)-1] != r {
				return fmt.Sprintf("an unbalanced %q", r)
			}
			want = want[:len(want)-1]
		}
	}
	switch {
	case quote != 0:
		return fmt.Sprintf("an unterminated %c string", quote)
	case len(want) > 0:
		return fmt.Sprintf("an unclosed bracket (missing %q)", want[len(want)-1])
	}
	return ""
}
