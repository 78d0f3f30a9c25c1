package pep508

import (
	"errors"
	"strings"
	"testing"
)

// linux313 is a typical run image: CPython 3.13.5 on x86_64 Linux.
var linux313 = Target("3.13.5", "amd64")

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name   string
		marker string
		env    Environment
		want   bool
	}{
		// The empty marker.
		{"empty", "", linux313, true},
		{"blank", "  ", linux313, true},

		// Ordering values that are not versions compares strings, as
		// packaging does, instead of failing the build.
		{"ordering strings", `sys_platform < "win32"`, linux313, true},
		{"ordering an empty release", `platform_release >= "20.0"`, linux313, false},
		{"wildcard with an ordering operator is a string order", `python_version >= "3.*"`, linux313, true},
		{"string order inside and", `os_name == "posix" and sys_platform > "a"`, linux313, true},

		// Platform markers as lock files write them.
		{"uv sys_platform win32", "sys_platform == 'win32'", linux313, false},
		{"sys_platform not win32", "sys_platform != 'win32'", linux313, true},
		{"sys_platform linux", `sys_platform == "linux"`, linux313, true},
		{"platform_system Windows", `platform_system == "Windows"`, linux313, false},
		{"platform_system Linux", `platform_system == "Linux"`, linux313, true},
		{"os_name nt", `os_name == "nt"`, linux313, false},
		{"os_name posix", `os_name == "posix"`, linux313, true},
		{"platform_machine amd64", `platform_machine == "x86_64"`, linux313, true},
		{"platform_machine arm64", `platform_machine == "aarch64"`, Target("3.13.5", "arm64"), true},
		{"platform_machine in list", `platform_machine in "x86_64 AMD64"`, linux313, true},
		{"platform_machine not in list", `platform_machine not in "arm64 aarch64"`, linux313, true},
		{"implementation pypy", "implementation_name == 'pypy'", linux313, false},
		{"implementation cpython", "implementation_name == 'cpython'", linux313, true},
		{"platform_python_implementation", `platform_python_implementation == "CPython"`, linux313, true},
		{"platform_python_implementation not PyPy", `platform_python_implementation != "PyPy"`, linux313, true},
		{"substring in", `"linux" in sys_platform`, linux313, true},
		{"substring not in", `"win" not in sys_platform`, linux313, true},

		// PEP 440 version comparisons.
		{"python_version < 3.11", `python_version < "3.11"`, linux313, false},
		{"python_version < 3.11 on 3.10", `python_version < "3.11"`, Target("3.10.14", "amd64"), true},
		{"3.13 > 3.10, not as strings", `python_version > '3.10'`, linux313, true},
		{"3.9 < 3.10, not as strings", `python_version < '3.10'`, Target("3.9.18", "amd64"), true},
		{"python_version >= 3.8 no spaces", `python_version>='3.8'`, linux313, true},
		{"python_full_version >= 3.8.1", `python_full_version >= '3.8.1'`, linux313, true},
		{"python_full_version == 3.13.5", `python_full_version == "3.13.5"`, linux313, true},
		{"python_full_version != 3.13.5", `python_full_version != "3.13.5"`, linux313, false},
		{"3.13 equals 3.13.0 as versions", `python_version == "3.13.0"`, linux313, true},
		{"wildcard 3.*", `python_version == '3.*'`, linux313, true},
		{"wildcard 2.*", `python_version == '2.*'`, linux313, false},
		{"wildcard 3.13.*", `python_full_version == '3.13.*'`, linux313, true},
		{"wildcard not equal", `python_full_version != '3.12.*'`, linux313, true},
		{"compatible release", `python_version ~= "3.10"`, linux313, true},
		{"compatible release false", `python_full_version ~= "3.12.1"`, linux313, false},
		{"arbitrary equality", `python_full_version === "3.13.5"`, linux313, true},
		{"arbitrary equality is not PEP 440", `python_version === "3.13.0"`, linux313, false},
		{"value on the left", `'3.8' <= python_version`, linux313, true},
		{"value on the left, false", `"3.14" <= python_version`, linux313, false},
		{"value on the left, greater", `"3.14" > python_version`, linux313, true},
		{"prerelease python below its final", `python_full_version < "3.14"`, Target("3.14.0rc1", "amd64"), false},
		{"prerelease python_version", `python_version >= "3.14"`, Target("3.14.0rc1", "amd64"), true},
		{"implementation_version", `implementation_version >= "3.13"`, linux313, true},
		{"uv range", `python_full_version >= '3.9' and python_full_version < '3.13'`, linux313, false},
		{"uv range in", `python_full_version >= '3.9' and python_full_version < '3.14'`, linux313, true},
		{"string equality fallback on a non-version", `platform_release == "5.10.0-amd64"`, linux313, false},

		// Extras (PEP 685 normalization) and PEP 751 sets.
		{"extra without extras", `extra == "dev"`, linux313, false},
		{"extra not requested", `extra != "dev"`, linux313, true},
		{"extra requested", `extra == "dev"`, linux313.WithExtras("dev"), true},
		{"extra normalized", `extra == 'Socks'`, linux313.WithExtras("socks"), true},
		{"extra normalized in the environment", `extra == "socks"`, linux313.WithExtras("SOCKS"), true},
		{"extra runs of separators", `extra == "typing_extensions"`, linux313.WithExtras("Typing.Extensions"), true},
		{"extra on the right", `"dev" == extra`, linux313.WithExtras("dev"), true},
		{"extra among several", `extra == "b"`, linux313.WithExtras("a", "b"), true},
		{"extra != with it requested", `extra != "b"`, linux313.WithExtras("a", "b"), false},
		{"poetry extras or", `extra == "socks" or extra == "http2"`, linux313.WithExtras("http2"), true},
		{"extras set", `'async' in extras`, linux313.WithExtras("async"), true},
		{"extras set missing", `'async' in extras`, linux313, false},
		{"extras not in", `'async' not in extras`, linux313, true},
		{"dependency group", `'dev' in dependency_groups`, linux313.WithGroups("dev"), true},
		{"dependency group missing", `'dev' in dependency_groups`, linux313.WithGroups("test"), false},
		{"dependency group normalized", `'Lint_Tools' in dependency_groups`, linux313.WithGroups("lint-tools"), true},
		{"pylock default group", `'default' in dependency_groups or 'dev' in extras`, linux313.WithGroups("default"), true},

		// Precedence and grouping.
		{"and binds tighter than or", `sys_platform == "win32" and python_version < "3.8" or os_name == "posix"`, linux313, true},
		{"and binds tighter than or, reversed", `os_name == "posix" or sys_platform == "win32" and python_version < "3.8"`, linux313, true},
		{"parentheses override", `sys_platform == "linux" and (python_version < "3.8" or os_name == "nt")`, linux313, false},
		{"parentheses override 2", `(sys_platform == "win32" or sys_platform == "linux") and python_version >= "3.9"`, linux313, true},
		{"nested parentheses", `((sys_platform == "linux") and ((python_version >= "3.9")))`, linux313, true},
		{"or of false", `sys_platform == "win32" or sys_platform == "darwin"`, linux313, false},
		{"keywords without spaces", `python_version>="3"and(os_name=="posix")or'x'in extras`, linux313, true},

		// Short-circuiting: an undecidable comparison that does not matter.
		{"short-circuit and", `sys_platform == "darwin" and platform_release >= "20.0"`, linux313, false},
		{"short-circuit or", `sys_platform == "linux" or platform_release >= "20.0"`, linux313, true},

		// Legacy (PEP 345) names.
		{"os.name", `os.name == "posix"`, linux313, true},
		{"sys.platform", `sys.platform == "linux"`, linux313, true},
		{"platform.machine", `platform.machine == "x86_64"`, linux313, true},
		{"platform.python_implementation", `platform.python_implementation == "CPython"`, linux313, true},
		{"python_implementation", `python_implementation == "PyPy"`, linux313, false},
		{"platform.version", `platform.version == ""`, linux313, true},

		// Real-world markers.
		{"colorama", `sys_platform == "win32" or platform_system == "Windows"`, linux313, false},
		{"exceptiongroup", `python_version < "3.11"`, linux313, false},
		{"greenlet", `python_version < "3.14" and (platform_machine == "aarch64" or (platform_machine == "ppc64le" or (platform_machine == "x86_64" or (platform_machine == "amd64" or (platform_machine == "AMD64" or (platform_machine == "win32" or platform_machine == "WIN32"))))))`, linux313, true},
		{"uvloop", `platform_python_implementation != "PyPy" and sys_platform != "win32" and sys_platform != "cygwin"`, linux313, true},
		{"pipfile.lock", `python_version >= '3.7' and python_full_version not in '3.0.0, 3.0.1, 3.0.2'`, linux313, true},
		{"pywin32", `platform_system == "Windows" and platform_python_implementation != "PyPy"`, linux313, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Evaluate(tt.marker, tt.env)
			if err != nil {
				t.Fatalf("Evaluate(%q) error: %v", tt.marker, err)
			}
			if got != tt.want {
				t.Errorf("Evaluate(%q) = %v, want %v", tt.marker, got, tt.want)
			}
		})
	}
}

