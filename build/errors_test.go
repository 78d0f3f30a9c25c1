package build

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/warpdrive-buildpack/warpdrive/debpackages"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/hooks"
	"github.com/warpdrive-buildpack/warpdrive/layers"
	"github.com/warpdrive-buildpack/warpdrive/pip"
	"github.com/warpdrive-buildpack/warpdrive/reuse"
	"github.com/warpdrive-buildpack/warpdrive/server"
)

func TestExplainGivesTitleAndFix(t *testing.T) {
	req := app.VersionRequest{Version: "3.13", Source: app.SourceDefault}
	tests := []struct {
		name  string
		err   error
		title string
		says  []string
	}{
		{"unavailable python", app.UnavailableVersionError{Request: app.VersionRequest{Version: "3.9", Source: ".python-version"}, Available: []string{"3.11.2", "3.13.5"}},
			"Requested Python version is not available", []string{".python-version asks for Python 3.9", "3.11.2, 3.13.5"}},
		{"pip", pip.InstallError{Errors: []string{"ERROR: No matching distribution found for nosuch==1.0"},
			Locations: []app.RequirementLocation{{Path: "requirements.txt", Line: 3, Text: "nosuch==1.0"}}, Files: []app.RequirementFile{{Path: "requirements.txt"}}},
			"Failed to install the application's Python packages", []string{"No matching distribution found for nosuch==1.0", "requirements.txt line 3: nosuch==1.0"}},
		{"pip, the end of its output", pip.InstallError{Errors: []string{"ERROR: an early verdict", "ERROR: Failed building wheel for psycopg2"},
			Tail: []string{"      Error: pg_config executable not found.", "ERROR: Failed building wheel for psycopg2"}},
			"Failed to install the application's Python packages", []string{"ERROR: an early verdict", "The end of pip's output:",
				"  Error: pg_config executable not found.", "Fix what pip reports above"}},
		{"pip, versions for another python", pip.InstallError{Python: "3.13.5", SkippedForPython: true,
			Errors: []string{"ERROR: Ignored the following versions that require a different python version: 1.10.4 Requires-Python >=3.7, <3.12.4",
				"ERROR: Could not find a version that satisfies the requirement pydantic<3,>=1.7.4 (from fastapi) (from versions: none)"},
			Files: []app.RequirementFile{{Path: "requirements.txt"}}},
			"Failed to install the application's Python packages", []string{"require a different python version: 1.10.4",
				"the build uses Python 3.13.5", "a .python-version file (e.g. 3.11)", "supports Python 3.13.5", "Correct the requirement in requirements.txt"}},
		{"django settings", layers.DjangoSettingsError{SettingsModule: "mysite.settings", Tail: []string{"KeyError: 'SECRET_KEY'"}},
			"Unable to import the Django settings", []string{"KeyError: 'SECRET_KEY'", "pack build --env"}},
		{"entry point", app.EntryPointError{Mode: "auto", LookedFor: []string{"app.sh", "wsgi.py"}},
			"No WSGI entry point found", []string{"Looked for: app.sh, wsgi.py"}},
		{"several scripts", app.ScriptChoiceError{Scripts: []app.Script{{Name: "serve", Table: "project.scripts", Entry: app.EntryPoint{Module: "pkg.cli", Attr: "serve"}},
			{Name: "worker", Table: "project.scripts", Entry: app.EntryPoint{Module: "pkg.cli", Attr: "work"}}}},
			"Which script serves the app?", []string{"declares 2 scripts (serve, worker)", "[project.scripts] worker = pkg.cli:work", "WARPDRIVE_WEB_SCRIPT=serve"}},
		{"no apache", layers.ApacheMissingError{LookedFor: []string{"apxs", "apxs2"}},
			"Apache development files are missing", []string{"apxs, apxs2", "gunicorn, uwsgi or waitress"}},
		{"not executable", app.NotExecutableError{Path: "app.sh"}, "app.sh is not executable", []string{"chmod +x", "git update-index --chmod=+x"}},
		{"build hook", hooks.Failure{Name: "build", Status: 3, Tail: []string{"compiling assets", "npm: not found"}},
			"Action hook build failed", []string{"action_hooks/build exited with status 3", "npm: not found"}},
		{"unknown server", app.ChoiceError{Setting: "server type", Source: "WARPDRIVE_SERVER_TYPE", Value: "nginx", Valid: server.Names()},
			"Unknown server type", []string{`Server type "nginx" was given by WARPDRIVE_SERVER_TYPE.`, "mod_wsgi, gunicorn, uwsgi, waitress"}},
		{"invalid version", app.VersionError{Source: "runtime.txt", Value: "python-three"},
			"Invalid Python version", []string{`runtime.txt asks for Python "python-three"`, "in runtime.txt"}},
		{"pip binding", PipBindingError{Binding: "private-index", Problem: "it has none of the keys warpdrive reads"},
			"Unusable pip binding", []string{`the pip binding "private-index": it has none of the keys`, "index-url, extra-index-url, trusted-host, pip.conf, netrc"}},
		{"home", app.HomeError{Home: "srcx"}, "Application home directory not found", []string{`"srcx"`, "subdirectory of the source"}},
		{"venv", layers.VenvError{Output: []string{"No module named ensurepip"}, Err: errors.New("exit status 1")},
			"Unable to create the virtual environment", []string{"No module named ensurepip"}},
		{"mod_wsgi build", layers.ModWSGIBuildError{Version: "5.0.2", Tail: []string{"apxs: command failed"}, Err: errors.New("exit status 1")},
			"mod_wsgi failed to build", []string{"apxs: command failed", "BP_MOD_WSGI_VERSION"}},
		{"collectstatic", layers.CollectstaticError{Tail: []string{"ValueError: Missing staticfiles manifest"}, Err: errors.New("exit status 1")},
			"collectstatic failed", []string{"(exit status 1); the end of its output:", "  ValueError: Missing staticfiles manifest", "DISABLE_COLLECTSTATIC=1"}},
		{"a committed virtualenv", app.CommittedVirtualenvError{Dirs: []string{".venv/"}, Home: "/usr/local/bin"},
			"A virtualenv is in the source", []string{".venv/ (a directory with a pyvenv.cfg)", "/usr/local/bin", "git rm -r --cached .venv", `exclude = [".venv"]`}},
		{"deployment checks", DeployCheckError{Findings: []layers.DeployCheck{{ID: "security.W018", Level: "WARNING", Msg: "You should not have DEBUG set to True in deployment."}}},
			"Django deployment checks failed", []string{"found 1 issues", "  security.W018: You should not have DEBUG set to True in deployment.", "SILENCED_SYSTEM_CHECKS", "WARPDRIVE_DJANGO_DEPLOY_CHECK=warn"}},
		{"an Aptfile URL", debpackages.RequestError{Source: "Aptfile line 2", Value: "https://example/x.deb", Why: "is a .deb file or URL: name a package of the stack's Debian archive"},
			"Invalid Debian package request", []string{`Aptfile line 2: "https://example/x.deb" is a .deb file or URL`, "[com.heroku.buildpacks.deb-packages]"}},
		{"an unknown Debian package", debpackages.UnknownPackageError{Request: debpackages.Request{Name: "pango", Source: "Aptfile line 1"}, Suites: []string{"bookworm", "bookworm-updates"}, Similar: []string{"libpango-1.0-0"}},
			"Unknown Debian package", []string{"Aptfile line 1 asks for pango, but the archive's bookworm, bookworm-updates have no package", "libpango-1.0-0", "packages.debian.org"}},
		{"an unreachable archive", debpackages.FetchError{URL: "http://deb.debian.org/debian/dists/bookworm/InRelease", Err: errors.New("connection refused")},
			"Unable to download Debian packages", []string{"dists/bookworm/InRelease failed: connection refused", "WARPDRIVE_APT_MIRROR"}},
		{"not Debian", debpackages.DistroError{OSRelease: debpackages.OSRelease{ID: "ubuntu", VersionID: "24.04", Codename: "noble"}},
			"Debian packages need a Debian stack", []string{"the build image is ubuntu 24.04 (noble), not Debian"}},
		{"runtime", layers.RuntimeInstallError{Version: "3.13.5", URI: "https://example/cpython.tgz", Err: errors.New("404")},
			"Unable to install Python", []string{"https://example/cpython.tgz", "BP_DEPENDENCY_MIRROR"}},
		{"two versions", app.VersionFileError{Path: ".python-version", Versions: []string{"3.12", "3.11"}},
			"Invalid .python-version", []string{"several Python versions (3.12, 3.11)", "exactly one version"}},
		{"wrong callable", app.CallableError{Entry: app.EntryPoint{Module: "server", Attr: "application"}, Candidates: []string{"app"}},
			"WSGI application not found", []string{"module server has no attribute application", "app", "WARPDRIVE_WSGI_APPLICATION=server:app"}},
		{"a factory to use", app.CallableError{Entry: app.EntryPoint{Module: "flaskr", Attr: "app"}, Candidates: []string{"create_app"}},
			"WSGI application not found", []string{"WARPDRIVE_WSGI_APPLICATION=flaskr:create_app()"}},
		{"bad entry setting", app.EntrySettingError{Setting: "APP_MODULE", Err: errors.New("no colon")},
			"Invalid APP_MODULE", []string{"APP_MODULE: no colon", "module:callable"}},
		{"procfile", app.ProcfileError{Line: 2, Text: "web gunicorn", Why: "no colon"},
			"Invalid Procfile", []string{"web gunicorn", "name: command"}},
		{"lock syntax", app.LockSyntaxError{File: "uv.lock", Detail: "line 4, column 2: expected '='"},
			"Invalid uv.lock", []string{"uv.lock cannot be read: line 4, column 2", "uv lock"}},
		{"lock version", app.LockVersionError{File: "poetry.lock", Found: "3.0", Supported: "1.0, 1.1, 2.0, 2.1", Writer: "Poetry 1.x or 2.x"},
			"Unsupported poetry.lock format", []string{"format version 3.0", "Poetry 1.x or 2.x"}},
		{"lock marker", app.LockMarkerError{File: "Pipfile.lock", Package: "colorama", Marker: "os_name ==", Err: errors.New("expected a value")},
			"Invalid environment marker in Pipfile.lock", []string{"colorama", "os_name =="}},
		{"stale lock", app.LockStaleError{File: "uv.lock", Manifest: "pyproject.toml", Undeclared: []string{"rich"}, RefreshCommand: "uv lock"},
			"uv.lock is out of date", []string{"pyproject.toml declares rich, which uv.lock does not lock", "Run `uv lock`"}},
		{"incomplete lock", app.LockIncompleteError{File: "poetry.lock", Missing: []app.MissingDependency{{Name: "blinker", RequiredBy: "flask"}}, RefreshCommand: "poetry lock"},
			"poetry.lock is incomplete", []string{"flask requires blinker, which is not locked", "run `poetry lock`"}},
		{"pylock for another python", app.LockEnvironmentError{File: "pylock.toml", Python: "3.13.5", Key: "requires-python", Value: "<3.13"},
			"pylock.toml is not for this Python", []string{`requires-python = "<3.13"`}},
		{"requires-python", app.RequiresPythonError{Request: app.VersionRequest{Version: "3.13", Source: app.SourcePythonVersionFile}, Version: "3.13.5",
			Declared: app.VersionRequest{Version: "==3.12.*", Source: app.SourceRequiresPython}},
			"Python version outside requires-python", []string{".python-version asks for Python 3.13", `requires-python is "==3.12.*"`}},
		{"pipfile without lock", app.PipfileWithoutLockError{},
			"Pipfile without Pipfile.lock", []string{"pipenv lock"}},
		{"hash mismatch", pip.LockHashError{File: "uv.lock", Package: "flask==3.1.0", Expected: []string{"sha256:00"}, Got: "sha256:ab",
			Tail: []string{"             Got        ab"}},
			"Hash mismatch for a locked package", []string{"flask==3.1.0", "expected sha256:00, got sha256:ab", "The lock or the package index changed",
				"The end of pip's output:", "               Got        ab"}},
		{"pin not on index", pip.LockPinUnavailableError{File: "poetry.lock", Package: "flask", Version: "9.0", Available: "3.1.0"},
			"Locked version not on the package index", []string{"flask 9.0", "it has: 3.1.0"}},
		{"pyproject entry", app.PyprojectError{Key: "tool.poetry.dependencies.flask", Reason: "a constraint that does not parse: \"^^3\""},
			"Unreadable dependency in pyproject.toml", []string{"tool.poetry.dependencies.flask", "Poetry constraint"}},
		{"ASGI app on a WSGI server", app.ServerProtocolError{Entry: app.EntryPoint{Module: "main", Attr: "app"}, Protocol: "ASGI", Server: "waitress",
			ServerSource: "WARPDRIVE_SERVER_TYPE", Servers: []string{"uvicorn", "hypercorn", "gunicorn (with uvicorn's worker)"}},
			"Wrong server type for an ASGI application", []string{"main:app is an ASGI application, but the server waitress (WARPDRIVE_SERVER_TYPE) cannot serve ASGI",
				"Servers for ASGI applications: uvicorn, hypercorn", "for example uvicorn"}},
		{"WSGI app on an ASGI server", app.ServerProtocolError{Entry: app.EntryPoint{Module: "wsgi", Attr: "application"}, Protocol: "WSGI", Server: "uvicorn",
			ServerSource: "WARPDRIVE_SERVER_TYPE", Servers: []string{"mod_wsgi", "gunicorn"}},
			"Wrong server type for a WSGI application", []string{"wsgi:application is a WSGI application", "cannot serve WSGI", "for example mod_wsgi"}},
		{"project build", pip.ProjectBuildError{Input: "poetry.lock", Backend: "poetry.core.masonry.api", Errors: []string{"ERROR: Failed to build"}},
			"The application's own package failed to build", []string{"poetry.lock marks the project as a package", "package-mode = false"}},
		{"backend", pip.BuildBackendError{Backend: "nosuch.backend", Errors: []string{"ERROR: no nosuch"}},
			"Build backend not installable", []string{"nosuch.backend", "[build-system]"}},
		{"bad pyproject", app.TOMLSyntaxError{Path: "pyproject.toml", Line: 3, Column: 19, Message: "expected a value"},
			"Invalid pyproject.toml", []string{"line 3", "TOML syntax"}},
		{"several django projects", app.HomeAmbiguousError{Candidates: []string{"api", "backend"}},
			"Several Django projects in the source", []string{"manage.py: api, backend", "echo api > .warpdrive/home"}},
		{"unreadable settings line", app.SettingsLineError{Home: "backend", Line: "os.environ.setdefault('DJANGO_SETTINGS_MODULE', f'{NAME}.settings')"},
			"Django settings module not readable from manage.py", []string{"backend/manage.py does not name the settings module as a plain string",
				"f'{NAME}.settings'", "DJANGO_SETTINGS_MODULE=mysite.settings` in .warpdrive/environment", "pack build --env DJANGO_SETTINGS_MODULE"}},
		{"no django wsgi application", app.DjangoWSGIError{SettingsModule: "config.settings.production", LookedFor: []string{"config/settings/wsgi.py", "config/wsgi.py"}},
			"Django WSGI application not found", []string{"config.settings.production sets no WSGI_APPLICATION", "looked for config/settings/wsgi.py, config/wsgi.py",
				`WSGI_APPLICATION = "config.wsgi.application" in config/settings/production.py`, "WARPDRIVE_WSGI_APPLICATION=config.wsgi:application"}},
		{"a malformed WSGI_APPLICATION", app.DjangoWSGIError{SettingsModule: "mysite.settings", WSGIApplication: "application"},
			"Django WSGI application not found", []string{`WSGI_APPLICATION in mysite.settings is "application"`, "WARPDRIVE_WSGI_APPLICATION=mysite.wsgi:application"}},
		{"pip target", app.UnsupportedVariableError{Variables: []app.UnsupportedVariable{{Name: "PIP_TARGET", Value: "/tmp/t", Why: "pip would install the packages into that directory"}}},
			"Unsupported build variable PIP_TARGET", []string{`PIP_TARGET="/tmp/t" is set for the build`, "Remove PIP_TARGET"}},
		{"several forbidden variables", app.UnsupportedVariableError{Variables: []app.UnsupportedVariable{
			{Name: "PIP_TARGET", Value: "/t", Why: "pip would install the packages into that directory"},
			{Name: "VIRTUAL_ENV", Value: "/venv", Why: "warpdrive creates the application's virtual environment itself"}}},
			"Unsupported build variables PIP_TARGET, VIRTUAL_ENV", []string{`PIP_TARGET="/t" is set for the build: pip would install`,
				`VIRTUAL_ENV="/venv" is set for the build: warpdrive creates`, "Remove PIP_TARGET, VIRTUAL_ENV from"}},
		{"lock pin for another python", pip.LockPinPythonError{File: "uv.lock", Package: "flask", Version: "9.0", RequiresPython: ">=3.14", Python: "3.13.5"},
			"Locked version needs another Python", []string{"uv.lock pins flask 9.0, which requires Python >=3.14; the build uses Python 3.13.5",
				"a .python-version file", "lock again with the Python the build uses (3.13.5)"}},
		{"entry probe", layers.EntryProbeError{EntryPoint: "server:app", Tail: []string{"Fatal Python error: Segmentation fault"}, Err: errors.New("signal: segmentation fault")},
			"Unable to run the WSGI entry point probe", []string{"probing the WSGI entry point server:app failed: signal: segmentation fault", "  Fatal Python error"}},
		{"environment file", app.EnvironmentFileError{Path: "/workspace/.warpdrive/environment", Line: 3, Text: "GREETING hello"},
			"Invalid .warpdrive/environment", []string{`environment line 3: expected NAME=value, found "GREETING hello"`, "Write line 3 as NAME=value"}},
		{"unreadable requirements", app.RequirementFileError{Path: "requirements.txt", Err: errors.New("read requirements.txt: is a directory")},
			"Unreadable requirements file", []string{"unable to read the requirements file requirements.txt: read requirements.txt: is a directory", "not a directory"}},
		{"hook environment lost", hooks.EnvironmentLostError{Name: "build-env"},
			"Action hook build-env ended before its environment could be read", []string{"Do not `exec` in .warpdrive/action_hooks/build-env"}},
		{"an unset variable in a Pipfile.lock source, wrapped",
			fmt.Errorf("installing: %w", pip.IndexVariableError{File: "Pipfile.lock", Variable: "PRIVATE_TOKEN", URL: "https://__token__:${PRIVATE_TOKEN}@pypi.example/simple"}),
			"Unset variable in a package index URL",
			[]string{"Pipfile.lock: the index URL https://__token__:${PRIVATE_TOKEN}@pypi.example/simple names $PRIVATE_TOKEN, which the build does not set",
				"pack build --env PRIVATE_TOKEN=...", "binding of type pip", "is written %24"}},
		{"another provided version", LaterVersionError{Constraint: "3.11.*", VersionSource: "Pipfile", Installed: "3.13.5", Request: req,
			Available: []string{"3.11.2", "3.13.5"}, Fits: []string{"3.11.2"}},
			"A later buildpack needs another Python version",
			[]string{"requires cpython version 3.11.* (version-source Pipfile)", "installs Python 3.13.5 (the buildpack default asks for 3.13)",
				"pack build --env BP_PYTHON_VERSION=3.11.2", "change that buildpack's cpython requirement to match 3.13.5"}},
		{"no provided version fits", LaterVersionError{Constraint: "3.8", Installed: "3.13.5", Request: req, Available: []string{"3.11.2", "3.13.5"}},
			"A later buildpack needs a Python version warpdrive does not provide",
			[]string{"requires cpython version 3.8 in its build plan", "This buildpack provides: 3.11.2, 3.13.5."}},
		{"unreadable", LaterVersionError{Constraint: "python3", Installed: "3.13.5", Request: req, Unreadable: errors.New("improper constraint: python3")},
			"A later buildpack's Python version is not readable",
			[]string{"requires cpython version python3 in its build plan: improper constraint: python3", "semver constraint", "BP_PYTHON_VERSION"}},
		{"a snapshot that could not be written out",
			fmt.Errorf("step: %w", reuse.SnapshotRestoreError{Name: "venv", Dir: "/layers/warpdrive/venv",
				Err: fmt.Errorf("write /layers/warpdrive/venv/lib/x.so: %w", syscall.ENOSPC)}),
			"Unable to unpack a layer from the cache",
			[]string{"The snapshot of the venv layer could not be unpacked into /layers/warpdrive/venv:",
				"write /layers/warpdrive/venv/lib/x.so: no space left on device", "Free space on the disk", "kept the cache"}},
		{"collectstatic's output that could not be written out into STATIC_ROOT",
			fmt.Errorf("step: %w", reuse.SnapshotRestoreError{Name: layers.AppStaticSnapshot, Dir: "/workspace/staticfiles",
				Err: fmt.Errorf("write /workspace/staticfiles/site.css: %w", syscall.ENOSPC)}),
			"Unable to unpack a layer from the cache",
			[]string{"The collectstatic output kept in the cache could not be unpacked into STATIC_ROOT /workspace/staticfiles:",
				"no space left on device", "the disk that holds the application directory", "kept the cache"}},
		{"probe could not run, wrapped", fmt.Errorf("web: %w", layers.EntryProbeError{EntryPoint: "wsgi:application", Err: errors.New("exec: no such file")}),
			"Unable to run the WSGI entry point probe", []string{"wsgi:application"}},
	}
	// lacks are promises a message must not make: what a failed build
	// keeps is said once, by Build, from what it restored (see keptLine).
	lacks := map[string][]string{"pip": {"are kept", "build again:"}, "build hook": {"are kept"}}
	covered := map[string]bool{}
	for _, tt := range tests {
		if f, ok := familyIn(families, tt.err); ok {
			covered[f.Title] = true
		}
		t.Run(tt.name, func(t *testing.T) {
			m := Explain(tt.err)
			if m.Title != tt.title {
				t.Errorf("title = %q, want %q", m.Title, tt.title)
			}
			text := m.Format()
			for _, s := range tt.says {
				if !strings.Contains(text, s) {
					t.Errorf("message lacks %q:\n%s", s, text)
				}
			}
			for _, s := range lacks[tt.name] {
				if strings.Contains(text, s) {
					t.Errorf("message says %q:\n%s", s, text)
				}
			}
			if len(m.Fix) == 0 {
				t.Errorf("message says nothing about how to fix it:\n%s", text)
			}
		})
	}
	// Every title has a case, and there are at least 40 of them.
	for _, f := range families {
		if !covered[f.Title] {
			t.Errorf("no case for the title %q", f.Title)
		}
	}
	if len(families) < 40 {
		t.Errorf("%d titled errors, want at least 40", len(families))
	}
}

