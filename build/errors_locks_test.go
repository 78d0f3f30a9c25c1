package build

import (
	"fmt"
	"strings"
	"testing"

	"github.com/warpdrive-buildpack/warpdrive/app"
)

func TestExplainLocks(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		title string
		says  []string
	}{
		{"uv.lock without a declared dependency",
			app.LockStaleError{File: "uv.lock", Manifest: "pyproject.toml", Undeclared: []string{"rich"}, RefreshCommand: "uv lock"},
			"uv.lock is out of date", []string{"pyproject.toml declares rich, which uv.lock does not lock", "the image would lack rich",
				"`uv sync --locked` would refuse it", "Run `uv lock` and commit uv.lock with pyproject.toml"}},
		{"uv.lock with a removed dependency",
			app.LockStaleError{File: "uv.lock", Manifest: "pyproject.toml", Removed: []string{"requests"}, RefreshCommand: "uv lock"},
			"uv.lock is out of date", []string{"uv.lock was locked with requests, which pyproject.toml no longer declares"}},
		{"uv.lock with a constraint that excludes the locked version",
			app.LockStaleError{File: "uv.lock", Manifest: "pyproject.toml", Excluded: []string{"flask>=4 (locked: 3.1.0)"}, RefreshCommand: "uv lock"},
			"uv.lock is out of date", []string{"pyproject.toml requires flask>=4 (locked: 3.1.0), which the locked versions do not satisfy", "Run `uv lock`"}},
		{"poetry.lock without a declared dependency",
			app.LockStaleError{File: "poetry.lock", Manifest: "pyproject.toml", Undeclared: []string{"rich", "Redis"}, RefreshCommand: "poetry lock"},
			"poetry.lock is out of date", []string{"declares rich, Redis", "`poetry install` would refuse it", "Run `poetry lock`"}},
		{"Pipfile.lock without a [packages] entry",
			app.LockStaleError{File: "Pipfile.lock", Manifest: "the Pipfile", Undeclared: []string{"gunicorn"}, RefreshCommand: "pipenv lock"},
			"Pipfile.lock is out of date", []string{"the Pipfile declares gunicorn", "`pipenv install --deploy`", "Run `pipenv lock`"}},
		{"an edge to a package not locked",
			app.LockIncompleteError{File: "poetry.lock", Missing: []app.MissingDependency{{Name: "blinker", RequiredBy: "flask"}}, RefreshCommand: "poetry lock"},
			"poetry.lock is incomplete", []string{"flask requires blinker, which is not locked", "No module named", "To lock again, run `poetry lock`, then commit poetry.lock"}},
		{"pip check found it",
			app.LockIncompleteError{File: "pylock.toml", Missing: []app.MissingDependency{{Name: "blinker", RequiredBy: "flask"}},
				RefreshCommand: "re-run the tool that wrote pylock.toml (created-by: uv)", Output: []string{"flask 3.1.0 requires blinker, which is not installed."}},
			"pylock.toml is incomplete", []string{"flask requires blinker", "pip check, run in the new venv, says:", "  flask 3.1.0 requires blinker, which is not installed.",
				"To lock again, re-run the tool that wrote pylock.toml (created-by: uv), then commit pylock.toml"}},
		{"pylock.toml for another python",
			app.LockEnvironmentError{File: "pylock.toml", Python: "3.13.5", Key: "requires-python", Value: "<3.13"},
			"pylock.toml is not for this Python", []string{`pylock.toml has requires-python = "<3.13", which Python 3.13.5 does not satisfy`, "PEP 751"}},
		{"pylock.toml for other environments",
			app.LockEnvironmentError{File: "pylock.toml", Python: "3.13.5", Key: "environments", Value: "sys_platform == 'win32'"},
			"pylock.toml is not for this Python", []string{"locked for the environments sys_platform == 'win32'", "Linux CPython 3.13.5"}},
		{".python-version outside requires-python",
			app.RequiresPythonError{Request: app.VersionRequest{Version: "3.13", Source: app.SourcePythonVersionFile}, Version: "3.13.5",
				Declared: app.VersionRequest{Version: "==3.12.*", Source: app.SourceRequiresPython}},
			"Python version outside requires-python", []string{
				`.python-version asks for Python 3.13 (the build would use 3.13.5), but pyproject.toml [project] requires-python is "==3.12.*"`,
				"Change .python-version to a version that pyproject.toml [project] requires-python allows (==3.12.*)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Wrapped, as the build returns them.
			m := Explain(fmt.Errorf("reading the dependencies: %w", tt.err))
			if m.Title != tt.title {
				t.Errorf("title = %q, want %q", m.Title, tt.title)
			}
			text := strings.Join(append(m.Detail, m.Fix...), "\n")
			for _, s := range tt.says {
				if !strings.Contains(text, s) {
					t.Errorf("message lacks %q:\n%s", s, text)
				}
			}
			if len(m.Fix) == 0 {
				t.Error("no fix")
			}
		})
	}
}
