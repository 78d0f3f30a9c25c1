package app

import (
	"errors"
	"strings"
	"testing"
)

func TestParseEntryPoint(t *testing.T) {
	tests := []struct {
		in   string
		want EntryPoint
		// canonical is what String gives back.
		canonical string
	}{
		{"server:app", EntryPoint{Module: "server", Attr: "app"}, "server:app"},
		{"pkg.mod:callable", EntryPoint{Module: "pkg.mod", Attr: "callable"}, "pkg.mod:callable"},
		{"  mysite.wsgi:application\n", EntryPoint{Module: "mysite.wsgi", Attr: "application"}, "mysite.wsgi:application"},
		{"server : app", EntryPoint{Module: "server", Attr: "app"}, "server:app"},
		{"server:app.wsgi_app", EntryPoint{Module: "server", Attr: "app.wsgi_app"}, "server:app.wsgi_app"},
		{"_private:_app2", EntryPoint{Module: "_private", Attr: "_app2"}, "_private:_app2"},
		{"café:app", EntryPoint{Module: "café", Attr: "app"}, "café:app"},
		{"flaskr:create_app()", EntryPoint{Module: "flaskr", Attr: "create_app", Call: true}, "flaskr:create_app()"},
		{"flaskr:create_app('production')", EntryPoint{Module: "flaskr", Attr: "create_app", Call: true, Args: "'production'"}, "flaskr:create_app('production')"},
		{"flaskr:create_app(debug=False)", EntryPoint{Module: "flaskr", Attr: "create_app", Call: true, Args: "debug=False"}, "flaskr:create_app(debug=False)"},
		{"flaskr:create_app ( 'x', debug=True )", EntryPoint{Module: "flaskr", Attr: "create_app", Call: true, Args: "'x', debug=True"}, "flaskr:create_app('x', debug=True)"},
		// The first colon separates, so a dict argument's colons are arguments.
		{`app:make_app(config={"db": ("a", [1])})`, EntryPoint{Module: "app", Attr: "make_app", Call: true, Args: `config={"db": ("a", [1])}`}, `app:make_app(config={"db": ("a", [1])})`},
		// Brackets and escaped quotes inside strings do not count.
		{`app:create_app(')', "it\"s (")`, EntryPoint{Module: "app", Attr: "create_app", Call: true, Args: `')', "it\"s ("`}, `app:create_app(')', "it\"s (")`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseEntryPoint(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
			if got.String() != tt.canonical {
				t.Errorf("String() = %q, want %q", got.String(), tt.canonical)
			}
			// The canonical text parses back to the same entry point.
			if again, err := ParseEntryPoint(got.String()); err != nil || again != got {
				t.Errorf("ParseEntryPoint(%q) = %+v, %v", got.String(), again, err)
			}
		})
	}
}

func TestParseEntryPointErrors(t *testing.T) {
	tests := []struct {
		in string
		// why is a fragment of the reason.
		why string
	}{
		{"", "empty"},
		{"   ", "empty"},
		{"server", "no ':'"},
		{"pkg.wsgi.application", "use pkg.wsgi:application"},
		{"wsgi.app", "use wsgi:app"},
		{"pkg.wsgi.create_app('prod')", "use pkg.wsgi:create_app('prod')"},
		{":app", "module before ':' is empty"},
		{"server:", "callable after ':' is empty"},
		{"server:()", "callable after ':' is empty"},
		{"server.py:app", "file name, not a module: use server"},
		{"src/server.py:app", "not a module: use src.server"},
		{"src/server:app", "path, not a module: use dots, src.server"},
		{"my-app:app", `"my-app" is not a Python module name`},
		{"pkg..mod:app", `"pkg..mod" is not a Python module name`},
		{"1server:app", `"1server" is not a Python module name`},
		{"server:app.", `"app." is not a Python attribute name`},
		{"server:1app", `"1app" is not a Python attribute name`},
		{"server:app:other", `"app:other" is not a Python attribute name`},
		{"server:create app()", `"create app" is not a Python attribute name`},
		{"server:create_app(", "does not end with ')'"},
		{"server:create_app()x", "does not end with ')'"},
		{"server:create_app(a))", "unbalanced ')'"},
		{"server:create_app()()", "unbalanced ')'"},
		{"server:create_app(a])", "unbalanced ']'"},
		{"server:create_app((1)", "unclosed bracket (missing ')')"},
		{"server:create_app('x)", "unterminated ' string"},
		{`server:create_app("x\")`, `unterminated " string`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseEntryPoint(tt.in)
			var se EntryPointSyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParseEntryPoint(%q) = %+v, %v; want an EntryPointSyntaxError", tt.in, got, err)
			}
			if se.Value != tt.in || !strings.Contains(se.Why, tt.why) {
				t.Errorf("got %+v, want Value %q and a reason containing %q", se, tt.in, tt.why)
			}
			// Every message shows what a correct value looks like.
			if msg := err.Error(); !strings.Contains(msg, "module:callable, e.g. server:app or flaskr:create_app()") {
				t.Errorf("%q has no example of a correct value", msg)
			}
		})
	}
}

// Only a module's own attribute is loaded by the servers as written.
func TestEntryPointPlain(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"server:app", true},
		{"mysite.wsgi:application", true},
		{"server:app.wsgi_app", false},
		{"flaskr:create_app()", false},
		{"flaskr:holder.make('prod')", false},
	} {
		ep, err := ParseEntryPoint(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := ep.Plain(); got != tt.want {
			t.Errorf("%s: Plain() = %v, want %v", tt.in, got, tt.want)
		}
	}
}
