//go:build integration

package integration

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// assertServesDjango checks the admin login page and its stylesheet through
// Apache/mod_wsgi, as a non-root user.
func assertServesDjango(t *testing.T, c *Container) {
	t.Helper()
	resp, body := c.GetOK("/admin/login/")
	assertContains(t, "login page", body, "Django administration", "/static/admin/css/base.css")
	assertServer(t, resp)
	assertStatic(t, c, "/static/admin/css/base.css", "DJANGO Admin styles")
}

// assertServer: Apache answered (mod_wsgi-express sends "Server: Apache";
// assertModWSGI checks the startup log for the module).
func assertServer(t *testing.T, resp *http.Response) {
	t.Helper()
	if s := resp.Header.Get("Server"); s != "Apache" {
		t.Errorf("Server header = %q, want Apache", s)
	}
}

// assertModWSGI: the startup log shows Apache running mod_wsgi with the
// buildpack's Python.
func assertModWSGI(t *testing.T, c *Container, python string) {
	t.Helper()
	assertContains(t, "startup log", c.Logs(), "mod_wsgi/5.0.2 Python/"+python+" configured", "Request Capacity")
}

func assertNonRoot(t *testing.T, c *Container) {
	t.Helper()
	if uid := c.Exec("id", "-u"); uid == "0" || uid == "" {
		t.Errorf("the container runs as uid %q, want a non-root user", uid)
	}
	// The server itself (PID 1 after the exec chain) is not root either.
	if owner := c.Exec("stat", "-c", "%u", "/proc/1"); owner == "0" {
		t.Errorf("PID 1 runs as root")
	}
}

// assertNoSetuidFiles: the image has no setuid or setgid file, so nothing
// in it can take another user's rights.
func assertNoSetuidFiles(t *testing.T, c *Container) {
	t.Helper()
	if found := c.Exec("sh", "-c", "find / -xdev -type f -perm /6000 2>/dev/null; true"); found != "" {
		t.Errorf("setuid or setgid files in the image:\n%s", found)
	}
}

// hardenedRun are the flags of a locked-down pod (OpenShift's arbitrary UID
// in group 0, Kubernetes' readOnlyRootFilesystem, no capabilities): docker's
// --tmpfs is mounted noexec, so nothing may be executed from /tmp.
var hardenedRun = []string{"--user", "123456:0", "--read-only", "--tmpfs", "/tmp",
	"--cap-drop", "ALL", "--security-opt", "no-new-privileges"}

// assertServesHardened runs the image with hardenedRun and fetches page (and
// the static file css, when given) from it.
func assertServesHardened(t *testing.T, a *App, page, pageText, css, cssText string) {
	t.Helper()
	c := a.Run(8080, hardenedRun...)
	if mounts := c.Exec("grep", " /tmp ", "/proc/mounts"); !strings.Contains(mounts, "noexec") {
		t.Errorf("/tmp is not noexec in the hardened container: %s", mounts)
	}
	if uid := c.Exec("id", "-u"); uid != "123456" {
		t.Errorf("the hardened container runs as uid %s", uid)
	}
	_, body := c.GetOK(page)
	assertContains(t, "hardened "+page, body, pageText)
	if css != "" {
		assertStatic(t, c, css, cssText)
	}
}

// assertStopsQuickly: the server is PID 1, and `docker stop` ends it within
// its 10 s grace period, cleanly (exit status 0, or 143 for termination by
// SIGTERM) and with no error or traceback in what it logged while stopping.
func assertStopsQuickly(t *testing.T, c *Container) {
	t.Helper()
	// The server itself is PID 1, the process docker stop signals: no shell or
	// helper is left in between to swallow SIGTERM.
	switch comm := c.Exec("cat", "/proc/1/comm"); comm {
	case "bash", "sh", "dash", "launcher", "warpdrive-start", "":
		t.Errorf("PID 1 is %q, not the server", comm)
	default:
		t.Logf("PID 1: %s", comm)
	}
	before := c.Logs()
	took, code := c.Stop()
	t.Logf("docker stop: %s, exit code %s", took.Round(100*time.Millisecond), code)
	if took > 10*time.Second {
		t.Errorf("docker stop took %s, want under 10 s (the server must receive SIGTERM)", took)
	}
	// 0, or 143 (128 + SIGTERM) for an app.py with no handler of its own.
	if code != "0" && code != "143" {
		t.Errorf("after docker stop the container's exit code is %s, want 0 or 143", code)
	}
	shutdown := strings.TrimPrefix(c.Logs(), before)
	if lower := strings.ToLower(shutdown); strings.Contains(lower, "error") || strings.Contains(lower, "traceback") {
		t.Errorf("the shutdown log has an error:\n%s", shutdown)
	}
}

