//go:build integration

package integration

import (
	"net/http"
	"strings"
	"testing"
)

// TestProcfileWebWithGunicorn: an app written for Heroku. Its Procfile's web
// process runs (gunicorn, installed although the requirements lack it) through
// warpdrive-start: $PORT is expanded by bash at start, WEB_CONCURRENCY is
// derived, gunicorn is PID 1 and stops on SIGTERM; `release` is a process type.
func TestProcfileWebWithGunicorn(t *testing.T) {
	parallel(t)
	a := NewApp(t, "procfile_gunicorn")
	log := a.MustBuild()
	assertContains(t, "build log", log, "Deploy mode: procfile (the Procfile's web process)",
		"Using the Procfile's web process: gunicorn --bind 0.0.0.0:$PORT --access-logfile - server:app",
		"WARPDRIVE_DEPLOY_MODE=auto", "Server: adding gunicorn (not in the application's requirements)")
	assertMatches(t, "pack inspect", a.PackInspect(), `release\s+warpdrive-start\s+--process release bash -c`)

	c := a.Run(8080, "--cpus", "1", "--memory", "512m")
	resp, body := c.GetOK("/")
	assertContains(t, "page", body, "Hello from a Procfile app on port 8080, workers 2")
	assertServedBy(t, c, resp, serverCheck{"gunicorn", "gunicorn", "Booting worker with pid"})
	assertStopsQuickly(t, c)

	moved := a.Run(9000, "-e", "PORT=9000")
	_, body = moved.GetOK("/")
	assertContains(t, "page with PORT=9000", body, "on port 9000")

	out, code := a.RunOnce([]string{"--entrypoint", "release"})
	if code != 0 {
		t.Fatalf("release exited %d:\n%s", code, out)
	}
	assertContains(t, "release output", out, "release phase ran on port 8080")

	// An explicit deploy mode wins over the Procfile: warpdrive's derived
	// server (mod_wsgi) serves server:app.
	log = a.MustBuild("--env", "WARPDRIVE_DEPLOY_MODE=wsgi", "--env", "WARPDRIVE_WSGI_APPLICATION=server:app")
	assertNotContains(t, "build log", log, "Using the Procfile's web process")
	resp, _ = a.Run(8080).GetOK("/")
	assertServer(t, resp)
}

// TestProcfileMigrateThenServe: `migrate && gunicorn` in the Procfile: the
// migration has run when the first request arrives, and gunicorn (exec'd by
// bash as the list's last command) is PID 1.
func TestProcfileMigrateThenServe(t *testing.T) {
	parallel(t)
	a := NewApp(t, "procfile_django")
	log := a.MustBuild()
	assertContains(t, "build log", log, "Using the Procfile's web process", "Django static files")
	c := a.Run(8080, "-e", "DATABASE_PATH=/tmp/db.sqlite3")
	_, body := c.GetOK("/users/")
	assertContains(t, "/users/", body, "users: 0")
	assertContains(t, "startup log", c.Logs(), "Applying auth.0001_initial... OK")
	assertStopsQuickly(t, c)
	// Django apps get a migrate process type.
	out, code := a.RunOnce([]string{"-e", "DATABASE_PATH=/tmp/db.sqlite3", "--entrypoint", "migrate"})
	if code != 0 {
		t.Fatalf("migrate exited %d:\n%s", code, out)
	}
	assertContains(t, "migrate output", out, "Applying auth.0001_initial... OK")
}

// TestMainPyFlaskApp: Cloud Run's convention, main.py defining `app`, with no
// server in the requirements: mod_wsgi serves it and its static files.
func TestMainPyFlaskApp(t *testing.T) {
	parallel(t)
	a := NewApp(t, "main_flask")
	log := a.MustBuild()
	assertContains(t, "build log", log, "Deploy mode: wsgi (auto: found main.py)", "WSGI entry point: main:app")
	c := a.Run(8080)
	resp, body := c.GetOK("/")
	assertContains(t, "page", body, "Hello from main.py")
	assertServer(t, resp)
	assertStatic(t, c, "/static/site.css", "olive")
}

// TestFactoryEntryPoint: the Flask tutorial's layout, an application
// factory in the project's own package (pyproject.toml's name, built by
// flit_core), is found as `flask run` finds it, with no setting; FLASK_APP
// in .flaskenv names a factory with an argument, served by gunicorn; a
// callable that does not exist fails the build, naming what the module has.
// The Python version comes from pyproject.toml's requires-python range (the
// index's Flask does not install on 3.11's pip, so the range picks 3.13).
func TestFactoryEntryPoint(t *testing.T) {
	parallel(t)
	a := NewApp(t, "flask_factory")
	log := a.MustBuild()
	assertContains(t, "build log", log,
		"Deploy mode: wsgi (auto: the project's package flaskr (pyproject.toml name flaskr, flaskr/__init__.py))",
		"WSGI entry point: flaskr:create_app()", "warpdrive_entry",
		"Python 3.13.5: requested >=3.12 by pyproject.toml [project] requires-python")
	resp, body := a.Run(8080).GetOK("/")
	assertContains(t, "mod_wsgi page", body, "made by create_app('development') on Python 3.13.5")
	assertServer(t, resp)

	a.Write(".flaskenv", "FLASK_APP=flaskr:create_app('production')\nFLASK_DEBUG=1\n")
	log = a.MustBuild("--env", "WARPDRIVE_SERVER_TYPE=gunicorn")
	assertContains(t, "build log", log, "Deploy mode: wsgi (FLASK_APP=flaskr:create_app('production') (.flaskenv))",
		"WSGI entry point: flaskr:create_app('production')")
	_, body = a.Run(8080).GetOK("/")
	assertContains(t, "gunicorn page", body, "made by create_app('production') on Python 3.13.5")

	out, err := a.Build("--env", "APP_MODULE=flaskr:app")
	if err == nil {
		t.Fatalf("a callable that does not exist must fail the build:\n%s", out)
	}
	assertContains(t, "failed build", out, "[Error: WSGI application not found]", "module flaskr has no attribute app",
		"create_app", "WARPDRIVE_WSGI_APPLICATION=flaskr:create_app()")
}

// TestDetectFailureSaysWhatItLookedFor: Python files with no way to install
// or run them: the reason is in the normal build output.
func TestDetectFailureSaysWhatItLookedFor(t *testing.T) {
	parallel(t)
	a := NewApp(t, "no_entry")
	out, err := a.Build()
	if err == nil {
		t.Fatalf("the build succeeded:\n%s", out)
	}
	assertContains(t, "pack build output", out, "no Python web application found in /workspace; looked for .warpdrive, app.sh, app.py",
		"requirements.txt, pyproject.toml", "WARPDRIVE_WSGI_APPLICATION=module:callable")
	if resp, _ := http.Get("http://127.0.0.1:1/"); resp != nil {
		resp.Body.Close()
	}
	_ = strings.TrimSpace
}
