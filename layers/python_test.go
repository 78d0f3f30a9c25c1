package layers

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRewriteBuildConfig(t *testing.T) {
	const home = "/layers/warpdrive/python"
	tests := []struct {
		name, in, want string
	}{
		{"sysconfigdata prefix", `'prefix': '/install',`, `'prefix': '/layers/warpdrive/python',`},
		{"sysconfigdata libdir", `'LIBDIR': '/install/lib',`, `'LIBDIR': '/layers/warpdrive/python/lib',`},
		{"flags with several paths", `'LDFLAGS': '-L/install/lib -Wl,-rpath,/install/lib'`, `'LDFLAGS': '-L/layers/warpdrive/python/lib -Wl,-rpath,/layers/warpdrive/python/lib'`},
		{"adjacent occurrences", `'X': '/install /install'`, `'X': '/layers/warpdrive/python /layers/warpdrive/python'`},
		{"Makefile assignment", "prefix=\t\t/install\nexec_prefix=\t${prefix}\n", "prefix=\t\t/layers/warpdrive/python\nexec_prefix=\t${prefix}\n"},
		{"config script", `prefix_real=$(installed_prefix "$0")` + "\nprefix_build=\"/install\"\n", `prefix_real=$(installed_prefix "$0")` + "\nprefix_build=\"/layers/warpdrive/python\"\n"},
		{"a longer path is left alone", `'X': '/usr/install/lib /installer'`, `'X': '/usr/install/lib /installer'`},
		{"clang becomes cc", `'CC': 'clang -pthread', 'LDSHARED': 'clang -shared'`, `'CC': 'cc -pthread', 'LDSHARED': 'cc -shared'`},
		{"clang++ becomes c++", `'CXX': 'clang++ -pthread'`, `'CXX': 'c++ -pthread'`},
		{"Makefile compiler", "CC=\t\tclang -pthread\n", "CC=\t\tcc -pthread\n"},
		{"clang inside a word is kept", `'X': '-fclang-abi-compat=17 libclang'`, `'X': '-fclang-abi-compat=17 libclang'`},
		{"toolchain archiver", `'AR': '/tools/clang-linux64/bin/llvm-ar'`, `'AR': 'ar'`},
		{"gcc build unchanged but for prefix", `'CC': 'gcc -pthread', 'prefix': '/install'`, `'CC': 'gcc -pthread', 'prefix': '/layers/warpdrive/python'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RewriteBuildConfig(tt.in, BuildPrefix, home); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestRelocateRuntimeRewritesTheBuildFiles(t *testing.T) {
	home := t.TempDir()
	files := map[string]string{
		"lib/python3.13/_sysconfigdata__linux_x86_64-linux-gnu.py": "build_time_vars = {'LIBDIR': '/install/lib', 'CC': 'clang -pthread'}\n",
		"lib/python3.13/config-3.13-x86_64-linux-gnu/Makefile":     "prefix=\t\t/install\n",
		"bin/python3.13-config":                                    "prefix_build=\"/install\"\n",
		"lib/pkgconfig/python-3.13.pc":                             "prefix=/install\n",
		"lib/python3.13/os.py":                                     "# /install is not touched here\n",
	}
	for rel, content := range files {
		p := filepath.Join(home, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	changed, err := RelocateRuntime(home)
	if err != nil {
		t.Fatal(err)
	}
	if len(changed) != 4 {
		t.Errorf("changed %v, want the 4 build-configuration files", changed)
	}
	got, _ := os.ReadFile(filepath.Join(home, "lib/python3.13/_sysconfigdata__linux_x86_64-linux-gnu.py"))
	want := "build_time_vars = {'LIBDIR': '" + home + "/lib', 'CC': 'cc -pthread'}\n"
	if string(got) != want {
		t.Errorf("sysconfigdata = %q, want %q", got, want)
	}
	untouched, _ := os.ReadFile(filepath.Join(home, "lib/python3.13/os.py"))
	if string(untouched) != files["lib/python3.13/os.py"] {
		t.Error("a stdlib file was rewritten")
	}
}

func TestBundledPipVersion(t *testing.T) {
	home := t.TempDir()
	dir := filepath.Join(home, "lib/python3.13/ensurepip/_bundled")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "pip-25.1.1-py3-none-any.whl"), nil, 0o644)
	if v, err := BundledPipVersion(home); err != nil || v != "25.1.1" {
		t.Errorf("BundledPipVersion() = %q, %v", v, err)
	}
	if _, err := BundledPipVersion(t.TempDir()); err == nil {
		t.Error("a runtime without pip must be an error")
	}
}

// The runtime's lib/pythonX.Y directory is named by the minor version, also
// for a pre-release written without its micro number.
func TestRuntimeMinorVersion(t *testing.T) {
	tests := map[string]string{"3.13.5": "3.13", "3.14.0rc1": "3.14", "3.14rc1": "3.14", "3": "3"}
	for in, want := range tests {
		if got := (Runtime{Version: in}).MinorVersion(); got != want {
			t.Errorf("Runtime{Version: %q}.MinorVersion() = %q, want %q", in, got, want)
		}
	}
}