var reusing = func(title string) string { return title + ": Reusing cached layer" }

func contributing(log, title string) bool {
	return regexp.MustCompile(regexp.QuoteMeta(title) + `[^:\n]*: Contributing to layer`).MatchString(log)
}

func TestDjangoStartprojectBuildsServesAndReusesLayers(t *testing.T) {
	a := NewApp(t, "django_startproject")

	log := a.MustBuild()
	for _, title := range []string{"CPython", "Python packages", "mod_wsgi", "Django static files"} {
		if !contributing(log, title) {
			t.Errorf("first build must contribute %s; log:\n%s", title, log)
		}
	}
	assertContains(t, "build log", log,
		"Python 3.13", "requested 3.13 by the buildpack default",
		"Build Configuration:", "BP_PYTHON_VERSION",
		"Deploy mode: wsgi (auto: found manage.py (Django))",
		"STATIC_ROOT is not set in mysite.settings",
		// startproject's settings are for development: the deployment checks say so.
		"WARNING: Django's deployment checks (manage.py check --deploy) found",
		"WARNING: security.W018: You should not have DEBUG set to True in deployment.",
		"static files copied to",
		"Completed in")

	// Every launch layer warpdrive builds has a CycloneDX SBOM.
	sboms := a.PackSBOM()
	assertContains(t, "the python layer's SBOM", sboms["python"], `"specVersion": "1.5"`, `"name": "CPython"`, `"version": "3.13.5"`,
		`"purl": "pkg:generic/python@3.13.5`, `"alg": "SHA-256"`, `"purl": "pkg:pypi/pip@`)
	assertContains(t, "the venv's SBOM", sboms["venv"], `"purl": "pkg:pypi/django@4.2.`, `"purl": "pkg:pypi/asgiref@`, `"name": "BSD`)
	assertContains(t, "mod_wsgi's SBOM", sboms["mod_wsgi"], `"purl": "pkg:pypi/mod-wsgi@5.0.2"`)
	// And an SPDX one, for scanners that read SPDX only.
	assertContains(t, "the venv's SPDX SBOM", sboms["venv.spdx"], `"spdxVersion": "SPDX-2.3"`, `"name": "Django"`,
		`"referenceLocator": "pkg:pypi/django@4.2.`, `"referenceLocator": "pkg:pypi/asgiref@`, `"relationshipType": "DESCRIBES"`)
	assertContains(t, "the python layer's SPDX SBOM", sboms["python.spdx"], `"name": "CPython"`, `"versionInfo": "3.13.5"`,
		`"referenceLocator": "pkg:generic/python@3.13.5`, `"algorithm": "SHA256"`)
	assertContains(t, "mod_wsgi's SPDX SBOM", sboms["mod_wsgi.spdx"], `"referenceLocator": "pkg:pypi/mod-wsgi@5.0.2"`)

	inspect := a.PackInspect()
	assertContains(t, "pack inspect", inspect, "web (default)", "warpdrive-start",
		"--entry-point mysite.wsgi", "--callable-object application", "--url-alias /static/", "--port $PORT")

	c := a.Run(8080)
	assertServesDjango(t, c)
	assertModWSGI(t, c, "3.13")
	assertNonRoot(t, c)
	assertNoSetuidFiles(t, c)
	assertServesHardened(t, a, "/admin/login/", "Django administration", "/static/admin/css/base.css", "DJANGO Admin styles")
	assertContains(t, "startup log", c.Logs(), "Executing server command 'mod_wsgi-express start-server", "--port 8080")
	// The build leaves no bytecode in the app directory (the probes and
	// collectstatic do not write it), so the app layer is the source alone.
	if found := c.Exec("find", "/workspace", "-name", "__pycache__"); found != "" {
		t.Errorf("the build wrote bytecode into the app directory:\n%s", found)
	}
	assertStopsQuickly(t, c)
	assertVenvFirstOnPath(t, a)

	// The platform's $PORT moves the server (Cloud Run, Heroku).
	c9000 := a.Run(9000, "-e", "PORT=9000")
	assertServesDjango(t, c9000)
	assertContains(t, "startup log", c9000.Logs(), "--port 9000")

	assertStatic(t, c9000, "/static/site.css", "#123456")

	// Unchanged: every layer is reused, and no Python runs at all: the
	// settings are what the last build read, and the launch layers are not
	// even unpacked (the exporter reuses the previous image's).
	log = a.MustBuild()
	for _, title := range []string{"CPython 3.13.5", "Python packages", "mod_wsgi 5.0.2", "Django static files"} {
		assertContains(t, "unchanged rebuild", log, reusing(title))
	}
	assertContains(t, "unchanged rebuild", log, "Django settings: reusing the previous build's result")
	assertNotContains(t, "unchanged rebuild", log, "Running pip install", "static files copied", "unpacked from the cache")
	// The reused layers keep their SBOMs (the lifecycle restores them).
	assertContains(t, "the venv's SBOM after a reuse", a.PackSBOM()["venv"], `"purl": "pkg:pypi/django@4.2.`)

	// Code that collectstatic and the probes never read (the URLconf): still
	// no Python, and the new image serves the change.
	a.Write("mysite/urls.py", readFile(t, filepath.Join(a.Dir, "mysite", "urls.py"))+"\n# an edit\n")
	log = a.MustBuild()
	assertContains(t, "rebuild after a URLconf edit", log, reusing("Django static files"), "Django settings: reusing the previous build's result")
	assertNotContains(t, "rebuild after a URLconf edit", log, "static files copied", "unpacked from the cache")
	assertServesDjango(t, a.Run(8080))

	// A static file collectstatic read: collected again (Python unpacked
	// from the cache for it), the settings still reused.
	a.Write("assets/site.css", "body { color: #abcdef; }\n")
	log = a.MustBuild()
	assertContains(t, "rebuild after a static file edit", log, "Django static files: Contributing to layer (assets/site.css changed)",
		"unpacked from the cache", "Django settings: reusing the previous build's result")
	c = a.Run(8080)
	assertStatic(t, c, "/static/site.css", "#abcdef")

	// The settings: read again, and collected again.
	a.Write("mysite/settings.py", readFile(t, filepath.Join(a.Dir, "mysite", "settings.py"))+"\nUSE_TZ = True\n")
	log = a.MustBuild()
	assertContains(t, "rebuild after a settings edit", log, "Django settings: running Python again (mysite/settings.py changed)",
		"Django static files: Contributing to layer (mysite/settings.py changed)")

	// The image removed but the cache kept: the layers come back from their
	// snapshots, not from pip or a compiler.
	if out, err := exec.Command("docker", "rmi", "-f", a.Image).CombinedOutput(); err != nil {
		t.Fatalf("docker rmi: %v\n%s", err, out)
	}
	log = a.MustBuild()
	for _, title := range []string{"CPython 3.13.5", "Python packages", "mod_wsgi 5.0.2"} {
		assertContains(t, "build with the image removed", log, title+": Restoring the layer from the cache")
	}
	assertNotContains(t, "build with the image removed", log, "Running pip install", "Compiling mod_wsgi")
	assertServesDjango(t, a.Run(8080))

	// A requirements change rebuilds the packages and what depends on them
	// only, and downloads only the added package: the rest comes from pip's
	// cache (the index may be asked whether a file changed, and answer 304).
	a.Write("requirements.txt", "Django==4.2.*\nwhitenoise\n")
	offset := logSize(t, indexLogPath())
	log = a.MustBuild()
	downloads := packageDownloads(t, offset)
	if len(downloads) != 1 || !strings.HasPrefix(downloads[0], "whitenoise-") {
		t.Errorf("adding whitenoise downloaded %v from the index, want only whitenoise's file", downloads)
	}
	assertContains(t, "rebuild after a requirements change", log,
		reusing("CPython 3.13.5"), reusing("mod_wsgi 5.0.2"),
		"Python packages: Contributing to layer (requirements changed)",
		"Django settings: running Python again (packages changed)",
		"Django static files: Contributing to layer (packages changed)")
	c = a.Run(8080)
	assertServesDjango(t, c)
	assertStatic(t, c, "/static/site.css", "#abcdef")
}

