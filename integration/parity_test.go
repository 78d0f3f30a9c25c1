//go:build integration

package integration

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// serverCheck says how to tell, from a response or the startup log, which
// server answered.
type serverCheck struct {
	server string
	header string // the Server header it sends ("" for none)
	log    string // a line of its startup log
}

var serverChecks = []serverCheck{
	{"gunicorn", "gunicorn", "Booting worker with pid"},
	{"uwsgi", "", "*** Starting uWSGI 2.0.28"},
	{"waitress", "waitress", "Serving on http://0.0.0.0:"},
}

func assertServedBy(t *testing.T, c *Container, resp *http.Response, sc serverCheck) {
	t.Helper()
	if got := resp.Header.Get("Server"); !strings.Contains(got, sc.header) || (sc.header == "" && got != "") {
		t.Errorf("Server header = %q, want %q", got, sc.header)
	}
	assertContains(t, "startup log", c.Logs(), sc.log)
}

// TestServerTypes runs a Django app and a plain WSGI app under gunicorn, uwsgi
// and waitress (mod_wsgi is the other tests' default): each answers, serves
// its static files (WhiteNoise for gunicorn and waitress, --static-map for
// uwsgi), moves with PORT and stops within 10 s.
func TestServerTypes(t *testing.T) {
	parallel(t)
	fixtures := []struct {
		fixture, mode, page, pageText, css, cssText string
	}{
		{"django_startproject", "django", "/admin/login/", "Django administration", "/static/admin/css/base.css", "DJANGO Admin styles"},
		{"wsgi_plain", "wsgi", "/", "Hello from a plain WSGI app", "/static/admin/css/base.css", "font-family"},
	}
	var first *App
	for _, f := range fixtures {
		a := NewApp(t, f.fixture)
		// One pip cache for both apps: uwsgi, an sdist, is compiled once.
		if first == nil {
			first = a
		} else {
			a.ShareBuildCache(first)
		}
		for _, sc := range serverChecks {
			t.Run(f.fixture+"/"+sc.server, func(t *testing.T) {
				a := a.In(t)
				log := a.MustBuild("--env", "WARPDRIVE_SERVER_TYPE="+sc.server, "--env", "WARPDRIVE_DEPLOY_MODE="+f.mode)
				assertContains(t, "build log", log, "Deploy mode: wsgi (deploy mode "+f.mode)
				if sc.server != "uwsgi" {
					assertContains(t, "build log", log, "through WhiteNoise")
				}
				c := a.Run(8080)
				resp, body := c.GetOK(f.page)
				assertContains(t, f.page, body, f.pageText)
				assertServedBy(t, c, resp, sc)
				assertStatic(t, c, f.css, f.cssText)
				assertNonRoot(t, c)
				assertStopsQuickly(t, c)
				assertServesHardened(t, a, f.page, f.pageText, f.css, f.cssText)

				moved := a.Run(9000, "-e", "PORT=9000")
				if resp, _ := moved.Get(f.page); resp.StatusCode != http.StatusOK {
					t.Errorf("with PORT=9000: GET %s = %d", f.page, resp.StatusCode)
				}
			})
		}
	}
}

func TestDeployModeShellRunsAppSh(t *testing.T) {
	parallel(t)
	a := NewApp(t, "app_sh")
	log := a.MustBuild()
	assertContains(t, "build log", log, "Deploy mode: shell (auto: found app.sh)")
	assertMatches(t, "pack inspect", a.PackInspect(), `web \(default\)\s+warpdrive-start\s+/workspace/app.sh`)
	c := a.Run(8080)
	resp, body := c.Get("/")
	if resp.StatusCode != http.StatusOK || body != "Hello, started by app.sh\n" {
		t.Fatalf("GET / = %d %q", resp.StatusCode, body)
	}
	assertServedBy(t, c, resp, serverChecks[0])
	assertStatic(t, c, "/static/site.css", "teal")
	// app.sh exec'd gunicorn: it, not bash, is PID 1 (assertStopsQuickly checks).
	assertStopsQuickly(t, c)
	assertServesHardened(t, a, "/", "Hello, started by app.sh", "/static/site.css", "teal")
}