func TestParseMarkerErrors(t *testing.T) {
	tests := []struct {
		marker string
		pos    int
		msg    string
	}{
		{`python_version >= `, 18, "expected a marker variable or a quoted string"},
		{`python_version`, 14, "expected a comparison operator"},
		{`python_version = "3.8"`, 15, `unexpected character '='`},
		{`python_version >= 3.8`, 18, `unknown marker variable "3.8"`},
		{`foo == "bar"`, 0, `unknown marker variable "foo"`},
		{`python_version >= "3.8" and foo == "x"`, 28, `unknown marker variable "foo"`},
		{`"a" == "b"`, 7, "expected a marker variable"},
		{`python_version == python_full_version`, 18, "expected a quoted string"},
		{`python_version >= "3.8`, 18, "unterminated string"},
		{`python_version >= '3.8"`, 18, "unterminated string"},
		{`(python_version >= "3.8"`, 24, `expected ")"`},
		{`python_version >= "3.8")`, 23, `expected "and", "or" or the end of the marker`},
		{`()`, 1, "expected a marker variable or a quoted string"},
		{`python_version >= "3.8" and`, 27, "expected a marker variable or a quoted string"},
		{`and python_version >= "3.8"`, 0, "expected a marker variable or a quoted string"},
		{`python_version >= "3.8" python_version < "4"`, 24, `expected "and", "or" or the end of the marker`},
		{`"x" not extras`, 4, `expected "in" after "not"`},
		{`python_version >= "3.8" && os_name == "nt"`, 24, `unexpected character '&'`},
		{`python_version ≥ "3.8"`, 15, `unexpected character '≥'`},
		{`extras == "dev"`, 7, `extras is a set`},
		{`dependency_groups in "dev"`, 18, `dependency_groups is a set`},
		{`extra >= "dev"`, 6, `extra can only be compared with "==" or "!="`},
		{`"dev" in extra`, 6, `extra can only be compared with "==" or "!="`},
	}
	for _, tt := range tests {
		t.Run(tt.marker, func(t *testing.T) {
			_, err := ParseMarker(tt.marker)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParseMarker(%q) error = %v, want a *SyntaxError", tt.marker, err)
			}
			if se.Pos != tt.pos || !strings.HasPrefix(se.Msg, tt.msg) || se.Input != tt.marker {
				t.Errorf("ParseMarker(%q) error = %+v, want Pos %d, Msg starting %q", tt.marker, *se, tt.pos, tt.msg)
			}
			// Evaluate reports the same error.
			if _, err := Evaluate(tt.marker, linux313); !errors.As(err, &se) {
				t.Errorf("Evaluate(%q) error = %v, want a *SyntaxError", tt.marker, err)
			}
		})
	}
}

