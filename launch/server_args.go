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
// ($VAR, ${VAR}, quotes), at launch, with the container's environment.
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
func ShellWords(text string, env MapEnv) ([]string, error) {
	var (
		words   []string
		cur     strings.Builder
		inWord  bool
		quote   rune
		runes   = []rune(text)
		varName = func(i int) (string, int) {
			if i < len(runes) && runes[i] == '{' {
				end := strings.IndexRune(string(runes[i:]), '}')
				if end < 0 {
					return "", i
				}
				return string(runes[i+1 : i+end]), i + end + 1
			}
			j := i
			for j < len(runes) && (runes[j] == '_' || runes[j] >= 'A' && runes[j] <= 'Z' || runes[j] >= 'a' && runes[j] <= 'z' || j > i && runes[j] >= '0' && runes[j] <= '9') {
				j++
			}
			return string(runes[i:j]), j
		}
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
		case r == '\\' && i+1 < len(runes):
			i++
			if runes[i] != '\n' {
				cur.WriteRune(runes[i])
				inWord = true
			}
		case r == '$':
			name, next := varName(i + 1)
			if name == "" {
				cur.WriteRune(r)
			} else {
				value, def, hasDef := strings.Cut(name, ":-")
				if v, ok := env[value]; ok && v != "" {
					cur.WriteString(v)
				} else if hasDef {
					cur.WriteString(def)
				}
				i = next - 1
			}
			inWord = true
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