func TestDeployModePythonRunsAppPy(t *testing.T) {
	parallel(t)
	a := NewApp(t, "app_py")
	log := a.MustBuild()
	assertContains(t, "build log", log, "Deploy mode: python (auto: found app.py, which defines no app or application)")
	c := a.Run(9000, "-e", "PORT=9000")
	resp, body := c.Get("/")
	if resp.StatusCode != http.StatusOK || body != "Hello from app.py\n" || !strings.HasPrefix(resp.Header.Get("Server"), "app.py") {
		t.Fatalf("GET / = %d %q (Server %q)", resp.StatusCode, body, resp.Header.Get("Server"))
	}
	assertStatic(t, c, "/static/site.css", "navy")
	assertContains(t, "startup log", c.Logs(), "app.py listening on 9000", "WEB_CONCURRENCY=")
	// app.py is PID 1 and installs no SIGTERM handler; warpdrive's makes it exit.
	assertStopsQuickly(t, c)
	assertServesHardened(t, a, "/", "Hello from app.py", "/static/site.css", "navy")
	// A read-only root without a writable /tmp: an app that writes nothing
	// starts, since warpdrive-start writes nothing without a deploy-cfg hook.
	readOnly := a.Run(8080, "--read-only", "--user", "123456:0")
	_, body = readOnly.GetOK("/")
	assertContains(t, "read-only root, no /tmp", body, "Hello from app.py")
}

func TestPasteIniRunsUnderModWSGI(t *testing.T) {
	parallel(t)
	a := NewApp(t, "paste_ini")
	log := a.MustBuild()
	assertContains(t, "build log", log, "Deploy mode: paste (auto: found paste.ini)")
	assertContains(t, "pack inspect", a.PackInspect(), "--application-type paste --entry-point /workspace/paste.ini --url-alias /static/ /workspace/static/")
	c := a.Run(8080)
	resp, body := c.Get("/")
	if resp.StatusCode != http.StatusOK || body != "Hello from a Paste Deploy app\n" {
		t.Fatalf("GET / = %d %q\n%s", resp.StatusCode, body, c.Logs())
	}
	assertServer(t, resp)
	assertModWSGI(t, c, "3.13")
	assertStatic(t, c, "/static/site.css", "olive")
	assertServesHardened(t, a, "/", "Hello from a Paste Deploy app", "/static/site.css", "olive")
}

// TestFullControlDeployMode: a server name as the deploy mode runs that server
// with its base arguments and .warpdrive/server_args only.
func TestFullControlDeployMode(t *testing.T) {
	parallel(t)
	a := NewApp(t, "wsgi_plain")
	a.Write(".warpdrive/deploy_mode", "gunicorn\n")
	a.Write(".warpdrive/server_args", "--chdir /workspace --workers ${GUNICORN_WORKERS:-1} wsgi:application\n")
	log := a.MustBuild()
	assertContains(t, "build log", log, "Deploy mode: gunicorn (deploy mode gunicorn (full control")
	c := a.Run(8080, "-e", "GUNICORN_WORKERS=3")
	resp, _ := c.GetOK("/")
	assertServedBy(t, c, resp, serverChecks[0])
	assertContains(t, "startup log", c.Logs(), "Adding .warpdrive/server_args: --chdir /workspace --workers 3 wsgi:application")
}