// familyIn is the first of fams that explains err, as Explain tries them.
func familyIn(fams []family, err error) (family, bool) {
	for _, f := range fams {
		if _, ok := f.explain(err); ok {
			return f, true
		}
	}
	return family{}, false
}

// The README's "When something is wrong" table lists every title, each
// once, and nothing else.
func TestREADMEListsEveryTitle(t *testing.T) {
	src, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(src), "## When something is wrong")
	section, _, _ = strings.Cut(section, "\n## ")
	listed := map[string]bool{}
	for _, line := range strings.Split(section, "\n") {
		if cells := strings.Split(line, "|"); len(cells) >= 4 && strings.HasPrefix(line, "| ") {
			listed[strings.Trim(strings.TrimSpace(cells[1]), "`")] = true
		}
	}
	delete(listed, "Title")
	for _, f := range families {
		if !listed[f.Title] {
			t.Errorf("README's \"When something is wrong\" does not list %q", f.Title)
		}
		delete(listed, f.Title)
	}
	for title := range listed {
		t.Errorf("README lists %q, which no error has", title)
	}
}

// The unavailable-version fix suggests the newest available minor version.
func TestMinorOfSuggestsTheNewestMinor(t *testing.T) {
	tests := []struct {
		available []string
		want      string
	}{
		{[]string{"3.11.2", "3.13.5"}, "3.13"},
		{[]string{"3.13.5", "3.14rc1"}, "3.14"},
		{[]string{"3.12", "4"}, "4"},
		{nil, "3.13"},
	}
	for _, tt := range tests {
		if got := minorOf(tt.available); got != tt.want {
			t.Errorf("minorOf(%q) = %q, want %q", tt.available, got, tt.want)
		}
	}
}
