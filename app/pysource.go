package app

import (
	"os"
	"regexp"
	"slices"
	"strings"
)

// ModuleShape is what a Python module's source says about how it runs,
// read without running it: whether it binds an application, and what it
// starts when imported or run as a script. It decides, before anything is
// installed, whether app.py is served by the production server (the start
// command Heroku, Render and Cloud Run users write: `gunicorn app:app`) or
// run as `python app.py`; the build's import of the module has the last word.
type ModuleShape struct {
	// DefinesApp: a top-level binding of app or application, or a
	// create_app/make_app factory (defined or imported).
	DefinesApp bool
	// ProductionServer is the production server the __main__ block starts
	// (uvicorn.run, waitress.serve, ...), "" when none.
	ProductionServer string
	// DevServer is the development server the __main__ block starts
	// (app.run, a reloading uvicorn.run, run_simple, ...), "" when none.
	DevServer string
	// RunsAtImport is a top-level statement that starts something when the
	// module is merely imported (app.run() outside the __main__ guard, a
	// while loop), "" when none: such a module can only run as a script.
	RunsAtImport string
}

// productionServers are the modules whose servers are fit for production
// traffic: a __main__ block that starts one is the app's own start command.
var productionServers = []string{"uvicorn", "hypercorn", "waitress", "gunicorn", "daphne", "granian",
	"bjoern", "cheroot", "cherrypy", "gevent", "eventlet", "meinheld", "tornado", "aiohttp", "twisted"}

// starters are the calls that, as a top-level statement, start a server or a
// loop when the module is imported.
var starters = []string{"run", "serve", "serve_forever", "run_app", "run_simple", "run_server",
	"run_forever", "run_until_complete", "main", "start", "polling", "infinity_polling"}

var (
	importLine     = regexp.MustCompile(`^\s*import\s+(.+)$`)
	fromImportLine = regexp.MustCompile(`^\s*from\s+([\w.]+)\s+import\s+\(?([^)]*)\)?`)
	appBinding     = regexp.MustCompile(`^(app|application)\s*(:[^=]+)?=[^=]`)
	factoryDef     = regexp.MustCompile(`^(async\s+)?def\s+(create_app|make_app)\s*\(`)
	appImport      = regexp.MustCompile(`^from\s+\S+\s+import\s+.*\b(app|application|create_app|make_app)\b`)
	mainGuard      = regexp.MustCompile(`^if\s+(__name__\s*==\s*['"]__main__['"]|['"]__main__['"]\s*==\s*__name__)\s*:`)
	callStatement  = regexp.MustCompile(`^(?:await\s+)?([A-Za-z_][\w.]*)\s*\(`)
	nameUse        = regexp.MustCompile(`\b([A-Za-z_]\w*)\s*[.(]`)
	reloadOn       = regexp.MustCompile(`\breload\s*=\s*True\b`)
)

// ReadModuleShape reads the module at path.
func ReadModuleShape(path string) (ModuleShape, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return ModuleShape{}, err
	}
	return ParseModuleShape(string(src)), nil
}

// ParseModuleShape reads Python source by its lines: top-level statements
// (column 0, outside strings and brackets), the imports anywhere, and the
// body of the `if __name__ == "__main__":` block. It does not parse Python;
// it only has to tell the shapes real apps have apart.
func ParseModuleShape(src string) ModuleShape {
	var shape ModuleShape
	imports := map[string]string{} // bound name -> the top-level module it comes from
	var main []string
	inMain := false
	for _, st := range statements(src) {
		for name, module := range importsOf(st.text) {
			imports[name] = module
		}
		if !st.topLevel {
			if inMain {
				main = append(main, st.text)
			}
			continue
		}
		inMain = mainGuard.MatchString(st.text)
		switch {
		case inMain:
			if _, body, ok := strings.Cut(st.text, ":"); ok && strings.TrimSpace(body) != "" {
				main = append(main, body) // if __name__ == "__main__": app.run()
			}
		case appBinding.MatchString(st.text), factoryDef.MatchString(st.text), appImport.MatchString(st.text):
			shape.DefinesApp = true
		case strings.HasPrefix(st.text, "while "):
			shape.RunsAtImport = brief(st.text)
		default:
			if m := callStatement.FindStringSubmatch(st.text); m != nil && slices.Contains(starters, lastName(m[1])) {
				shape.RunsAtImport = brief(st.text)
			}
		}
	}
	body := strings.Join(main, "\n")
	for _, m := range nameUse.FindAllStringSubmatch(body, -1) {
		module := imports[m[1]]
		if !slices.Contains(productionServers, module) {
			continue
		}
		call := callAt(body, m[1])
		if module == "uvicorn" && reloadOn.MatchString(body) {
			shape.DevServer = call + " with reload=True"
			continue
		}
		shape.ProductionServer = call
		break
	}
	if shape.ProductionServer == "" && shape.DevServer == "" {
		for _, line := range main {
			if m := callStatement.FindStringSubmatch(strings.TrimSpace(line)); m != nil && slices.Contains(starters, lastName(m[1])) {
				shape.DevServer = m[1] + "()"
				break
			}
		}
	}
	return shape
}

