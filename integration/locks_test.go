//go:build integration

package integration

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"text/template"
)

// indexFile is the wheel the local package index serves for a project.
type indexFile struct{ Version, File, URL, SHA256 string }

// indexURL is the local package index, as the build reaches it.
func indexURL() string {
	port := os.Getenv("WARPDRIVE_INDEX_PORT")
	if port == "" {
		port = "7399"
	}
	return "http://127.0.0.1:" + port + "/simple"
}

// indexLogPath is the local package index server's log (scripts/harness/serve.sh):
// one line per request, as python's http.server writes it.
func indexLogPath() string {
	cache := os.Getenv("WARPDRIVE_CACHE")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache", "warpdrive")
	}
	port := os.Getenv("WARPDRIVE_INDEX_PORT")
	if port == "" {
		port = "7399"
	}
	return filepath.Join(cache, "run", "index-server-"+port+".log")
}

var packageFileGet = regexp.MustCompile(`"GET /[^" ]*/([^/" ]+\.(?:whl|tar\.gz|zip)) HTTP/[0-9.]+" 200 `)

// packageDownloads are the package files (wheels and sdists, not their
// metadata or the index pages) the index served in full after offset.
func packageDownloads(t *testing.T, offset int64) []string {
	t.Helper()
	var files []string
	for _, m := range packageFileGet.FindAllStringSubmatch(logSince(t, indexLogPath(), offset), -1) {
		files = append(files, m[1])
	}
	return files
}

var wheelLink = regexp.MustCompile(`href="([^"#]+/([^/"#]+\.whl))#sha256=([0-9a-f]{64})"`)

