package app

import (
	"reflect"
	"testing"
)

func TestLocalInputs(t *testing.T) {
	const req = "requirements.txt"
	tests := []struct {
		name  string
		files map[string]string
		want  []LocalInput
	}{
		{"names and URLs are not local", map[string]string{req: "Django==4.2\nrequests[socks]>=2\n" +
			"gunicorn @ https://example.com/gunicorn-22.0-py3-none-any.whl\nhttps://example.com/x-1.0.tar.gz\n" +
			"-e git+https://github.com/org/repo#egg=repo\ngit+ssh://git@github.com:org/repo.git#egg=repo\n" +
			"-f https://example.com/wheels\n--index-url https://example.com/simple\n"}, nil},
		{"comments are not read", map[string]string{req: "# -e .\nDjango  # see ./docs\n   # ./pkg\n"}, nil},
		{"editable forms", map[string]string{req: "-e .\n--editable ./pkg\n--editable=./pkg\n-e./pkg\n" +
			"-e ./pkg[dev,test]\n-e \"./my pkg\"\n-e file:///srv/lib#egg=lib\n-e file:pkg\n"}, []LocalInput{
			{LocalEditable, ".", req, 1}, {LocalEditable, "pkg", req, 2}, {LocalEditable, "pkg", req, 3},
			{LocalEditable, "pkg", req, 4}, {LocalEditable, "pkg", req, 5}, {LocalEditable, "my pkg", req, 6},
			{LocalEditable, "/srv/lib", req, 7}, {LocalEditable, "pkg", req, 8},
		}},
		{"path requirements", map[string]string{req: "./libs/mypkg\n../x\n/abs/path\nlibs/other/\n" +
			"dist/mypkg-1.0.tar.gz\nmypkg-1.0-py3-none-any.whl\n./pkg[extra]\n" +
			"file:///opt/pkgs/a-1.0.tar.gz\nfile://localhost/opt/b\nfile:///opt/with%20space\n"}, []LocalInput{
			{LocalPath, "libs/mypkg", req, 1}, {LocalPath, "../x", req, 2}, {LocalPath, "/abs/path", req, 3},
			{LocalPath, "libs/other", req, 4}, {LocalPath, "dist/mypkg-1.0.tar.gz", req, 5},
			{LocalPath, "mypkg-1.0-py3-none-any.whl", req, 6}, {LocalPath, "pkg", req, 7},
			{LocalPath, "/opt/pkgs/a-1.0.tar.gz", req, 8}, {LocalPath, "/opt/b", req, 9},
			{LocalPath, "/opt/with space", req, 10},
		}},
		{"direct references to files", map[string]string{req: "name @ file:///abs/path\n" +
			"Name[extra]@file:///abs/other ; python_version > \"3\"\n"}, []LocalInput{
			{LocalPath, "/abs/path", req, 1}, {LocalPath, "/abs/other", req, 2},
		}},
		{"markers and hashes after the path", map[string]string{req: "./pkg ; python_version>\"3\"\n" +
			"./pkg;sys_platform=='linux'\n./pkg --hash=sha256:abc\n" +
			"dist/a-1.0.tar.gz \\\n    --hash=sha256:abc \\\n    --hash=sha256:def\n" +
			"file:///opt/a.whl ; python_version>\"3\"\n"}, []LocalInput{
			{LocalPath, "pkg", req, 1}, {LocalPath, "pkg", req, 2}, {LocalPath, "pkg", req, 3},
			{LocalPath, "dist/a-1.0.tar.gz", req, 4}, {LocalPath, "/opt/a.whl", req, 7},
		}},
		{"continued lines", map[string]string{req: "-e \\\n  ./pkg\n# note \\\n./lib\n"}, []LocalInput{
			{LocalEditable, "pkg", req, 1}, {LocalPath, "lib", req, 4},
		}},
		{"find-links forms", map[string]string{req: "--find-links wheels\n-f wheels\n--find-links=wheels\n" +
			"-fwheels\n--find-links /srv/wheels\n-f file:///srv/wheels\n--no-index --find-links ./wheels\n"}, []LocalInput{
			{LocalFindLinks, "wheels", req, 1}, {LocalFindLinks, "wheels", req, 2}, {LocalFindLinks, "wheels", req, 3},
			{LocalFindLinks, "wheels", req, 4}, {LocalFindLinks, "/srv/wheels", req, 5},
			{LocalFindLinks, "/srv/wheels", req, 6}, {LocalFindLinks, "wheels", req, 7},
		}},
		// pip: requirement and -e paths are relative to its working directory,
		// --find-links relative to the file when it exists there.
		{"paths in an included file", map[string]string{
			req:                     "-r requirements/base.txt\n",
			"requirements/base.txt": "./pkg\n-e ../lib\n-f wheels\n-f vendor\n",
			"requirements/wheels/a-1.0-py3-none-any.whl": "zip",
			"vendor/b-1.0-py3-none-any.whl":              "zip",
		}, []LocalInput{
			{LocalPath, "pkg", "requirements/base.txt", 1}, {LocalEditable, "../lib", "requirements/base.txt", 2},
			{LocalFindLinks, "requirements/wheels", "requirements/base.txt", 3},
			{LocalFindLinks, "vendor", "requirements/base.txt", 4},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, tt.files)
			got, err := LocalInputs(dir, RequirementFiles(dir, []string{req}))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("LocalInputs() =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestLocalInputsErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
	}{
		{"malformed file URL", map[string]string{"requirements.txt": "-e file:///a%zz\n"}},
		{"listed file is a directory", map[string]string{"requirements.txt": "<dir>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, tt.files)
			files := []RequirementFile{{Path: "requirements.txt"}}
			if got, err := LocalInputs(dir, files); err == nil {
				t.Errorf("LocalInputs() = %+v, want an error", got)
			}
		})
	}
}