// statement is one logical line of source: its text with continuation
// lines joined, and whether it starts in column 0.
type statement struct {
	text     string
	topLevel bool
}

// statements splits source into logical lines, skipping comments, blank
// lines and the insides of triple-quoted strings, and joining the lines of
// a bracketed expression that spans several.
func statements(src string) []statement {
	var out []statement
	var cur strings.Builder
	depth, top := 0, false
	triple := ""
	for _, line := range strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n") {
		if triple != "" { // inside a docstring or other triple-quoted string
			if i := strings.Index(line, triple); i >= 0 {
				triple, line = "", line[i+3:]
				if depth == 0 && cur.Len() == 0 {
					continue
				}
			} else {
				continue
			}
		}
		code, opens := stripLine(line)
		if opens != "" {
			triple = opens
		}
		if depth == 0 && cur.Len() == 0 {
			if strings.TrimSpace(code) == "" {
				continue
			}
			top = code[0] != ' ' && code[0] != '\t'
		}
		cur.WriteString(strings.TrimSpace(code))
		cur.WriteString(" ")
		depth += strings.Count(code, "(") + strings.Count(code, "[") + strings.Count(code, "{") -
			strings.Count(code, ")") - strings.Count(code, "]") - strings.Count(code, "}")
		if depth <= 0 && !strings.HasSuffix(strings.TrimSpace(code), "\\") && triple == "" {
			out = append(out, statement{text: strings.TrimSpace(cur.String()), topLevel: top})
			cur.Reset()
			depth = 0
		}
	}
	if cur.Len() > 0 {
		out = append(out, statement{text: strings.TrimSpace(cur.String()), topLevel: top})
	}
	return out
}

// stripLine removes a line's comment and neutralizes its string literals
// (brackets and '#' inside them do not count), and reports a triple-quoted
// string the line opens and does not close.
func stripLine(line string) (code, opensTriple string) {
	var b strings.Builder
	literal := strings.NewReplacer("(", "_", ")", "_", "[", "_", "]", "_", "{", "_", "}", "_", "#", "_", "\\", "_")
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '#':
			return b.String(), ""
		case c == '"' || c == '\'':
			q := string(c)
			if strings.HasPrefix(line[i:], q+q+q) {
				end := strings.Index(line[i+3:], q+q+q)
				if end < 0 {
					b.WriteString(q + q)
					return b.String(), q + q + q
				}
				b.WriteString(q + literal.Replace(line[i+3:i+3+end]) + q)
				i += 3 + end + 2
				continue
			}
			j := i + 1
			for j < len(line) && line[j] != c {
				if line[j] == '\\' {
					j++
				}
				j++
			}
			b.WriteString(q + literal.Replace(line[i+1:min(j, len(line))]) + q)
			i = j
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), ""
}

// importsOf maps the names an import statement binds to the top-level
// module they come from: `import uvicorn` binds uvicorn, `from waitress
// import serve as s` binds s, both to their module.
func importsOf(text string) map[string]string {
	out := map[string]string{}
	if m := fromImportLine.FindStringSubmatch(text); m != nil {
		root, _, _ := strings.Cut(m[1], ".")
		for _, part := range strings.Split(m[2], ",") {
			if f := strings.Fields(part); len(f) > 0 {
				out[f[len(f)-1]] = root
			}
		}
		return out
	}
	if m := importLine.FindStringSubmatch(text); m != nil {
		for _, part := range strings.Split(m[1], ",") {
			f := strings.Fields(part)
			if len(f) == 0 {
				continue
			}
			root, _, _ := strings.Cut(f[0], ".")
			out[f[len(f)-1]] = root
			if len(f) == 1 {
				out[root] = root
			}
		}
	}
	return out
}

// callAt is the dotted name starting at name's first use in body, as the
// log shows it: uvicorn.run, serve.
func callAt(body, name string) string {
	i := regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\b`).FindStringIndex(body)
	if i == nil {
		return name
	}
	m := regexp.MustCompile(`^[\w.]+`).FindString(body[i[0]:])
	return strings.TrimSuffix(m, ".")
}

func lastName(dotted string) string {
	return dotted[strings.LastIndex(dotted, ".")+1:]
}

// brief is a statement as the log quotes it.
func brief(s string) string {
	if len(s) > 72 {
		return s[:69] + "..."
	}
	return s
}
