package app

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestRequirementName(t *testing.T) {
	tests := []struct {
		line string
		want string
	}{
		{"Django==4.2", "django"},
		{"Django  # pinned", "django"},
		{"name[extra]>=1", "name"},
		{"requests[socks] ; python_version > '3'", "requests"},
		{"Zope.Interface", "zope-interface"},
		{"uvloop ; sys_platform != 'win32' and platform_machine != 'arm/v7'", "uvloop"},
		{"gunicorn @ https://example.com/gunicorn-22.0-py3-none-any.whl", "gunicorn"},
		{"Gunicorn[gevent] @ https://example.com/g.whl#sha256=abc", "gunicorn"},
		{"my_pkg@file:///srv/my_pkg", "my-pkg"},
		{"https://example.com/gunicorn-22.0-py3-none-any.whl", ""},
		{"git+https://github.com/org/repo#egg=repo", ""},
		{"./libs/mypkg", ""},
		{"libs/mypkg", ""},
		{"mypkg-1.0.tar.gz", ""},
		{"-e .", ""},
		{"--hash=sha256:abc", ""},
		{"# Django", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := RequirementName(tt.line); got != tt.want {
			t.Errorf("RequirementName(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

func TestLocateRequirementFindsDirectReferences(t *testing.T) {
	dir := writeTree(t, map[string]string{"requirements.txt": "Django\ngunicorn @ https://example.com/gunicorn-22.0-py3-none-any.whl\n"})
	files := RequirementFiles(dir, []string{"requirements.txt"})
	tests := []struct {
		name string
		want bool
	}{{"gunicorn", true}, {"django", true}, {"mod_wsgi", false}}
	for _, tt := range tests {
		if got := Requires(dir, files, tt.name); got != tt.want {
			t.Errorf("Requires(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestRequirementFilesChecked(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		want    []RequirementFile
		wantErr bool
	}{
		{"absent file is Missing, no error", map[string]string{"other.txt": ""},
			[]RequirementFile{{Path: "requirements.txt", Missing: true}}, false},
		{"top-level file is a directory", map[string]string{"requirements.txt": "<dir>"},
			[]RequirementFile{{Path: "requirements.txt", Missing: true}}, true},
		{"included file is a directory", map[string]string{"requirements.txt": "-r base\nDjango\n", "base": "<dir>"},
			[]RequirementFile{{Path: "requirements.txt"}, {Path: "base", Missing: true}}, true},
		{"continued include line", map[string]string{"requirements.txt": "-r \\\n  base.txt\n", "base.txt": ""},
			[]RequirementFile{{Path: "requirements.txt"}, {Path: "base.txt"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, tt.files)
			got, err := RequirementFilesChecked(dir, []string{"requirements.txt"})
			if (err != nil) != tt.wantErr {
				t.Errorf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestRequirementFilesAbsoluteInclude(t *testing.T) {
	shared := writeTree(t, map[string]string{"shared.txt": "whitenoise\n"})
	abs := filepath.Join(shared, "shared.txt")
	dir := writeTree(t, map[string]string{"requirements.txt": "-r " + abs + "\n"})
	files, err := RequirementFilesChecked(dir, []string{"requirements.txt"})
	want := []RequirementFile{{Path: "requirements.txt"}, {Path: abs}}
	if err != nil || !reflect.DeepEqual(files, want) {
		t.Fatalf("got %+v, %v; want %+v", files, err, want)
	}
	if !Requires(dir, files, "whitenoise") {
		t.Error("the absolute include is not read")
	}
}

func TestHashRequirementInputs(t *testing.T) {
	// The sdist path in requirements/extra.txt is relative to the app
	// directory, where pip runs; the find-links one to the file naming it.
	base := map[string]string{
		"requirements.txt":                                 "-e .\n./libs/mypkg\n-r requirements/extra.txt\n",
		"requirements/extra.txt":                           "-f wheels\nwhl-pkg\n./dist/tool-1.0.tar.gz --hash=sha256:abc\n",
		"requirements/wheels/whl_pkg-1.0-py3-none-any.whl": "zip 1",
		"dist/tool-1.0.tar.gz":                             "tar 1",
		"pyproject.toml":                                   "[project]\nname = 'app'\n",
		"app/__init__.py":                                  "",
		"app/views.py":                                     "def index(): pass\n",
		"libs/mypkg/pyproject.toml":                        "[project]\nname = 'mypkg'\n",
		"libs/mypkg/mypkg/__init__.py":                     "VERSION = 1\n",
		"unrelated.txt":                                    "flask\n",
	}
	tests := []struct {
		name    string
		edit    func(t *testing.T, dir string)
		changed bool
	}{
		{"nothing", func(*testing.T, string) {}, false},
		{"editable project's code edited", edit("app/views.py", "def index(): return 1\n"), false},
		{"editable project's pyproject.toml edited", edit("pyproject.toml", "[project]\nname = 'app'\ndependencies = ['x']\n"), true},
		{"editable project gains setup.cfg", edit("setup.cfg", "[metadata]\n"), true},
		{"editable project gains setup.py", edit("setup.py", "from setuptools import setup\nsetup()\n"), true},
		{"path requirement's code edited", edit("libs/mypkg/mypkg/__init__.py", "VERSION = 2\n"), true},
		{"path requirement's bytecode written", edit("libs/mypkg/mypkg/__pycache__/__init__.cpython-312.pyc", "pyc"), false},
		{"path requirement removed", func(t *testing.T, dir string) { must(t, os.RemoveAll(filepath.Join(dir, "libs"))) }, true},
		{"sdist replaced", edit("dist/tool-1.0.tar.gz", "tar 2"), true},
		{"find-links directory gains a wheel", edit("requirements/wheels/whl_pkg-1.1-py3-none-any.whl", "zip 2"), true},
		{"requirements file edited", edit("requirements/extra.txt", "-f wheels\nwhl-pkg==1.0\n./dist/tool-1.0.tar.gz\n"), true},
		{"unrelated file edited", edit("unrelated.txt", "flask==3\n"), false},
	}
	hash := func(t *testing.T, change func(*testing.T, string)) string {
		dir := writeTree(t, base)
		change(t, dir)
		sum, err := HashRequirementInputs(dir, RequirementFiles(dir, []string{"requirements.txt"}))
		must(t, err)
		return sum
	}
	original := hash(t, func(*testing.T, string) {})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hash(t, tt.edit) != original; got != tt.changed {
				t.Errorf("hash changed = %v, want %v", got, tt.changed)
			}
		})
	}
}

// edit writes one file of a tree, creating its directory.
func edit(path, content string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		full := filepath.Join(dir, path)
		must(t, os.MkdirAll(filepath.Dir(full), 0o755))
		must(t, os.WriteFile(full, []byte(content), 0o644))
	}
}

func TestHashRequirementInputsErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		list  []RequirementFile
	}{
		{"listed file is a directory", map[string]string{"requirements.txt": "<dir>"},
			[]RequirementFile{{Path: "requirements.txt"}}},
		{"malformed file URL", map[string]string{"requirements.txt": "-e file:///a%zz\n"},
			[]RequirementFile{{Path: "requirements.txt"}}},
		{"local path is neither a file nor a directory", map[string]string{"requirements.txt": "/dev/null\n"},
			[]RequirementFile{{Path: "requirements.txt"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := HashRequirementInputs(writeTree(t, tt.files), tt.list); err == nil {
				t.Errorf("HashRequirementInputs() = %s, want an error", got)
			}
		})
	}
}
