package pep508

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseRequirement(t *testing.T) {
	tests := []struct {
		in        string
		name      string
		extras    []string
		specifier string
		url       string
		marker    string // normalized
	}{
		{"flask", "flask", nil, "", "", ""},
		{"  flask  ", "flask", nil, "", "", ""},
		{"zope.interface", "zope.interface", nil, "", "", ""},
		{"typing_extensions", "typing_extensions", nil, "", "", ""},
		{"Django-Rest_framework.x", "Django-Rest_framework.x", nil, "", "", ""},
		{"a", "a", nil, "", "", ""},
		{"requests==2.32.3", "requests", nil, "==2.32.3", "", ""},
		{"requests >= 2.0", "requests", nil, ">=2.0", "", ""},
		{`flask[dotenv,async] >=3.0, <4 ; python_version >= "3.9"`,
			"flask", []string{"dotenv", "async"}, ">=3.0,<4", "", `python_version >= "3.9"`},
		{"flask[ dotenv ]", "flask", []string{"dotenv"}, "", "", ""},
		{"flask[]", "flask", nil, "", "", ""},
		{"requests[Socks]>=2;extra=='Socks'", "requests", []string{"Socks"}, ">=2", "", `extra == "socks"`},
		{"name (>=1.0, <2)", "name", nil, ">=1.0,<2", "", ""},
		{"name(>=1.0)  ;  os_name == 'posix'", "name", nil, ">=1.0", "", `os_name == "posix"`},
		{"django ~= 4.2.0", "django", nil, "~=4.2.0", "", ""},
		{"django == 4.2.*", "django", nil, "==4.2.*", "", ""},
		{"torch == 2.3.0+cpu", "torch", nil, "==2.3.0+cpu", "", ""},
		{"legacy === 1.0-weird_build", "legacy", nil, "===1.0-weird_build", "", ""},
		{"epoch >= 1!2.0", "epoch", nil, ">=1!2.0", "", ""},
		{"pre >= 1.0rc1, != 1.0.post1, < 2.0.dev0", "pre", nil, ">=1.0rc1,!=1.0.post1,<2.0.dev0", "", ""},
		{"name @ https://x/y.whl", "name", nil, "", "https://x/y.whl", ""},
		{"name@ file:///a/b", "name", nil, "", "file:///a/b", ""},
		{"name@https://x/y.whl#sha256=abc", "name", nil, "", "https://x/y.whl#sha256=abc", ""},
		{"name[x] @ git+https://github.com/o/r.git@v1.0 ; sys_platform == 'linux'",
			"name", []string{"x"}, "", "git+https://github.com/o/r.git@v1.0", `sys_platform == "linux"`},
		{"name @ https://x/y.whl ;python_version<'3.11'", "name", nil, "", "https://x/y.whl", `python_version < "3.11"`},
		{"pywin32; sys_platform == 'win32'", "pywin32", nil, "", "", `sys_platform == "win32"`},
		{"colorama ; platform_system == \"Windows\" or sys_platform == \"win32\"",
			"colorama", nil, "", "", `platform_system == "Windows" or sys_platform == "win32"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := ParseRequirement(tt.in)
			if err != nil {
				t.Fatalf("ParseRequirement(%q) error: %v", tt.in, err)
			}
			if r.Name != tt.name || !reflect.DeepEqual(r.Extras, tt.extras) || r.Specifier != tt.specifier ||
				r.URL != tt.url || r.Marker.String() != tt.marker {
				t.Errorf("ParseRequirement(%q) = {%q %q %q %q %q}, want {%q %q %q %q %q}", tt.in,
					r.Name, r.Extras, r.Specifier, r.URL, r.Marker.String(),
					tt.name, tt.extras, tt.specifier, tt.url, tt.marker)
			}
		})
	}
}

func TestParseRequirementMarkerEvaluates(t *testing.T) {
	r, err := ParseRequirement(`exceptiongroup >=1.0 ; python_version < "3.11"`)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := r.Marker.Evaluate(Target("3.10.14", "amd64")); !ok || err != nil {
		t.Errorf("on 3.10: %v, %v; want true", ok, err)
	}
	if ok, err := r.Marker.Evaluate(linux313); ok || err != nil {
		t.Errorf("on 3.13: %v, %v; want false", ok, err)
	}
}

func TestParseRequirementErrors(t *testing.T) {
	tests := []struct {
		in  string
		pos int
		msg string
	}{
		{"", 0, "expected a package name"},
		{"   ", 3, "expected a package name"},
		{">=1.0", 0, "expected a package name"},
		{"-flask", 0, `"-flask" is not a valid name`},
		{"flask- >=1", 0, `"flask-" is not a valid name`},
		{"flask[dotenv", 12, `expected "," or "]" after extra "dotenv"`},
		{"flask[dotenv,]", 13, "expected an extra name"},
		{"flask[dot env]", 10, `expected "," or "]" after extra "dot"`},
		{"flask >=", 8, `expected a version after ">="`},
		{"flask >= 1.0,", 13, "expected a version operator"},
		{"flask => 1.0", 6, "expected a version operator"},
		{"flask >=1.0 <2", 12, `expected ",", ";" or the end after the version specifier`},
		{"flask >= 1.0.*", 6, `invalid version specifier ">=1.0.*"`},
		{"flask ~= 1", 6, `invalid version specifier "~=1"`},
		{"flask == one", 6, `invalid version specifier "==one"`},
		{"flask (>=1.0", 12, `expected "," or ")" in the version specifier`},
		{"flask 1.0", 6, `expected a version specifier, "@", ";" or the end`},
		{"flask ;", 6, `expected a marker after ";"`},
		{"flask ; python_version >=", 25, "expected a marker variable or a quoted string"},
		{"flask ; platform == 'x'", 8, `unknown marker variable "platform"`},
		{"name @", 6, `expected a URL after "@"`},
		{"name @ https://x/y.whl; python_version < '3'", 24, `expected the end or ";" (after the URL and whitespace)`},
		{"name @ https://x/y.whl extra", 23, `expected the end or ";" (after the URL and whitespace)`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := ParseRequirement(tt.in)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParseRequirement(%q) = %+v, %v; want a *SyntaxError", tt.in, r, err)
			}
			if se.Pos != tt.pos || !strings.HasPrefix(se.Msg, tt.msg) || se.Input != tt.in {
				t.Errorf("ParseRequirement(%q) error = %+v, want Pos %d, Msg starting %q", tt.in, *se, tt.pos, tt.msg)
			}
		})
	}
}

func TestNormalizeName(t *testing.T) {
	tests := map[string]string{
		"Flask":             "flask",
		"typing_extensions": "typing-extensions",
		"zope.interface":    "zope-interface",
		"Foo__Bar-._baz":    "foo-bar-baz",
		"a":                 "a",
		"":                  "",
		"trailing-":         "trailing-",
	}
	for in, want := range tests {
		if got := NormalizeName(in); got != want {
			t.Errorf("NormalizeName(%q) = %q, want %q", in, got, want)
		}
	}
}
