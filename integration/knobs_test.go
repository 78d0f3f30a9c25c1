//go:build integration

package integration

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestBuildKnobs proves the build-time knobs that locate an application's
// parts, and that the venv is rebuilt exactly when pip's inputs change: a
// nested -c file and a PIP_* setting rebuild it, an unchanged build reuses
// it; BP_MOD_WSGI_VERSION picks the mod_wsgi that is compiled, and one that
// does not exist fails with a titled message and keeps the caches.
func TestBuildKnobs(t *testing.T) {
	parallel(t)
	a := NewApp(t, "build_knobs")
	knobs := []string{"--env", "WARPDRIVE_PIP_PACKAGES=requirements/base.txt", "--env", "WARPDRIVE_WSGI_MODULE_NAME=myapp",
		"--env", "WARPDRIVE_STATIC_URL=/assets", "--env", "WARPDRIVE_STATIC_DIR=assets", "--env", "BP_MOD_WSGI_VERSION=5.0.2"}

	log := a.MustBuild(knobs...)
	assertContains(t, "build log", log, "Deploy mode: wsgi (auto: found myapp.py)", "-r requirements/base.txt",
		"Static files: /workspace/assets served at /assets/", "mod_wsgi 5.0.2: Contributing to layer")
	c := a.Run(8080)
	_, body := c.GetOK("/")
	assertMatches(t, "page", body, `Hello from myapp; sqlparse \d`)
	assertStatic(t, c, "/assets/site.css", "teal")

	log = a.MustBuild(knobs...)
	assertContains(t, "unchanged rebuild", log, reusing("Python packages"), reusing("mod_wsgi 5.0.2"))

	a.Write("requirements/constraints.txt", "# pins for common.txt\nsqlparse>=0.3\n")
	log = a.MustBuild(knobs...)
	assertMatches(t, "a nested -c file changed", log, `Python packages: Contributing to layer \(requirements changed\)`)
	assertContains(t, "a nested -c file changed", log, reusing("mod_wsgi 5.0.2"))

	log = a.MustBuild(append(knobs, "--env", "PIP_DEFAULT_TIMEOUT=30")...)
	assertMatches(t, "a PIP_* setting added", log, `Python packages: Contributing to layer \(pip_settings [0-9a-f]+ -> [0-9a-f]+\)`)

	out, err := a.Build(append(knobs, "--env", "PIP_DEFAULT_TIMEOUT=30", "--env", "BP_MOD_WSGI_VERSION=0.0.1")...)
	if err == nil {
		t.Fatalf("a mod_wsgi version that does not exist must fail the build:\n%s", out)
	}
	assertContains(t, "bad mod_wsgi version", out, "[Error: mod_wsgi failed to build]", "mod_wsgi==0.0.1", "BP_MOD_WSGI_VERSION")

	log = a.MustBuild(append(knobs, "--env", "PIP_DEFAULT_TIMEOUT=30")...)
	assertContains(t, "the build after a failure", log, reusing("Python packages"), reusing("mod_wsgi 5.0.2"))
}

// assertVenvFirstOnPath: in the shell process and under the bare launcher,
// python, python3, pip, pip3 and console scripts are the venv's, not the
// runtime's (the lifecycle puts each layer's bin/ on PATH by layer name).
func assertVenvFirstOnPath(t *testing.T, a *App) {
	t.Helper()
	const venvBin = "/layers/warpdrive/venv/bin/"
	out, code := a.RunOnce([]string{"--entrypoint", "shell"}, "-c",
		`for p in python python3 pip pip3 django-admin; do command -v $p; done; python3 -c 'import django; print("django", django.get_version())'`)
	if code != 0 {
		t.Fatalf("shell exited %d:\n%s", code, out)
	}
	for _, p := range []string{"python", "python3", "pip", "pip3", "django-admin"} {
		assertContains(t, "shell: command -v", out, venvBin+p+"\n")
	}
	assertContains(t, "shell: python3", out, "django 4.2")
	// The launcher itself, without warpdrive-start, gives the same PATH.
	out, code = a.RunOnce([]string{"--entrypoint", "launcher"}, "python3", "-c", "import sys, django; print(sys.prefix)")
	if code != 0 || !strings.Contains(out, "/layers/warpdrive/venv") {
		t.Errorf("launcher python3: exit %d, %s", code, out)
	}
}

// assertSIGTERMDuringDeployHook: docker stop while the deploy hook runs
// signals the hook, and the container ends promptly with 143.
func assertSIGTERMDuringDeployHook(t *testing.T, a *App) {
	t.Helper()
	out, err := exec.Command("docker", "run", "-d", "-e", "SLOW_DEPLOY=1", a.Image).CombinedOutput()
	if err != nil {
		t.Fatalf("docker run: %v\n%s", err, out)
	}
	c := &Container{t: t, ID: strings.TrimSpace(string(out))}
	t.Cleanup(func() { exec.Command("docker", "rm", "-f", c.ID).Run() })
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(c.Logs(), "deploy hook: waiting") {
		if time.Now().After(deadline) {
			t.Fatalf("the deploy hook did not start:\n%s", c.Logs())
		}
		time.Sleep(300 * time.Millisecond)
	}
	took, code := c.Stop()
	if took > 5*time.Second || code != "143" {
		t.Errorf("docker stop during the deploy hook took %s with exit code %s, want under 5 s and 143\n%s", took, code, c.Logs())
	}
	assertContains(t, "log", c.Logs(), "deploy hook: got SIGTERM")
	assertNotContains(t, "log", c.Logs(), "Executing server command")
}