// TestActionHooks: build hooks run in order with the venv and build-env's
// exports; migrate and setup are process types that run with the server's
// environment against a database on a mounted volume; deploy runs at start.
func TestActionHooks(t *testing.T) {
	parallel(t)
	a := NewApp(t, "hooks_django")
	log := a.MustBuild()
	assertContains(t, "build log", log, "Running action hook pre-build", "Sourcing action hook build-env",
		"Running action hook build", "-r requirements.txt -r requirements-extra.txt",
		"Exported MARKER_FROM_BUILD_ENV, WARPDRIVE_PIP_PACKAGES")
	assertMatches(t, "pack inspect", a.PackInspect(), `migrate\s+warpdrive-start\s+--hook migrate`,
		`setup\s+warpdrive-start\s+--hook setup`, `shell\s+warpdrive-start\s+--exec bash`)

	markers, code := a.RunOnce([]string{"--entrypoint", "launcher"}, "cat", "build-markers.txt")
	if code != 0 {
		t.Fatalf("reading the build markers: exit %d\n%s", code, markers)
	}
	want := "pre-build: phase=build python=Python 3.13.5\n" +
		"build: phase=build venv=/layers/warpdrive/venv marker=set-by-build-env django=4.2.28\n"
	if markers != want {
		t.Errorf("build markers (order and environment):\n%s\nwant:\n%s", markers, want)
	}

	data := t.TempDir()
	os.Chmod(data, 0o777) // the app's non-root user writes the database
	volume := []string{"-v", data + ":/data", "-e", "DATABASE_PATH=/data/db.sqlite3"}
	out, code := a.RunOnce(append(volume, "--entrypoint", "migrate"))
	if code != 0 {
		t.Fatalf("migrate exited %d:\n%s", code, out)
	}
	assertContains(t, "migrate output", out, "Running action hook migrate", "Applying auth.0001_initial... OK")
	if _, err := os.Stat(filepath.Join(data, "db.sqlite3")); err != nil {
		t.Errorf("no database on the mounted volume: %v", err)
	}

	// Every process type is refused as root, before any hook runs.
	for _, entry := range [][]string{{"migrate"}, {"shell", "-c", "echo shell-ran-as-root"}} {
		out, code := a.RunOnce(append(volume, "--user", "0", "--entrypoint", entry[0]), entry[1:]...)
		if code == 0 {
			t.Errorf("%s as root: the container exited 0", entry[0])
		}
		assertContains(t, entry[0]+" as root", out, "ERROR: warpdrive-start: [Running as root]", "WARPDRIVE_ALLOW_ROOT=1")
		assertNotContains(t, entry[0]+" as root", out, "Running action hook", "shell-ran-as-root", "deploy-cfg hook")
	}
	// A read-only root without a writable /tmp: deploy-cfg runs, its marker
	// cannot be written, and the process starts anyway.
	out, code = a.RunOnce([]string{"--read-only", "--entrypoint", "alive"})
	if code != 0 {
		t.Errorf("alive on a read-only root without /tmp exited %d:\n%s", code, out)
	}
	assertContains(t, "alive on a read-only root", out, "deploy-cfg hook: configuring once",
		"WARNING: deploy-cfg ran, but this container cannot record that it did", "alive: django 4.2")

	out, code = a.RunOnce(append(volume, "-e", "DJANGO_ADMIN_USERNAME=opal", "-e", "DJANGO_ADMIN_PASSWORD=s3cret-pw",
		"--entrypoint", "setup"))
	if code != 0 {
		t.Fatalf("setup exited %d:\n%s", code, out)
	}
	assertContains(t, "setup output", out, "No migrations to apply.", "Created admin user opal")

	check := `from django.contrib.auth import authenticate; print("admin ok" if authenticate(username="opal", password="s3cret-pw") else "admin missing")`
	out, _ = a.RunOnce(append(volume, "--entrypoint", "launcher"), "python", "manage.py", "shell", "-c", check)
	assertContains(t, "admin check", out, "admin ok")

	// deploy-env ends in `exit 0`: what it exported still reaches the hooks
	// and the server (which would not start with an empty environment).
	c := a.Run(8080, volume...)
	assertServesDjango(t, c)
	assertContains(t, "startup log", c.Logs(), "Running action hook deploy-cfg", "deploy-cfg hook: configuring once",
		"Running action hook deploy", "deploy hook: GREETING_FROM_DEPLOY_ENV=hello-from-deploy-env phase=deploy")
	if n := strings.Count(c.Logs(), "deploy-cfg hook: configuring once"); n != 1 {
		t.Errorf("deploy-cfg ran %d times in one container, want once", n)
	}

	// alive is a process type; ready is not executable, so it is not one,
	// and the build says why.
	assertContains(t, "build log", log, "WARNING: .warpdrive/action_hooks/ready is not executable, so it is not a process type")
	out, code = a.RunOnce([]string{"--entrypoint", "alive"})
	if code != 0 {
		t.Errorf("alive exited %d:\n%s", code, out)
	}
	assertContains(t, "alive output", out, "alive: django 4.2")
	// verify gets its arguments; whitenoise comes from requirements-extra.txt,
	// which WARPDRIVE_PIP_PACKAGES names in the build-env hook.
	out, code = a.RunOnce([]string{"--entrypoint", "verify"}, "--deep")
	if code != 0 {
		t.Errorf("verify exited %d:\n%s", code, out)
	}
	assertContains(t, "verify output", out, "verify: args=--deep whitenoise=whitenoise")
	assertNotContains(t, "pack inspect", a.PackInspect(), "--hook ready")

	assertSIGTERMDuringDeployHook(t, a)
}