func TestPlainWSGIAppServesPageAndStaticFiles(t *testing.T) {
	parallel(t)
	a := NewApp(t, "wsgi_plain")
	log := a.MustBuild()
	assertContains(t, "build log", log, "Deploy mode: wsgi (auto: found wsgi.py)", "No dependency file (requirements.txt, a lock, pyproject.toml or setup.py): nothing to install",
		"served at /static/")
	assertContains(t, "pack inspect", a.PackInspect(), "--entry-point wsgi", "--callable-object application")

	c := a.Run(8080)
	resp, body := c.GetOK("/")
	assertContains(t, "page", body, "Hello from a plain WSGI app", "Python 3.13.5")
	assertServer(t, resp)
	assertModWSGI(t, c, "3.13")
	assertStatic(t, c, "/static/admin/css/base.css", "font-family")
	assertNonRoot(t, c)
	assertStopsQuickly(t, c)

	c9000 := a.Run(9000, "-e", "PORT=9000")
	if resp, _ := c9000.Get("/"); resp.StatusCode != http.StatusOK {
		t.Errorf("with PORT=9000: GET / = %d", resp.StatusCode)
	}

	// The entry point's import is remembered with the files it read: an
	// unchanged rebuild runs no Python, an edit to wsgi.py imports it again.
	log = a.MustBuild()
	assertContains(t, "unchanged rebuild", log, "Entry point wsgi:application: reusing the previous build's result")
	assertNotContains(t, "unchanged rebuild", log, "unpacked from the cache")
	a.Write("wsgi.py", strings.Replace(readFile(t, filepath.Join(a.Dir, "wsgi.py")), "Hello from a plain WSGI app", "Hello again", 1))
	log = a.MustBuild()
	assertContains(t, "rebuild after an edit to wsgi.py", log, "Entry point wsgi:application: running Python again (wsgi.py changed)",
		"CPython 3.13.5: unpacked from the cache")
	_, body = a.Run(8080).GetOK("/")
	assertContains(t, "page after the edit", body, "Hello again")
}