func TestSyntaxErrorMessage(t *testing.T) {
	_, err := ParseMarker(`os_name == "nt" or "3.8" < "3.9"`)
	want := `expected a marker variable at position 27 in "os_name == \"nt\" or \"3.8\" < \"3.9\""`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func TestEvaluateErrors(t *testing.T) {
	tests := []struct {
		name   string
		marker string
		env    Environment
		want   string
	}{
		{"compatible release on strings", `os_name ~= "posix"`, linux313, `undefined comparison "posix" ~= "posix"`},
		{"missing variable", `python_version >= "3.8"`, Environment{}, "marker variable python_version is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Evaluate(tt.marker, tt.env)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Evaluate(%q) = %v, %v; want an error containing %q", tt.marker, got, err, tt.want)
			}
			var se *SyntaxError
			if errors.As(err, &se) {
				t.Errorf("Evaluate(%q) error is a *SyntaxError, want an evaluation error", tt.marker)
			}
		})
	}
}

func TestMarkerString(t *testing.T) {
	tests := []struct {
		marker string
		want   string
	}{
		{"", ""},
		{"python_version>='3.8'", `python_version >= "3.8"`},
		{"python_version  >=  '3.8'\tand\tpython_version<'4'", `python_version >= "3.8" and python_version < "4"`},
		{"'3.8' <= python_version", `"3.8" <= python_version`},
		{"extra == 'Socks'", `extra == "socks"`},
		{"'Dev_Tools' in dependency_groups", `"dev-tools" in dependency_groups`},
		{"os.name == 'posix'", `os_name == "posix"`},
		{"python_implementation=='CPython'", `platform_python_implementation == "CPython"`},
		{`platform_version == 'say "hi"'`, `platform_version == 'say "hi"'`},
		{`"x" not   in sys_platform`, `"x" not in sys_platform`},
		{`(os_name == "nt" and python_version < "3.9") or sys_platform == "win32"`,
			`os_name == "nt" and python_version < "3.9" or sys_platform == "win32"`},
		{`os_name == "nt" and (python_version < "3.9" or sys_platform == "win32")`,
			`os_name == "nt" and (python_version < "3.9" or sys_platform == "win32")`},
		{`os_name == "nt" or (sys_platform == "win32" or (platform_machine == "x86_64"))`,
			`os_name == "nt" or sys_platform == "win32" or platform_machine == "x86_64"`},
	}
	for _, tt := range tests {
		t.Run(tt.marker, func(t *testing.T) {
			m, err := ParseMarker(tt.marker)
			if err != nil {
				t.Fatalf("ParseMarker(%q) error: %v", tt.marker, err)
			}
			if got := m.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			// The normalized text parses back to itself.
			again, err := ParseMarker(m.String())
			if err != nil || again.String() != tt.want {
				t.Errorf("reparsed %q = %q, %v", m.String(), again, err)
			}
		})
	}
}