// TestRuntimeTuning: MOD_WSGI_* variables and the container's limits set the
// server's concurrency at start, without a rebuild; bad values stop the start
// with a message naming the variable; server_args the server rejects end the
// container with the server's own message.
func TestRuntimeTuning(t *testing.T) {
	parallel(t)
	a := NewApp(t, "wsgi_plain")
	a.MustBuild()

	c := a.Run(8080, "-e", "MOD_WSGI_PROCESSES=2", "-e", "MOD_WSGI_THREADS=4")
	assertContains(t, "startup log", c.Logs(), "--processes 2 --threads 4", "(2 processes * 4 threads)")

	// One process per CPU, capped by memory at 256 MiB each; Apache sized
	// for 300 clients so that a burst queues.
	limited := a.Run(8080, "--cpus", "2", "--memory", "1g")
	assertContains(t, "startup log", limited.Logs(),
		"Concurrency: 2 mod_wsgi processes x 5 threads (derived: 2 = max(1, min(2 CPUs (cgroup", "1024 MiB (cgroup",
		"(2 processes * 5 threads)", "--max-clients 300")
	// docker's --cpuset-cpus sets no quota: the cpuset is counted.
	pinned := a.Run(8080, "--cpuset-cpus", "1", "--memory", "384m")
	assertContains(t, "startup log", pinned.Logs(),
		"Concurrency: 1 mod_wsgi processes x 5 threads (derived: 1 = max(1, min(1 CPUs (cgroup", "cpuset",
		"(1 process * 5 threads)")

	for _, bad := range []struct{ name, value string }{
		{"MOD_WSGI_PROCESSES", "0"}, {"MOD_WSGI_THREADS", "-3"}, {"WEB_CONCURRENCY", "lots"},
	} {
		out, code := a.RunOnce([]string{"-e", bad.name + "=" + bad.value})
		if code == 0 {
			t.Errorf("%s=%s: the container exited 0", bad.name, bad.value)
		}
		assertContains(t, bad.name+" startup", out, "ERROR: warpdrive-start: "+bad.name+"=\""+bad.value+"\" is not valid")
	}

	// A run image (or docker run --user) that makes the server root is refused.
	out, code := a.RunOnce([]string{"--user", "0"})
	if code == 0 {
		t.Errorf("as root: the container exited 0")
	}
	assertContains(t, "startup as root", out, "ERROR: warpdrive-start: [Running as root] the container runs as uid 0", "WARPDRIVE_ALLOW_ROOT=1")

	a.Write(".warpdrive/server_args", "--no-such-option\n")
	a.MustBuild()
	out, code = a.RunOnce(nil)
	if code == 0 {
		t.Errorf("a rejected server_args line: the container exited 0")
	}
	assertContains(t, "startup log", out, "no such option: --no-such-option")
}

// TestParityBadInput: unknown deploy modes and server types, app.sh without
// execute permission and failing build hooks each fail the build with a titled
// message, and the next good build works.
func TestParityBadInput(t *testing.T) {
	parallel(t)
	t.Run("unknown deploy mode and server type", func(t *testing.T) {
		a := NewApp(t, "wsgi_plain")
		log, err := a.Build("--env", "WARPDRIVE_DEPLOY_MODE=fastcgi")
		if err == nil {
			t.Fatal("the build succeeded")
		}
		assertContains(t, "build log", log, "[Error: Unknown deploy mode]",
			"Use one of: auto, shell, python, wsgi, django, mod_wsgi, gunicorn, uwsgi, waitress, uvicorn, hypercorn, daphne.")
		a.Write(".warpdrive/server_type", "nginx\n")
		log, err = a.Build()
		if err == nil {
			t.Fatal("the build succeeded")
		}
		assertContains(t, "build log", log, "[Error: Unknown server type]", `Server type "nginx" was given by .warpdrive/server_type.`,
			"Use one of: mod_wsgi, gunicorn, uwsgi, waitress, uvicorn, hypercorn, daphne.")
		os.Remove(filepath.Join(a.Dir, ".warpdrive", "server_type"))
		a.MustBuild()
	})

	t.Run("app.sh not executable", func(t *testing.T) {
		a := NewApp(t, "app_sh")
		os.Chmod(filepath.Join(a.Dir, "app.sh"), 0o644)
		log, err := a.Build()
		if err == nil {
			t.Fatal("the build succeeded")
		}
		assertContains(t, "build log", log, "[Error: app.sh is not executable]", "chmod +x app.sh", "git update-index --chmod=+x app.sh")
		os.Chmod(filepath.Join(a.Dir, "app.sh"), 0o755)
		a.MustBuild()
	})

	t.Run("a build hook that fails", func(t *testing.T) {
		a := NewApp(t, "hooks_django")
		a.MustBuild() // so the build after the failure can show the caches were kept
		hook := filepath.Join(a.Dir, ".warpdrive", "action_hooks", "build")
		good, _ := os.ReadFile(hook)
		os.WriteFile(hook, []byte("#!/bin/bash\necho compiling assets\necho 'npm: command not found' >&2\nexit 7\n"), 0o755)
		log, err := a.Build()
		if err == nil {
			t.Fatal("the build succeeded")
		}
		assertContains(t, "build log", log, "[Error: Action hook build failed]",
			".warpdrive/action_hooks/build exited with status 7", "npm: command not found")
		os.WriteFile(hook, good, 0o755)
		log = a.MustBuild()
		assertContains(t, "good build", log, reusing("CPython 3.13.5"), reusing("Python packages"))
	})
}

// The fixtures' executable bits matter (app.sh, hooks): git must keep them.
func TestFixtureModes(t *testing.T) {
	parallel(t)
	out, err := exec.Command("git", "-C", repoRoot(), "ls-files", "-s", "integration/testdata/app_sh/app.sh").Output()
	if err != nil || !strings.HasPrefix(string(out), "100755") {
		t.Errorf("app.sh is not committed as executable: %q %v", out, err)
	}
}
