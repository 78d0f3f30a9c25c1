package pip

import "regexp"

// indexVariable is a variable reference as Pipenv expands it in a source
// URL (os.path.expandvars on POSIX): $NAME or ${NAME}.
var indexVariable = regexp.MustCompile(`\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))`)

// IndexVariableError: a lock's index URL names a variable the build's
// environment does not set. Pipenv would pass the URL on unexpanded and
// pip would fail to reach it; the build names the variable instead.
type IndexVariableError struct {
	// File is the lock; Variable the name without $ or braces; URL the index
	// URL as the lock writes it (names only, no values).
	File, Variable, URL string
}

func (e IndexVariableError) Error() string {
	return e.File + ": the index URL " + e.URL + " names $" + e.Variable + ", which the build does not set"
}

// expandIndexVariables expands the variables in args with lookup, failing
// on the first one it does not set.
func expandIndexVariables(args []string, file string, lookup func(string) (string, bool)) ([]string, error) {
	out := make([]string, len(args))
	for i, arg := range args {
		var missing string
		out[i] = indexVariable.ReplaceAllStringFunc(arg, func(ref string) string {
			m := indexVariable.FindStringSubmatch(ref)
			name := m[1] + m[2]
			value, ok := lookup(name)
			if !ok && missing == "" {
				missing = name
			}
			return value
		})
		if missing != "" {
			return nil, IndexVariableError{File: file, Variable: missing, URL: arg}
		}
	}
	return out, nil
}