func TestMarkerIsEmpty(t *testing.T) {
	var zero Marker
	if !zero.IsEmpty() || zero.String() != "" {
		t.Errorf("zero Marker: IsEmpty %v, String %q", zero.IsEmpty(), zero.String())
	}
	if ok, err := zero.Evaluate(Environment{}); !ok || err != nil {
		t.Errorf("zero Marker Evaluate = %v, %v; want true", ok, err)
	}
	m, err := ParseMarker(`os_name == "posix"`)
	if err != nil || m.IsEmpty() {
		t.Errorf("ParseMarker: IsEmpty %v, error %v", m.IsEmpty(), err)
	}
}

func TestTarget(t *testing.T) {
	env := Target("3.13.5", "amd64")
	want := map[string]string{
		"python_version":                 "3.13",
		"python_full_version":            "3.13.5",
		"os_name":                        "posix",
		"sys_platform":                   "linux",
		"platform_system":                "Linux",
		"platform_machine":               "x86_64",
		"platform_release":               "",
		"platform_version":               "",
		"implementation_name":            "cpython",
		"implementation_version":         "3.13.5",
		"platform_python_implementation": "CPython",
	}
	if len(env.Values) != len(want) {
		t.Errorf("Target has %d values, want %d: %v", len(env.Values), len(want), env.Values)
	}
	for k, v := range want {
		if got, ok := env.Values[k]; !ok || got != v {
			t.Errorf("Values[%q] = %q, want %q", k, got, v)
		}
	}
	for _, tt := range []struct{ full, goarch, version, machine string }{
		{"3.12.4", "arm64", "3.12", "aarch64"},
		{"3.14.0rc1", "amd64", "3.14", "x86_64"},
		{"3.10", "ppc64le", "3.10", "ppc64le"},
		{"3.11.9", "mips", "3.11", "mips"},
	} {
		e := Target(tt.full, tt.goarch)
		if e.Values["python_version"] != tt.version || e.Values["platform_machine"] != tt.machine {
			t.Errorf("Target(%q, %q): python_version %q, platform_machine %q; want %q, %q",
				tt.full, tt.goarch, e.Values["python_version"], e.Values["platform_machine"], tt.version, tt.machine)
		}
	}
}