// TestPythonVersionSources: each place a version can be asked for picks the
// runtime, in order BP_PYTHON_VERSION, .python-version, runtime.txt, and the
// log names the source that won.
func TestPythonVersionSources(t *testing.T) {
	parallel(t)
	tests := []struct {
		name  string
		files map[string]string
		flags []string
		log   []string
	}{
		{".python-version", map[string]string{".python-version": "# the older runtime\n3.11\n"}, nil,
			[]string{"Python 3.11.2: requested 3.11 by .python-version"}},
		{".python-version with a range", map[string]string{".python-version": ">= 3.10, <3.12\n"}, nil,
			[]string{"Python 3.11.2: requested >= 3.10, <3.12 by .python-version"}},
		{"runtime.txt", map[string]string{"runtime.txt": "python-3.11.2\n"}, nil,
			[]string{"Python 3.11.2: requested 3.11.2 by runtime.txt"}},
		{"runtime.txt with a patch that is not provided", map[string]string{"runtime.txt": "python-3.11.1\n"}, nil,
			[]string{"WARNING: runtime.txt asks for Python 3.11.1, which this buildpack does not provide; using 3.11.2", "Python 3.11.2: requested 3.11.1 by runtime.txt"}},
		{"Pipfile", map[string]string{"Pipfile": "[requires]\npython_version = \"3.11\"\n", "requirements.txt": ""}, nil,
			[]string{"Python 3.11.2: requested 3.11 by Pipfile [requires] python_version"}},
		{"Poetry", map[string]string{"pyproject.toml": "[tool.poetry]\nname = \"x\"\n\n[tool.poetry.dependencies]\npython = \"~3.11\"\n", "requirements.txt": ""}, nil,
			[]string{"Python 3.11.2: requested ~3.11 by pyproject.toml [tool.poetry.dependencies] python"}},
		{"BP_PYTHON_VERSION wins over the files", map[string]string{".python-version": "3.13\n", "runtime.txt": "python-3.13.5\n"},
			[]string{"--env", "BP_PYTHON_VERSION=~=3.11.0"}, []string{"Python 3.11.2: requested ~=3.11.0 by BP_PYTHON_VERSION"}},
	}
	// One app, rebuilt per source: the 3.11 runtime is reused between them.
	a := NewApp(t, "wsgi_plain")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := a.In(t)
			for _, f := range []string{".python-version", "runtime.txt", "Pipfile", "pyproject.toml", "requirements.txt"} {
				os.Remove(filepath.Join(a.Dir, f))
			}
			for f, content := range tt.files {
				a.Write(f, content)
			}
			log := a.MustBuild(tt.flags...)
			assertContains(t, "build log", log, tt.log...)
			c := a.Run(8080)
			resp, body := c.Get("/")
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Python 3.11.2") {
				t.Errorf("GET / = %d %s", resp.StatusCode, body)
			}
			// The 3.11 runtime builds mod_wsgi as a wheel, and the image has a
			// locale that exists.
			assertNotContains(t, "build and startup logs", log+c.Logs(), "invalid command 'bdist_wheel'", "Unsupported locale setting")
		})
	}
}

