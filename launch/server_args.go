package launch

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// ServerArgs reads `.warpdrive/server_args` under root: a file applying to
// every mode, or a directory holding one file per mode (mod_wsgi, gunicorn,
// uwsgi, waitress, python, shell). Its text is expanded like a shell would
// ($VAR, ${VAR}, ${VAR:-default}, quotes), at launch, with the container's
// environment.
func ServerArgs(root, mode string, env MapEnv) ([]string, error) {
	path := filepath.Join(root, ".warpdrive", "server_args")
	fi, err := os.Stat(path)
	if os.IsNotExist(err) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		path = filepath.Join(path, mode)
		if _, err := os.Stat(path); os.IsNotExist(err) {
			return nil, nil
		}
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	words, err := ShellWords(string(src), env)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", strings.TrimPrefix(path, root+"/"), err)
	}
	return words, nil
}

// ShellWords splits and expands text the way a POSIX shell does a simple
// command's arguments, by mvdan.cc/sh: whitespace separates, quotes and
// backslashes as in sh, # starts a comment, $VAR, ${VAR}, ${VAR:-default}
// and the other parameter expansions, arithmetic, a ~ and braces expand, and
// an unquoted expansion is split into words (an empty one makes no word, so
// `--workers $UNSET` is one word, while "" or "$UNSET" is an empty word).
// What is not a simple command's arguments (`;`, `&&`, a $(command)) is an
// error. The shell's special parameters mean nothing in a file of arguments,
// so a "$" before no name ("$$", "100$", "$1") stays as written.
func ShellWords(text string, env MapEnv) ([]string, error) {
	var words []*syntax.Word
	for w, err := range syntax.NewParser().WordsSeq(strings.NewReader(text)) {
		if err != nil {
			return nil, err
		}
		words = append(words, w)
	}
	fields, err := expand.Fields(&expand.Config{Env: shellEnv(env)}, words...)
	if err != nil || len(fields) == 0 {
		return nil, err
	}
	return fields, nil
}

// shellEnv is the container's environment as ShellWords' expansion reads
// it: a variable is set when the environment holds it, even empty, and a
// special parameter (a name that is not a variable's: "$", "1", "?") is its
// own text.
type shellEnv MapEnv

func (e shellEnv) Get(name string) expand.Variable {
	if !validName(name) {
		return expand.Variable{Set: true, Kind: expand.String, Str: "$" + name}
	}
	v, ok := e[name]
	if !ok {
		return expand.Variable{}
	}
	return expand.Variable{Set: true, Exported: true, Kind: expand.String, Str: v}
}

func (e shellEnv) Each(fn func(name string, vr expand.Variable) bool) {
	for name := range e {
		if !fn(name, e.Get(name)) {
			return
		}
	}
}

// ExpandWords expands the variables in words the build wrote (such as
// 0.0.0.0:$PORT), once, without splitting them: each stays one argument.
func ExpandWords(words []string, env MapEnv) []string {
	out := make([]string, 0, len(words))
	for _, w := range words {
		runes := []rune(w)
		var b strings.Builder
		for i := 0; i < len(runes); i++ {
			if runes[i] == '$' {
				if value, next, ok := expandAt(runes, i, env); ok {
					b.WriteString(value)
					i = next - 1
					continue
				}
			}
			b.WriteRune(runes[i])
		}
		out = append(out, b.String())
	}
	return out
}

// expandAt expands the reference starting at runes[i] == '$': $NAME, ${NAME}
// or ${NAME:-default} (the default when NAME is unset or empty). It returns
// the value and the index after the reference; ok is false when no name
// follows the "$", which then stays literal.
func expandAt(runes []rune, i int, env MapEnv) (value string, next int, ok bool) {
	j := i + 1
	if j < len(runes) && runes[j] == '{' {
		end := strings.IndexRune(string(runes[j:]), '}')
		if end < 0 {
			return "", 0, false
		}
		inner := []rune(string(runes[j+1 : j+end]))
		name, def, hasDef := strings.Cut(string(inner), ":-")
		if !validName(name) {
			return "", 0, false
		}
		if v := env[name]; v != "" || !hasDef {
			return v, j + end + 1, true
		}
		return def, j + end + 1, true
	}
	k := j
	for k < len(runes) && (runes[k] == '_' || runes[k] >= 'A' && runes[k] <= 'Z' || runes[k] >= 'a' && runes[k] <= 'z' || k > j && runes[k] >= '0' && runes[k] <= '9') {
		k++
	}
	if k == j {
		return "", 0, false
	}
	return env[string(runes[j:k])], k, true
}

func validName(name string) bool {
	if name == "" {
		return false
	}
	for i, r := range name {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// CommandWords are the words of a command line a user wrote for bash (a
// Procfile's), for finding the server it runs and the options it gives it:
// every simple command's arguments, in order, quotes removed, parsed by
// mvdan.cc/sh (`migrate&&exec gunicorn -w "3"` -> migrate exec gunicorn -w
// 3). Nothing is expanded or run: a word holding an expansion is kept as
// written ($WORKERS). A line the parser refuses is split at whitespace.
func CommandWords(command string) []string {
	file, err := syntax.NewParser().Parse(strings.NewReader(command), "")
	if err != nil {
		return strings.Fields(command)
	}
	var words []string
	syntax.Walk(file, func(n syntax.Node) bool {
		if call, ok := n.(*syntax.CallExpr); ok {
			for _, w := range call.Args {
				words = append(words, unquoted(command, w)...)
			}
		}
		return true
	})
	return words
}

// unquoted is what bash makes of w when it is literal text (quotes and
// backslashes removed, braces expanded), else w as written.
func unquoted(src string, w *syntax.Word) []string {
	if literal(w.Parts) {
		if fields, err := expand.Fields(&expand.Config{Env: expand.ListEnviron()}, w); err == nil {
			return fields
		}
	}
	return []string{src[w.Pos().Offset():w.End().Offset()]}
}

// literal says parts hold no expansion: text, and quotes around text.
func literal(parts []syntax.WordPart) bool {
	for _, part := range parts {
		switch p := part.(type) {
		case *syntax.Lit:
		case *syntax.SglQuoted:
		case *syntax.DblQuoted:
			if !literal(p.Parts) {
				return false
			}
		default:
			return false
		}
	}
	return true
}
