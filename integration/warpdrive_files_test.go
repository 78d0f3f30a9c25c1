//go:build integration

package integration

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeWheel writes a minimal pure-Python wheel (PEP 427) of one module into
// dir, so a wheelhouse can provide a package the index does not have.
func writeWheel(t *testing.T, dir, dist, version, module, source string) {
	t.Helper()
	distInfo := dist + "-" + version + ".dist-info"
	files := []struct{ name, body string }{
		{module + ".py", source},
		{distInfo + "/METADATA", "Metadata-Version: 2.1\nName: " + strings.ReplaceAll(dist, "_", "-") + "\nVersion: " + version + "\n"},
		{distInfo + "/WHEEL", "Wheel-Version: 1.0\nGenerator: warpdrive-integration\nRoot-Is-Purelib: true\nTag: py3-none-any\n"},
	}
	var record strings.Builder
	for _, f := range files {
		sum := sha256.Sum256([]byte(f.body))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", f.name, base64.RawURLEncoding.EncodeToString(sum[:]), len(f.body))
	}
	fmt.Fprintf(&record, "%s/RECORD,,\n", distInfo)
	files = append(files, struct{ name, body string }{distInfo + "/RECORD", record.String()})

	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(filepath.Join(dir, dist+"-"+version+"-py3-none-any.whl"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	for _, f := range files {
		// A fixed timestamp keeps the wheel, and so the packages layer's key, stable.
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(f.body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestWarpdriveFiles proves the `.warpdrive/` files through real builds: the
// app lives in src/ (home), its variables come from `environment` at build (a
// build hook records one) and at launch (where `docker run -e` wins), its only requirement comes from `wheelhouse/`, and
// `server_args/<server>` adds arguments expanded at every start, under
// mod_wsgi, gunicorn and uwsgi. GUNICORN_CMD_ARGS, UWSGI_* and the `shell`
// process work in the same image.
func TestWarpdriveFiles(t *testing.T) {
	parallel(t)
	a := NewApp(t, "warpdrive_files")
	writeWheel(t, filepath.Join(a.Dir, ".warpdrive", "wheelhouse"), "warpdrive_wheelhouse_demo", "1.0",
		"wheelhouse_demo", "VALUE = 'installed-from-the-wheelhouse'\n")

	page := func(c *Container) string {
		t.Helper()
		_, body := c.GetOK("/")
		return body
	}

	t.Run("mod_wsgi", func(t *testing.T) {
		a := a.In(t)
		log := a.MustBuild()
		assertContains(t, "build log", log, "Deploy mode: wsgi (auto: found wsgi.py)",
			"Using the wheelhouse /workspace/.warpdrive/wheelhouse", "Static files: /workspace/src/static served at /static/")
		assertContains(t, "pack inspect", a.PackInspect(), "--working-directory /workspace/src")

		c := a.Run(8080)
		assertContains(t, "page", page(c), "greeting=hello-from-the-environment-file\n", "quoted=two words\n",
			"wheel=installed-from-the-wheelhouse\n", "cwd=/workspace/src\n", "server_args=(unset)\n")
		assertStatic(t, c, "/static/site.css", "maroon")
		resp, body := c.Get("/docs/readme.txt")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "served through .warpdrive/server_args") {
			t.Errorf("GET /docs/readme.txt = %d %q", resp.StatusCode, body)
		}
		assertContains(t, "startup log", c.Logs(), "Adding .warpdrive/server_args: --url-alias /docs /workspace/src/docs")

		// docker run -e wins over the environment file, and server_args is
		// expanded with the container's environment at start, not at build.
		moved := a.Run(8080, "-e", "GREETING=from-docker-run", "-e", "DOCS_DIR=/workspace/src/static")
		assertContains(t, "page", page(moved), "greeting=from-docker-run\n")
		assertStatic(t, moved, "/docs/site.css", "maroon")

		// Arguments after the image name are added to the server's command line.
		extra := a.RunWithArgs(8080, nil, "--url-alias", "/more", "/workspace/src/docs")
		if resp, body := extra.Get("/more/readme.txt"); resp.StatusCode != http.StatusOK {
			t.Errorf("with --url-alias given to docker run, GET /more/readme.txt = %d %q\n%s", resp.StatusCode, body, extra.Logs())
		}

		// The shell process has the server's environment: venv, variables, home.
		out, code := a.RunOnce([]string{"--entrypoint", "shell"}, "-c",
			`cat build-greeting.txt; echo "greeting=$GREETING"; python -c 'import wheelhouse_demo; print("wheel=" + wheelhouse_demo.VALUE)'; echo "pwd=$PWD"`)
		if code != 0 {
			t.Fatalf("the shell process exited %d:\n%s", code, out)
		}
		assertContains(t, "shell output", out, "greeting at build=hello-from-the-environment-file\n",
			"greeting=hello-from-the-environment-file\n",
			"wheel=installed-from-the-wheelhouse\n", "pwd=/workspace/src\n")
	})

	// WARPDRIVE_SERVER_TYPE in .warpdrive/environment chooses the server:
	// settings are resolved after the file is applied.
	environment, err := os.ReadFile(filepath.Join(a.Dir, ".warpdrive", "environment"))
	if err != nil {
		t.Fatal(err)
	}
	a.Write(".warpdrive/environment", string(environment)+"WARPDRIVE_SERVER_TYPE=gunicorn\n")

	t.Run("gunicorn", func(t *testing.T) {
		a := a.In(t)
		log := a.MustBuild()
		assertContains(t, "build log", log, "Server: gunicorn (WARPDRIVE_SERVER_TYPE)")
		c := a.Run(8080, "-e", "ARGS_VALUE=expanded-at-start", "-e", "WEB_CONCURRENCY=3",
			"-e", "GUNICORN_CMD_ARGS=--access-logfile=-")
		assertContains(t, "page", page(c), "server_args=expanded-at-start\n", "wheel=installed-from-the-wheelhouse\n",
			"greeting=hello-from-the-environment-file\n")
		assertStatic(t, c, "/static/site.css", "maroon")
		// The workers boot in parallel with the first requests: wait for the
		// last one's line rather than reading the log once.
		logs := c.Logs()
		for deadline := time.Now().Add(10 * time.Second); strings.Count(logs, "Booting worker with pid") < 3 && time.Now().Before(deadline); {
			time.Sleep(200 * time.Millisecond)
			logs = c.Logs()
		}
		if n := strings.Count(logs, "Booting worker with pid"); n != 3 {
			t.Errorf("WEB_CONCURRENCY=3 booted %d gunicorn workers:\n%s", n, logs)
		}
		// GUNICORN_CMD_ARGS is gunicorn's own: the access log proves it was read.
		assertContains(t, "gunicorn access log", logs, `"GET / HTTP/1.1" 200`)
	})

	// `pack build --env` wins over .warpdrive/environment.
	t.Run("uwsgi", func(t *testing.T) {
		a := a.In(t)
		log := a.MustBuild("--env", "WARPDRIVE_SERVER_TYPE=uwsgi")
		assertContains(t, "build log", log, ".warpdrive/environment: WARPDRIVE_SERVER_TYPE is already set for the build; keeping that value",
			"Server: uwsgi (WARPDRIVE_SERVER_TYPE)")
		c := a.Run(8080, "-e", "UWSGI_PROCESSES=3")
		assertContains(t, "page", page(c), "server_args=uwsgi-default\n", "cwd=/workspace/src\n")
		assertStatic(t, c, "/static/site.css", "maroon")
		// uwsgi reads UWSGI_* itself; the user's UWSGI_PROCESSES wins over the derived count.
		logs := c.Logs()
		assertContains(t, "uwsgi log", logs, "spawned uWSGI worker 3 ")
		assertNotContains(t, "uwsgi log", logs, "spawned uWSGI worker 4 ")
	})
}