// TestDjangoWithStaticRootAndOwnModWSGI: settings that set STATIC_ROOT get
// collectstatic into it and Apache serving it; a mod_wsgi pinned in the
// requirements is installed with them instead of in its own layer;
// DISABLE_COLLECTSTATIC=1 skips collectstatic.
func TestDjangoWithStaticRootAndOwnModWSGI(t *testing.T) {
	parallel(t)
	a := NewApp(t, "django_startproject")
	settings, err := os.ReadFile(filepath.Join(a.Dir, "mysite", "settings.py"))
	if err != nil {
		t.Fatal(err)
	}
	a.Write("mysite/settings.py", string(settings)+"\nSTATIC_ROOT = BASE_DIR / 'collected'\n")
	a.Write("requirements.txt", "Django==4.2.*\nmod_wsgi==5.0.2\n")

	log := a.MustBuild()
	assertContains(t, "build log", log, "mod_wsgi: installed from the application's requirements",
		"Django static files: collecting into the application's STATIC_ROOT /workspace/collected")
	// Neither layer is contributed nor reused: they are not made at all.
	assertNotContains(t, "build log", log, "mod_wsgi 5.0.2:", "Django static files: Contributing", "Django static files: Reusing")
	assertContains(t, "pack inspect", a.PackInspect(), "--url-alias /static/ /workspace/collected/")
	c := a.Run(8080)
	assertServesDjango(t, c)
	assertModWSGI(t, c, "3.13")
	// The image has no mod_wsgi layer, and the module Apache loaded is the
	// one pip installed into the venv.
	if layers := c.Exec("ls", "/layers/warpdrive"); strings.Contains(layers, "mod_wsgi") {
		t.Errorf("the image has a mod_wsgi layer: /layers/warpdrive holds %s", layers)
	}
	assertMatches(t, "Apache's configuration", c.Exec("grep", "-h", "LoadModule wsgi_module", "/tmp/mod_wsgi-server/httpd.conf"),
		`/layers/warpdrive/venv/lib/python3\.13/site-packages/mod_wsgi/server/mod_wsgi-py313\.cpython-313-[^ ]*\.so`)

	log = a.MustBuild("--env", "DISABLE_COLLECTSTATIC=1")
	assertContains(t, "build log", log, "collectstatic skipped (DISABLE_COLLECTSTATIC is set)",
		"STATIC_ROOT /workspace/collected does not exist, so no static files are served")
	assertNotContains(t, "pack inspect", a.PackInspect(), "--url-alias")
	c = a.Run(8080)
	c.GetOK("/admin/login/")
	// Nothing was collected and nothing serves STATIC_URL: Django answers 404.
	if resp, _ := c.Get("/static/admin/css/base.css"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("with collectstatic skipped, GET /static/admin/css/base.css = %d, want 404", resp.StatusCode)
	}
}

// TestFlaskWithCompiledExtension: psycopg2 is compiled from its sdist against
// the buildpack's relocated CPython (its sysconfig rewritten to the layer) and
// the build image's libpq-dev, then loads on the run image.
func TestFlaskWithCompiledExtension(t *testing.T) {
	parallel(t)
	a := NewApp(t, "flask_psycopg2")
	log := a.MustBuild()
	assertMatches(t, "build log", log, `(?i)building wheel for psycopg2`)
	c := a.Run(8080)
	resp, body := c.GetOK("/")
	assertMatches(t, "page", body, `Hello from Flask \d`, `psycopg2 2\.\d+\.\d+ \(dt dec pq3 ext( lo64)?\) linked against libpq 1[0-9]\d{4}`,
		`database host db\.example, dotenv \d`)
	assertServer(t, resp)
	assertStatic(t, c, "/static/site.css", "indigo")
}

// TestReproducibleLayers: two builds of the same app from empty caches give
// the same layers (the same diff IDs) for CPython, the packages, mod_wsgi and
// the static files: no build times, random names or build paths in them.
// mod_wsgi's compiled module is linked without debugging information, which
// would record pip's randomly named build directory.
func TestReproducibleLayers(t *testing.T) {
	parallel(t)
	first, second := NewApp(t, "django_startproject"), NewApp(t, "django_startproject")
	first.MustBuild()
	second.MustBuild()
	a, b := first.LayerDigests(), second.LayerDigests()
	for _, name := range []string{"python", "venv", "mod_wsgi", "static"} {
		if a[name] == "" || a[name] != b[name] {
			t.Errorf("layer %s: %q in one build, %q in the other", name, a[name], b[name])
		}
	}
}
