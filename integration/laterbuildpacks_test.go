//go:build integration

package integration

import (
	"path/filepath"
	"strings"
	"testing"
)

// A buildpack after warpdrive that requires cpython and site-packages at
// build (metadata build = true) runs warpdrive's Python with the app's
// packages in its own build, cold and on a rebuild (when the lifecycle kept
// no metadata of those build layers), and the image still serves; a version
// it requires that warpdrive does not install fails clearly. Three builds of
// a small Flask app under gunicorn (no mod_wsgi to compile), the first
// failing before CPython is installed.
func TestLaterBuildpackRunsPythonAtBuild(t *testing.T) {
	parallel(t)
	a := NewApp(t, "procfile_gunicorn")
	order := []string{"--buildpack", "urn:cnb:builder:warpdrive",
		"--buildpack", filepath.Join(repoRoot(), "integration", "testdata", "buildpacks", "python-user"),
		"--trust-extra-buildpacks"}
	saw := []string{"python-user saw Python 3.13", "at /layers/warpdrive/venv/bin/python", "prefix /layers/warpdrive/venv",
		"VIRTUAL_ENV=/layers/warpdrive/venv", "Flask 3", "in /layers/warpdrive/venv/lib/python3.13/site-packages/flask"}

	// A version the installed Python does not meet fails before anything is
	// installed, saying which version fits.
	log, err := a.Build(append(order, "--env", "PYTHON_USER_VERSION=3.11.*")...)
	if err == nil {
		t.Fatalf("a later buildpack requiring cpython 3.11.* must fail a build that installs 3.13:\n%s", log)
	}
	assertContains(t, "failed build log", log, "[Error: A later buildpack needs another Python version]",
		"requires cpython version 3.11.* (version-source python-user)", "BP_PYTHON_VERSION=3.11.")
	assertNotContains(t, "failed build log", log, "Contributing to layer")

	log = a.MustBuild(order...)
	assertContains(t, "cold build log", log, append([]string{
		"For later buildpacks (their build plan requires Python at build): python, venv made build layers too, on their PATH",
		"Python packages: Contributing to layer (no cached layer)"}, saw...)...)
	assertServesWithReport(t, a)

	// The lifecycle restores no metadata of a build layer that is not
	// cached: the rebuild unpacks both from their snapshots (no pip run) and
	// hands them over again; the exporter finds the layers unchanged.
	log = a.MustBuild(order...)
	assertContains(t, "rebuild log", log, append([]string{
		"Python packages: Restoring the layer from the cache (no cached layer)",
		"Reusing layer 'warpdrive:python'", "Reusing layer 'warpdrive:venv'"}, saw...)...)
	assertMatches(t, "rebuild log", log, `CPython 3\.13\.\d+: Restoring the layer from the cache \(no cached layer\)`)
	assertNotContains(t, "rebuild log", log, "Running pip install")
	assertServesWithReport(t, a)
}

// assertServesWithReport: the image serves the app and holds the report the later
// buildpack wrote at build, in a launch layer of its own.
func assertServesWithReport(t *testing.T, a *App) {
	t.Helper()
	_, body := a.Run(8080).GetOK("/")
	assertContains(t, "page", body, "Hello from a Procfile app")
	out, code := a.RunOnce([]string{"--entrypoint", "/bin/cat"}, "/layers/warpdrive-test_python-user/report/report.txt")
	if code != 0 || !strings.Contains(out, "python-user saw Python 3.13") || !strings.Contains(out, "Flask 3") {
		t.Errorf("the later buildpack's report in the image (exit %d):\n%s", code, out)
	}
}
