package app

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// writeTree creates files (path -> content) under a temp dir; a content of
// "<dir>" makes a directory, and a path ending in "*" is made executable.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for path, content := range files {
		mode := os.FileMode(0o644)
		if path[len(path)-1] == '*' {
			path, mode = path[:len(path)-1], 0o755
		}
		full := filepath.Join(dir, path)
		if content == "<dir>" {
			if err := os.MkdirAll(full, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const managePy = `import os, sys
def main():
    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')
`

func TestFoundDetectFiles(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
		env   map[string]string
	}{
		{"empty app", map[string]string{"README.md": "hi"}, nil, nil},
		{"the module WARPDRIVE_WSGI_MODULE_NAME names", map[string]string{"myapp.py": ""}, []string{"myapp.py"},
			map[string]string{"WARPDRIVE_WSGI_MODULE_NAME": "myapp"}},
		{"the files WARPDRIVE_PIP_PACKAGES names", map[string]string{"requirements/base.txt": ""}, []string{"requirements/base.txt"},
			map[string]string{"WARPDRIVE_PIP_PACKAGES": "requirements/base.txt requirements/missing.txt"}},
		{"a module named nowhere", map[string]string{"myapp.py": ""}, nil, nil},
		{"requirements only", map[string]string{"requirements.txt": "Django\n"}, []string{"requirements.txt"}, nil},
		{"django project", map[string]string{"manage.py": managePy}, []string{"manage.py"}, nil},
		{"manage.py that is not Django", map[string]string{"manage.py": "print('hi')\n"}, nil, nil},
		{"django project one level down", map[string]string{"README.md": "", "backend/manage.py": managePy}, []string{"*/manage.py"}, nil},
		{"two levels down is not looked in", map[string]string{"src/backend/manage.py": managePy}, nil, nil},
		{"wsgi module", map[string]string{"wsgi.py": "application = None\n"}, []string{"wsgi.py"}, nil},
		{"wsgi package", map[string]string{"wsgi/__init__.py": ""}, []string{"wsgi/__init__.py"}, nil},
		{"app.py", map[string]string{"app.py": ""}, []string{"app.py"}, nil},
		{"app.sh", map[string]string{"app.sh*": "#!/bin/sh\n"}, []string{"app.sh"}, nil},
		{"warpdrive dir", map[string]string{".warpdrive": "<dir>"}, []string{".warpdrive"}, nil},
		{"a directory named wsgi.py does not count", map[string]string{"wsgi.py/x": ""}, nil, nil},
		{"several, in warpdrive's order", map[string]string{"requirements.txt": "", "wsgi.py": "", "app.py": ""},
			[]string{"app.py", "wsgi.py", "requirements.txt"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			lookup := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
			for _, m := range FoundDetectFiles(writeTree(t, tt.files), lookup) {
				got = append(got, m.Path)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("FoundDetectFiles() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDjangoSettingsModule(t *testing.T) {
	tests := []struct {
		manage   string
		want     string
		isDjango bool
	}{
		{managePy, "mysite.settings", true},
		{`os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")`, "config.settings.production", true},
		{`# reads DJANGO_SETTINGS_MODULE from the environment only`, "", true},
		{`print("hello")`, "", false},
	}
	for _, tt := range tests {
		dir := writeTree(t, map[string]string{"manage.py": tt.manage})
		got, ok := DjangoSettingsModule(dir)
		if got != tt.want || ok != tt.isDjango {
			t.Errorf("DjangoSettingsModule(%q) = %q, %v; want %q, %v", tt.manage, got, ok, tt.want, tt.isDjango)
		}
	}
}

func TestRequestedPythonVersion(t *testing.T) {
	tests := []struct {
		name       string
		files      map[string]string
		env        map[string]string
		want       VersionRequest
		constraint string
		wantErr    bool
	}{
		{"default", nil, nil, VersionRequest{"3.13", "the buildpack default"}, "3.13.*", false},
		{"python-version major", map[string]string{".python-version": "3.12\n"}, nil,
			VersionRequest{"3.12", ".python-version"}, "3.12.*", false},
		{"python-version exact with comments", map[string]string{".python-version": "# pinned\n\n  3.11.2  # prod\n"}, nil,
			VersionRequest{"3.11.2", ".python-version"}, "3.11.2", false},
		{"runtime.txt", map[string]string{"runtime.txt": "python-3.12.4\n"}, nil,
			VersionRequest{"3.12.4", "runtime.txt"}, "3.12.4", false},
		{".python-version beats runtime.txt", map[string]string{".python-version": "3.11", "runtime.txt": "python-3.12.4"}, nil,
			VersionRequest{"3.11", ".python-version"}, "3.11.*", false},
		{"environment beats files", map[string]string{".python-version": "3.11"}, map[string]string{"BP_PYTHON_VERSION": "3.13.5"},
			VersionRequest{"3.13.5", "BP_PYTHON_VERSION"}, "3.13.5", false},
		{"blank environment is ignored", map[string]string{".python-version": "3.11"}, map[string]string{"BP_PYTHON_VERSION": " "},
			VersionRequest{"3.11", ".python-version"}, "3.11.*", false},
		{"garbage", map[string]string{".python-version": "latest"}, nil, VersionRequest{}, "", true},
		{"python 2", map[string]string{"runtime.txt": "python-2.7.18"}, nil, VersionRequest{}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lookup := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
			got, err := RequestedPythonVersion(writeTree(t, tt.files), lookup, "3.13")
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if !tt.wantErr && got.Constraint() != tt.constraint {
				t.Errorf("Constraint() = %q, want %q", got.Constraint(), tt.constraint)
			}
		})
	}
}

func TestRequirementFilesFollowsNestedIncludes(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"requirements.txt":           "-r requirements/base.txt\n--constraint=constraints.txt\nDjango\n",
		"requirements/base.txt":      "-r common.txt\nwhitenoise\n",
		"requirements/common.txt":    "-r ../requirements.txt\nsqlparse\n", // a cycle
		"constraints.txt":            "asgiref<4\n",
		"requirements/unrelated.txt": "flask\n",
	})
	got := RequirementFiles(dir, []string{"requirements.txt", "extra.txt"})
	want := []RequirementFile{
		{Path: "requirements.txt"},
		{Path: "requirements/base.txt"},
		{Path: "requirements/common.txt"},
		{Path: "constraints.txt"},
		{Path: "extra.txt", Missing: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("RequirementFiles() = %+v\nwant %+v", got, want)
	}
}

func TestHashRequirementInputsChangesWithAnyIncludedFile(t *testing.T) {
	base := map[string]string{
		"requirements.txt":      "-r requirements/base.txt\nDjango==4.2\n",
		"requirements/base.txt": "-c ../constraints.txt\nwhitenoise\n",
		"constraints.txt":       "asgiref<4\n",
		"unrelated.txt":         "flask\n",
	}
	hash := func(files map[string]string) string {
		dir := writeTree(t, files)
		h, err := HashRequirementInputs(dir, RequirementFiles(dir, []string{"requirements.txt"}))
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	with := func(path, content string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		m[path] = content
		return m
	}
	original := hash(base)
	if again := hash(base); again != original {
		t.Fatalf("hash is not stable: %s vs %s", original, again)
	}
	tests := []struct {
		name    string
		files   map[string]string
		changed bool
	}{
		{"top-level file edited", with("requirements.txt", "-r requirements/base.txt\nDjango==4.2.1\n"), true},
		{"nested -r file edited", with("requirements/base.txt", "-c ../constraints.txt\nwhitenoise==6\n"), true},
		{"nested -c file edited", with("constraints.txt", "asgiref<3.8\n"), true},
		{"file not included edited", with("unrelated.txt", "flask==3\n"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hash(tt.files) != original; got != tt.changed {
				t.Errorf("hash changed = %v, want %v", got, tt.changed)
			}
		})
	}
}

func TestLocateRequirement(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"requirements.txt": "# web\nDjango==4.2  # lts\n-r more.txt\n",
		"more.txt":         "\nno_such.package>=1\n",
	})
	files := RequirementFiles(dir, []string{"requirements.txt"})
	got := LocateRequirement(dir, files, "No-Such-Package")
	want := []RequirementLocation{{Path: "more.txt", Line: 2, Text: "no_such.package>=1"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if !Requires(dir, files, "django") || Requires(dir, files, "flask") {
		t.Error("Requires() disagrees with the files")
	}
}

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		env     map[string]string
		mode    string
		server  string
		home    string
		wantErr bool
	}{
		{"defaults", nil, nil, "auto", "mod_wsgi", "", false},
		{"environment", nil, map[string]string{"WARPDRIVE_DEPLOY_MODE": "wsgi", "WARPDRIVE_SERVER_TYPE": "gunicorn"}, "wsgi", "gunicorn", "", false},
		{"files win over environment", map[string]string{".warpdrive/deploy_mode": "django\n", ".warpdrive/server_type": "waitress\n"},
			map[string]string{"WARPDRIVE_DEPLOY_MODE": "wsgi", "WARPDRIVE_SERVER_TYPE": "gunicorn"}, "django", "waitress", "", false},
		{"home subdirectory", map[string]string{".warpdrive/home": "src\n", "src/wsgi.py": ""}, nil, "auto", "mod_wsgi", "src", false},
		{"home missing", map[string]string{".warpdrive/home": "nowhere\n"}, nil, "", "", "", true},
		{"unknown mode", map[string]string{".warpdrive/deploy_mode": "fastcgi\n"}, nil, "", "", "", true},
		{"unknown server", nil, map[string]string{"WARPDRIVE_SERVER_TYPE": "nginx"}, "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, tt.files)
			c, err := loadConfig(dir, mapResolver(tt.env))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if c.DeployMode != tt.mode || c.ServerType != tt.server || c.Home != filepath.Join(dir, tt.home) {
				t.Errorf("got mode %q server %q home %q", c.DeployMode, c.ServerType, c.Home)
			}
		})
	}
}

func TestChoiceErrorListsValidValues(t *testing.T) {
	dir := writeTree(t, map[string]string{".warpdrive/server_type": "nginx"})
	_, err := loadConfig(dir, mapResolver{})
	want := `server type "nginx" (from .warpdrive/server_type) is not one of: mod_wsgi, gunicorn, uwsgi, waitress, uvicorn, hypercorn, daphne`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}

func TestResolveLaunch(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		mode    string
		want    string
		django  bool
		wantErr string
	}{
		{"auto prefers executable app.sh", map[string]string{"app.sh*": "", "app.py": "", "manage.py": managePy}, "auto", "shell", false, ""},
		{"auto: app.py before Django", map[string]string{"app.py": "", "manage.py": managePy}, "auto", "python", false, ""},
		{"auto: Django before wsgi.py", map[string]string{"manage.py": managePy, "wsgi.py": ""}, "auto", "wsgi", true, ""},
		{"auto: wsgi.py", map[string]string{"wsgi.py": ""}, "auto", "wsgi", false, ""},
		{"auto: paste.ini", map[string]string{"paste.ini": ""}, "auto", "paste", false, ""},
		{"auto: nothing", map[string]string{"requirements.txt": ""}, "auto", "", false, "app.EntryPointError"},
		{"auto: app.sh not executable", map[string]string{"app.sh": ""}, "auto", "", false, "app.NotExecutableError"},
		{"django mode without manage.py", map[string]string{"wsgi.py": ""}, "django", "", false, "app.EntryPointError"},
		{"full control", map[string]string{"wsgi.py": ""}, "gunicorn", "gunicorn", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, tt.files)
			got, err := ResolveLaunch(Config{Source: Source{Root: dir, Home: dir}, DeployMode: tt.mode, WSGIModule: "wsgi"})
			if tt.wantErr != "" {
				if err == nil || reflect.TypeOf(err).String() != tt.wantErr {
					t.Fatalf("err = %T %v, want %s", err, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Mode != tt.want || got.Django != tt.django {
				t.Errorf("got %+v, want mode %s django %v", got, tt.want, tt.django)
			}
		})
	}
}

func TestReadEnvironmentFile(t *testing.T) {
	dir := writeTree(t, map[string]string{"env": "# comment\nexport A=1\nB = 'two words'\nC=\"x=y\"\n\n"})
	got, err := ReadEnvironmentFile(filepath.Join(dir, "env"))
	if err != nil {
		t.Fatal(err)
	}
	want := []EnvVar{{"A", "1"}, {"B", "two words"}, {"C", "x=y"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	bad := writeTree(t, map[string]string{"env": "JUSTANAME\n"})
	if _, err := ReadEnvironmentFile(filepath.Join(bad, "env")); err == nil {
		t.Error("a line without = must be an error")
	}
}

// loadConfig reads the source in dir and resolves its configuration, as the build does.
func loadConfig(dir string, r Resolver) (Config, error) {
	src, err := ReadSource(dir)
	if err != nil {
		return Config{}, err
	}
	return ResolveConfig(src, r)
}

// TestResolveLaunchFindsRealAppShapes: the start commands real apps were
// written for (gunicorn app:app, flask run, a Poetry script, a worker
// Procfile) are found with no warpdrive setting.
func TestResolveLaunchFindsRealAppShapes(t *testing.T) {
	flaskAppPy := "from flask import Flask\napp = Flask(__name__)\nif __name__ == '__main__':\n    app.run(debug=True)\n"
	tests := []struct {
		name      string
		files     map[string]string
		flaskApp  string
		webScript string
		mode      string
		entry     string // the entry point's module (and attr, when known)
		fallback  bool
		wantErr   string
	}{
		{"app.py with Flask's development server is served", map[string]string{"app.py": flaskAppPy}, "", "", "wsgi", "app:", true, ""},
		{"app.py starting uvicorn itself runs as a script", map[string]string{"app.py": "import uvicorn\nfrom fastapi import FastAPI\napp = FastAPI()\nif __name__ == '__main__':\n    uvicorn.run(app)\n"},
			"", "", "python", "", false, ""},
		{"app.py that is a plain http.server script runs as a script", map[string]string{"app.py": "import http.server\nif __name__ == '__main__':\n    http.server.test()\n"}, "", "", "python", "", false, ""},
		{"FLASK_APP wins over app.py", map[string]string{"app.py": flaskAppPy, "hello.py": ""}, "hello:create_app('prod')", "", "wsgi", "hello:create_app('prod')", false, ""},
		{"FLASK_APP as a file", map[string]string{"web/hello.py": ""}, "web/hello.py", "", "wsgi", "web.hello:", false, ""},
		{"FLASK_APP in .flaskenv", map[string]string{".flaskenv": "FLASK_APP=flaskr\nFLASK_DEBUG=1\n", "flaskr/__init__.py": ""}, "", "", "wsgi", "flaskr:", false, ""},
		{"the project's package with a factory (the Flask tutorial)", map[string]string{
			"pyproject.toml":     "[project]\nname = \"flaskr\"\nversion = \"1\"\n",
			"flaskr/__init__.py": "from flask import Flask\ndef create_app(test_config=None):\n    return Flask(__name__)\n"}, "", "", "wsgi", "flaskr:", false, ""},
		{"a src-layout package with a dashed name", map[string]string{
			"pyproject.toml":         "[project]\nname = \"My-App\"\nversion = \"1\"\n",
			"src/my_app/__init__.py": "from .web import app\n"}, "", "", "wsgi", "my_app:", false, ""},
		{"one Poetry script", map[string]string{
			"pyproject.toml":         "[tool.poetry]\nname = \"poetry-run\"\n[tool.poetry.scripts]\npoetry-run = \"poetry_run.server:run\"\n",
			"poetry_run/__init__.py": "", "poetry_run/server.py": ""}, "", "", "script", "", false, ""},
		{"several scripts need a choice", map[string]string{
			"pyproject.toml": "[project]\nname = \"tool\"\n[project.scripts]\nserve = \"tool.cli:serve\"\nwork = \"tool.cli:work\"\n"}, "", "", "", "", false, "app.ScriptChoiceError"},
		{"WARPDRIVE_WEB_SCRIPT picks one", map[string]string{
			"pyproject.toml": "[project]\nname = \"tool\"\n[project.scripts]\nserve = \"tool.cli:serve\"\nwork = \"tool.cli:work\"\n"}, "", "work", "script", "", false, ""},
		{"a worker-only Procfile", map[string]string{"Procfile": "worker: python bot.py\n", "bot.py": ""}, "", "", "procfile", "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, tt.files)
			src, err := ReadSource(dir)
			if err != nil {
				t.Fatal(err)
			}
			c := Config{Source: src, DeployMode: "auto", DeployModeSource: "the default", WSGIModule: "wsgi", WebScript: tt.webScript}
			c.FlaskApp, c.FlaskAppSource = flaskApp(mapResolver{"FLASK_APP": tt.flaskApp}, dir)
			got, err := ResolveLaunch(c)
			if tt.wantErr != "" {
				if err == nil || reflect.TypeOf(err).String() != tt.wantErr {
					t.Fatalf("err = %T %v, want %s", err, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			entry := ""
			if got.Entry.Module != "" {
				entry = got.Entry.String()
				if got.Entry.Attr == "" {
					entry = got.Entry.Module + ":"
				}
			}
			if got.Mode != tt.mode || entry != tt.entry || got.ScriptFallback != tt.fallback {
				t.Errorf("got mode %s entry %q fallback %v (%s), want %s %q %v", got.Mode, entry, got.ScriptFallback, got.Reason, tt.mode, tt.entry, tt.fallback)
			}
			if got.Mode == ModeProcfile && got.Procfile != "" {
				t.Errorf("a Procfile without web has no web command, got %q", got.Procfile)
			}
		})
	}
}