func TestWithExtrasAndGroupsCopy(t *testing.T) {
	base := Target("3.13.5", "amd64").WithExtras("a")
	withB := base.WithExtras("b")
	withDev := base.WithGroups("dev")
	withB.Values["os_name"] = "nt"

	if len(base.Extras) != 1 || len(withB.Extras) != 2 || withB.Extras[1] != "b" {
		t.Errorf("extras: base %v, withB %v", base.Extras, withB.Extras)
	}
	if len(base.Groups) != 0 || len(withDev.Groups) != 1 || len(withDev.Extras) != 1 {
		t.Errorf("groups: base %v, withDev %v (extras %v)", base.Groups, withDev.Groups, withDev.Extras)
	}
	if base.Values["os_name"] != "posix" {
		t.Errorf("changing a copy's Values changed the base: %q", base.Values["os_name"])
	}
}

// FuzzParseMarker checks that no input panics and that every marker that
// parses prints to text that parses back the same.
func FuzzParseMarker(f *testing.F) {
	for _, s := range []string{
		`python_version >= "3.8" and (sys_platform == "win32" or extra == "x")`,
		`'3.8' <= python_version or 'dev' in dependency_groups`,
		`python_full_version ~= '3.12.1' and platform_release >= "1!2.0.post1"`,
		`python_version == "3.*" and implementation_version === "x"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMarker(s)
		if err != nil {
			return
		}
		_, _ = m.Evaluate(linux313.WithExtras("x").WithGroups("dev"))
		again, err := ParseMarker(m.String())
		if err != nil || again.String() != m.String() {
			t.Errorf("%q printed as %q, which reparses as %q, %v", s, m.String(), again.String(), err)
		}
	})
}

func TestMajorMinor(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"3.13.5", "3.13", true},
		{"3.14.0rc1", "3.14", true},
		{"3.14rc1", "3.14", true},
		{"3.13", "3.13", true},
		{"3.13+local", "3.13", true},
		{"3.10.14", "3.10", true},
		{"3", "", false},
		{"3.x", "", false},
		{"1!3.14", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got, ok := MajorMinor(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("MajorMinor(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	if got := Target("3.14rc1", "amd64").Values["python_version"]; got != "3.14" {
		t.Errorf("python_version of 3.14rc1 = %q, want 3.14", got)
	}
}
