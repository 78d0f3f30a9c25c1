//go:build integration

package integration

import (
	"strings"
	"testing"
)

// TestAppPyDefiningFlaskAppIsServed: Heroku's and Render's Flask shape, an
// app.py that defines `app` and runs only Flask's development server from
// its __main__ block: the production server (mod_wsgi) serves app:app and
// its static files, and Flask's development server never starts.
func TestAppPyDefiningFlaskAppIsServed(t *testing.T) {
	parallel(t)
	a := NewApp(t, "flask_app_py")
	log := a.MustBuild()
	assertContains(t, "build log", log,
		"Deploy mode: wsgi (auto: found app.py, which defines an application and starts only the development server app.run() in its __main__ block, so the production server serves it",
		"WSGI entry point: app:app")
	c := a.Run(8080)
	resp, body := c.GetOK("/")
	assertContains(t, "page", body, "Hello from app.py")
	assertServer(t, resp)
	assertStatic(t, c, "/static/site.css", "teal")
	assertNotContains(t, "startup log", c.Logs(), "Debugger is active", "development server")
}

// TestPoetryScriptIsTheWebProcess: Paketo's poetry-run shape, one
// [tool.poetry.scripts] entry and no other entry point: `web` runs it
// (arguments after the image name reach it), with no server of warpdrive's.
func TestPoetryScriptIsTheWebProcess(t *testing.T) {
	parallel(t)
	a := NewApp(t, "poetry_script")
	log := a.MustBuild()
	assertContains(t, "build log", log,
		"Deploy mode: script (auto: the project's one script, [tool.poetry.scripts] poetry-run = poetry_run.server:run)")
	assertNotContains(t, "build log", log, "Server: mod_wsgi", "No WSGI entry point found")
	assertMatches(t, "pack inspect", a.PackInspect(), `web \(default\)\s+warpdrive-start\s+python -c import sys; from poetry_run.server import run; sys.exit\(run\(\)\)`)
	c := a.RunWithArgs(8080, nil, "--verbose")
	_, body := c.GetOK("/")
	assertContains(t, "page", body, "Hello from the poetry-run script (argv ['--verbose'])")
	assertContains(t, "startup log", c.Logs(), "Executing server command 'python -c import sys; from poetry_run.server import run; sys.exit(run()) --verbose'")
	assertStopsQuickly(t, c)
}

// TestWorkerOnlyProcfile: a Procfile with only `worker:` (a bot, a queue
// worker) and no web entry point builds; the worker is the image's default
// process, and nothing checks for a WSGI application.
func TestWorkerOnlyProcfile(t *testing.T) {
	parallel(t)
	a := NewApp(t, "procfile_worker")
	log := a.MustBuild()
	assertContains(t, "build log", log,
		"Deploy mode: procfile (auto: the Procfile's processes (worker), no web process)",
		"the image runs its processes (worker)")
	assertNotContains(t, "build log", log, "No WSGI entry point found", "Process web:")
	assertMatches(t, "pack inspect", a.PackInspect(), `worker \(default\)\s+warpdrive-start\s+--process worker bash -c`)
	out, code := a.RunOnce(nil)
	if code != 0 {
		t.Fatalf("the default process exited %d:\n%s", code, out)
	}
	assertContains(t, "worker output", out, "worker ran with ['--once'] as uid ")
	if strings.Contains(out, "as uid 0") {
		t.Errorf("the worker ran as root:\n%s", out)
	}
}
