package launch

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

// ShellWords splits text into words the way a POSIX shell would for a simple
// command: whitespace separates, single quotes are literal, double quotes allow
// $VAR expansion, a backslash escapes, and # starts a comment at a word start.
// As in a shell, an unquoted expansion that is empty makes no word
// (`--workers $UNSET` is one word), while "" or "$UNSET" in quotes is an empty
// word; a "$" not followed by a name ("$$", "100$") stays literal.
func ShellWords(text string, env MapEnv) ([]string, error) {
	var (
		words []string
		cur   strings.Builder
		// inWord: the current word exists, even if empty (it had quotes or text).
		inWord bool
		quote  rune
		runes  = []rune(text)
	)
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		switch {
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\\' && i+1 < len(runes) && (quote == 0 || strings.ContainsRune(`$"\`+"\n", runes[i+1])):
			i++
			if runes[i] != '\n' {
				cur.WriteRune(runes[i])
				inWord = true
			}
		case r == '$':
			value, next, ok := expandAt(runes, i, env)
			if !ok {
				cur.WriteRune(r)
				inWord = true
				continue
			}
			cur.WriteString(value)
			if value != "" {
				inWord = true
			}
			i = next - 1
		case quote == '"':
			if r == '"' {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == '#' && !inWord:
			for i < len(runes) && runes[i] != '\n' {
				i++
			}
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			if inWord {
				words, inWord = append(words, cur.String()), false
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated %c quote", quote)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
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