// readIndex finds each project's wheel on the index: its files are built
// from Debian's packages, so their hashes are not PyPI's and a lock that
// pins them must be written here.
func readIndex(t *testing.T, names ...string) map[string]indexFile {
	t.Helper()
	out := map[string]indexFile{}
	for _, name := range names {
		page := indexURL() + "/" + name + "/"
		resp, err := http.Get(page)
		if err != nil {
			t.Fatalf("reading the index page of %s: %v", name, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := wheelLink.FindStringSubmatch(string(body))
		if m == nil {
			t.Fatalf("the index has no wheel of %s (%s):\n%s", name, page, body)
		}
		base, _ := url.Parse(page)
		ref, _ := url.Parse(m[1])
		// name-version-python-abi-platform.whl
		version := strings.Split(m[2], "-")[1]
		out[name] = indexFile{Version: version, File: m[2], URL: base.ResolveReference(ref).String(), SHA256: m[3]}
	}
	return out
}

// lockedFlask is the locked_flask fixture with locks/<format>/ moved to its
// root and every template there filled in from the index.
func lockedFlask(t *testing.T, format string) *App {
	t.Helper()
	a := NewApp(t, "locked_flask")
	src := filepath.Join(a.Dir, "locks", format)
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	index := readIndex(t, "blinker", "click", "flask", "gunicorn", "itsdangerous", "jinja2", "markupsafe", "packaging", "werkzeug")
	funcs := template.FuncMap{
		"v":     func(n string) string { return index[n].Version },
		"sha":   func(n string) string { return index[n].SHA256 },
		"file":  func(n string) string { return index[n].File },
		"url":   func(n string) string { return index[n].URL },
		"index": indexURL,
	}
	for _, e := range entries {
		if e.IsDir() {
			// Sources of the app's own packages (a uv workspace member):
			// copied as they are.
			copyTree(t, filepath.Join(src, e.Name()), filepath.Join(a.Dir, e.Name()))
			continue
		}
		text, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		tmpl, err := template.New(e.Name()).Funcs(funcs).Parse(string(text))
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := tmpl.Execute(&b, nil); err != nil {
			t.Fatal(err)
		}
		a.Write(e.Name(), b.String())
	}
	os.RemoveAll(filepath.Join(a.Dir, "locks"))
	return a
}

// lockedPackages are the distributions every locked_flask lock resolves to
// for a Linux image: not colorama (Windows only), not pytest or iniconfig
// (dev only), none of which the index holds. The uv variant's lock adds its
// workspace member, libs/greeting.
const lockedPackages = 9

// TestLockFiles: an app per lock format builds with exactly the lock's pins
// (hashes required, no resolver), the dev group and the Windows-only
// dependency left out, and serves its page and static file with the
// gunicorn the lock pins.
func TestLockFiles(t *testing.T) {
	for _, tc := range []struct{ format, file string }{
		{"uv", "uv.lock"},
		{"poetry", "poetry.lock"},
		{"pipenv", "Pipfile.lock"},
		{"pylock", "pylock.toml"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			a := lockedFlask(t, tc.format)
			var flags []string
			switch tc.format {
			case "uv":
				// No PIP_INDEX_URL: the lock's own index is used.
				a.env = []string{"WARPDRIVE_PIP_INDEX_ENV=0"}
			case "pipenv":
				// No PIP_INDEX_URL, and the source's URL names a variable,
				// as Pipfiles do for credentials: pip gets it expanded,
				// the log shows only the name.
				a.env = []string{"WARPDRIVE_PIP_INDEX_ENV=0"}
				lock, _ := os.ReadFile(filepath.Join(a.Dir, "Pipfile.lock"))
				host := strings.TrimSuffix(strings.TrimPrefix(indexURL(), "http://"), "/simple")
				a.Write("Pipfile.lock", strings.Replace(string(lock), `"url": "`+indexURL()+`"`, `"url": "http://${WARPDRIVE_TEST_INDEX_HOST}/simple"`, 1))
				flags = []string{"--env", "WARPDRIVE_TEST_INDEX_HOST=" + host}
			}
			log := a.MustBuild(flags...)
			pins := lockedPackages
			if tc.format == "uv" {
				pins++
			}
			assertContains(t, "build log", log,
				fmt.Sprintf("Installing the %d packages %s pins", pins, tc.file),
				"--require-hashes --no-deps")
			assertNotContains(t, "build log", log, "colorama", "pytest", "iniconfig", "Server: adding")
			if tc.format == "uv" {
				assertContains(t, "build log", log, "--index-url "+indexURL())
			}
			if tc.format == "pipenv" {
				assertContains(t, "build log", log, "--index-url http://${WARPDRIVE_TEST_INDEX_HOST}/simple")
				assertNotContains(t, "build log", log, "--index-url "+indexURL())
			}
			if tc.format == "poetry" {
				// package-mode = false: the project itself is not built.
				assertNotContains(t, "build log", log, "the project itself")
			}

			c := a.Run(8080, "-e", "LOCKED_BY="+tc.file)
			_, body := c.GetOK("/")
			assertContains(t, "page", body, "Hello from a "+tc.file+" app")
			assertStatic(t, c, "/static/site.css", "teal")
			freeze := strings.ToLower(c.Exec("/layers/warpdrive/venv/bin/python", "-m", "pip", "freeze", "--all"))
			index := readIndex(t, "flask", "gunicorn")
			assertContains(t, "pip freeze", freeze, "flask=="+index["flask"].Version, "gunicorn=="+index["gunicorn"].Version)
			assertNotContains(t, "pip freeze", freeze, "colorama", "pytest")

			if tc.format != "uv" {
				return
			}
			t.Run("unchanged rebuild runs no pip", func(t *testing.T) {
				a := a.In(t)
				log := a.MustBuild()
				assertContains(t, "rebuild log", log, "Python packages: Reusing cached layer")
				assertNotContains(t, "rebuild log", log, ": pip install", "Creating a virtual environment")
			})
			assertContains(t, "page", body, "Greetings from the workspace member")
			t.Run("an edit to the workspace member rebuilds the venv", func(t *testing.T) {
				a := a.In(t)
				a.Write("libs/greeting/greeting/__init__.py", "WORDS = \"Edited words of the member\"\n")
				log := a.MustBuild()
				assertContains(t, "rebuild log", log, "Python packages: Contributing to layer (local_source libs/greeting changed)")
				_, body := a.Run(8080).GetOK("/")
				assertContains(t, "page after the edit", body, "Edited words of the member")
			})
			t.Run("a wrong hash fails naming the package", func(t *testing.T) {
				a := a.In(t)
				lock, _ := os.ReadFile(filepath.Join(a.Dir, "uv.lock"))
				flask := readIndex(t, "flask")["flask"].SHA256
				a.Write("uv.lock", strings.Replace(string(lock), flask, strings.Repeat("0", 64), 1))
				log, err := a.Build()
				if err == nil {
					t.Fatalf("the build passed with a wrong hash:\n%s", log)
				}
				assertContains(t, "build log", log, "[Error: Hash mismatch for a locked package]",
					"flask=="+readIndex(t, "flask")["flask"].Version, "expected sha256:"+strings.Repeat("0", 64), "got sha256:"+flask)
				// The failed build lost nothing: with the lock restored, the
				// venv of the last good build is reused.
				a.Write("uv.lock", string(lock))
				log = a.MustBuild()
				assertContains(t, "build log after the fix", log, "Python packages: Reusing cached layer")
			})
		})
	}
}

// TestPEP621PackageWithFlit: a pyproject.toml project with a flit_core build
// backend and no lock, in a src layout: pip installs the project (built with
// flit_core from the index) and its [project] dependencies, so the package
// the Procfile names is importable from the venv.
func TestPEP621PackageWithFlit(t *testing.T) {
	parallel(t)
	a := NewApp(t, "flit_package")
	log := a.MustBuild()
	assertContains(t, "build log", log, "Installing the project with pip install . (pyproject.toml)", "Successfully installed")
	c := a.Run(8080)
	_, body := c.GetOK("/")
	assertContains(t, "page", body, "Hello from the installed package hello_flit at /layers/warpdrive/venv/lib/python3.")
	assertStatic(t, c, "/static/site.css", "purple")
}

// TestLockProblemsFailFast: a lock its own tool would refuse, and a Python
// the project excludes, stop the build before CPython is installed (nothing
// is contributed), each with a titled error naming what is wrong and the
// command that fixes it. One small app per lock format, broken one way per
// build.
func TestLockProblemsFailFast(t *testing.T) {
	parallel(t)
	uv := lockedFlask(t, "uv")
	poetry := lockedFlask(t, "poetry")
	read := func(a *App, file string) string {
		return readFile(t, filepath.Join(a.Dir, file))
	}
	uvPyproject, poetryPyproject, poetryLock := read(uv, "pyproject.toml"), read(poetry, "pyproject.toml"), read(poetry, "poetry.lock")
	// good are each app's files the tests break.
	good := map[*App]map[string]string{
		uv:     {"pyproject.toml": uvPyproject},
		poetry: {"pyproject.toml": poetryPyproject, "poetry.lock": poetryLock},
	}
	tests := []struct {
		name   string
		app    *App
		break_ func(a *App)
		says   []string
	}{
		{"uv.lock without a dependency pyproject.toml declares", uv, func(a *App) {
			a.Write("pyproject.toml", strings.Replace(uvPyproject, `"gunicorn>=23",`, `"gunicorn>=23",`+"\n"+`    "rich>=13",`, 1))
		}, []string{"[Error: uv.lock is out of date]", "pyproject.toml declares rich, which uv.lock does not lock",
			"`uv sync --locked` would refuse it", "Run `uv lock` and commit uv.lock with pyproject.toml."}},
		{".python-version outside requires-python", uv, func(a *App) {
			a.Write("pyproject.toml", strings.Replace(uvPyproject, `requires-python = ">=3.11"`, `requires-python = "==3.12.*"`, 1))
			a.Write(".python-version", "3.13\n")
		}, []string{"[Error: Python version outside requires-python]",
			`.python-version asks for Python 3.13 (the build would use 3.13.5), but pyproject.toml [project] requires-python is "==3.12.*"`,
			"Change .python-version to a version that pyproject.toml [project] requires-python allows (==3.12.*)"}},
		{"poetry.lock without a dependency pyproject.toml declares", poetry, func(a *App) {
			a.Write("pyproject.toml", strings.Replace(poetryPyproject, `"gunicorn (>=23)",`, `"gunicorn (>=23)",`+"\n"+`    "rich (>=13)",`, 1))
		}, []string{"[Error: poetry.lock is out of date]", "pyproject.toml declares rich, which poetry.lock does not lock", "Run `poetry lock`"}},
		{"poetry.lock without a package flask requires", poetry, func(a *App) {
			a.Write("poetry.lock", withoutLockedPackage(poetryLock, "blinker"))
		}, []string{"[Error: poetry.lock is incomplete]", "flask requires blinker, which is not locked", "To lock again, run `poetry lock`"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.app.In(t)
			tt.break_(a)
			log, err := a.Build()
			if err == nil {
				t.Fatalf("the build succeeded; want it to fail:\n%s", log)
			}
			assertContains(t, "failed build log", log, tt.says...)
			assertNotContains(t, "failed build log", log, "Contributing to layer", "Installing")
			for file, content := range good[tt.app] {
				a.Write(file, content)
			}
			os.Remove(filepath.Join(a.Dir, ".python-version"))
		})
	}
}

// withoutLockedPackage removes a [[package]] entry, with its subtables,
// from a poetry.lock.
func withoutLockedPackage(lock, name string) string {
	entries := strings.Split(lock, "[[package]]\n")
	kept := entries[:1]
	for _, e := range entries[1:] {
		if !strings.HasPrefix(e, "name = \""+name+"\"\n") {
			kept = append(kept, e)
		}
	}
	return strings.Join(kept, "[[package]]\n")
}
