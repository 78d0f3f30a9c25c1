//go:build integration

package integration

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

var asgiServerChecks = map[string]serverCheck{
	"uvicorn":   {"uvicorn", "uvicorn", "Uvicorn running on http://0.0.0.0:"},
	"hypercorn": {"hypercorn", "hypercorn", "Running on http://0.0.0.0:"},
	"gunicorn":  {"gunicorn", "uvicorn", "Started server process"},
	"daphne":    {"daphne", "daphne", "Listening on TCP address 0.0.0.0:"},
}

// TestASGIApplications: a Starlette main.py with no server in its
// requirements is found to be ASGI and served by uvicorn (its static files
// through Starlette's StaticFiles, a streaming response, $PORT, X-Forwarded
// headers, SIGTERM); hypercorn and gunicorn with uvicorn's worker serve it
// when chosen; a WSGI-only server chosen for it fails the build, and so does
// uvicorn chosen for a WSGI app. daphne serves it as one process.
func TestASGIApplications(t *testing.T) {
	parallel(t)
	a := NewApp(t, "starlette_main")
	log := a.MustBuild()
	assertContains(t, "build log", log, "Server: uvicorn for an ASGI application (the default for an ASGI app: it depends on starlette)",
		"ASGI entry point: main:app", "Static files: uvicorn serves /static/ through Starlette's StaticFiles (warpdrive_asgi_static)",
		"Server: adding uvicorn (not in the application's requirements)")
	assertNotContains(t, "build log", log, "mod_wsgi 5.0.2: Contributing")

	c := a.Run(8080, "--cpus", "1")
	resp, body := c.GetOK("/")
	assertContains(t, "page", body, "Hello from Starlette on port 8080")
	assertServedBy(t, c, resp, asgiServerChecks["uvicorn"])
	_, body = c.GetOK("/stream")
	assertContains(t, "streamed body", body, "chunk 0\nchunk 1\nchunk 2\n")
	resp, _ = c.GetOK("/static/site.css")
	if ct, cc := resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"); !strings.HasPrefix(ct, "text/css") || cc != "public, max-age=60" {
		t.Errorf("static file: Content-Type %q, Cache-Control %q", ct, cc)
	}
	assertStatic(t, c, "/static/site.css", "navy")
	assertStopsQuickly(t, c)
	assertServesHardened(t, a, "/", "Hello from Starlette", "/static/site.css", "navy")

	moved := a.Run(9000, "-e", "PORT=9000", "-e", "FORWARDED_ALLOW_IPS=*")
	_, body = moved.GetOK("/")
	assertContains(t, "page with PORT=9000", body, "on port 9000", "scheme http\n")
	// --proxy-headers: behind a trusted proxy the app sees the client's scheme.
	req, _ := http.NewRequest("GET", moved.URL("/"), nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Errorf("GET with X-Forwarded-Proto: %v", err)
	} else {
		forwarded, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assertContains(t, "page behind a proxy", string(forwarded), "scheme https")
	}

	for _, name := range []string{"hypercorn", "daphne", "gunicorn"} {
		t.Run(name, func(t *testing.T) {
			a := a.In(t)
			flags := []string{"--env", "WARPDRIVE_SERVER_TYPE=" + name}
			if name == "daphne" {
				// The offline test index's cffi (for daphne's twisted[tls])
				// is Debian bookworm's, which builds for CPython 3.11 only.
				flags = append(flags, "--env", "BP_PYTHON_VERSION=3.11")
			}
			log := a.MustBuild(flags...)
			assertContains(t, "build log", log, "Server: "+name+" for an ASGI application (WARPDRIVE_SERVER_TYPE")
			c := a.Run(8080)
			resp, body := c.GetOK("/")
			assertContains(t, "page", body, "Hello from Starlette on port 8080")
			assertServedBy(t, c, resp, asgiServerChecks[name])
			assertStatic(t, c, "/static/site.css", "navy")
			assertServesHardened(t, a, "/", "Hello from Starlette", "/static/site.css", "navy")
			if name == "daphne" {
				assertContains(t, "startup log", c.Logs(), "Concurrency: 1 daphne process (daphne runs no worker processes")
			}
			if name == "gunicorn" {
				// uvicorn's worker re-raises SIGTERM after its graceful
				// shutdown, which gunicorn's arbiter logs as an ERROR
				// ("Worker was sent SIGTERM!"): the stop itself is checked.
				assertStopsWithin10s(t, c)
				return
			}
			assertStopsQuickly(t, c)
		})
	}

	t.Run("a WSGI-only server for an ASGI app", func(t *testing.T) {
		a := a.In(t)
		log, err := a.Build("--env", "WARPDRIVE_SERVER_TYPE=waitress")
		if err == nil {
			t.Fatalf("the build passed:\n%s", log)
		}
		assertContains(t, "build log", log, "[Error: Wrong server type for an ASGI application]",
			"main:app is an ASGI application, but the server waitress (WARPDRIVE_SERVER_TYPE) cannot serve ASGI",
			"Servers for ASGI applications: uvicorn, hypercorn, daphne, gunicorn (with uvicorn's worker)")
	})
	t.Run("an ASGI server for a WSGI app", func(t *testing.T) {
		a := NewApp(t, "main_flask")
		log, err := a.Build("--env", "WARPDRIVE_SERVER_TYPE=uvicorn")
		if err == nil {
			t.Fatalf("the build passed:\n%s", log)
		}
		assertContains(t, "build log", log, "[Error: Wrong server type for a WSGI application]",
			"main:app is a WSGI application, but the server uvicorn (WARPDRIVE_SERVER_TYPE) cannot serve WSGI")
	})
}

// TestFastAPIApp: a FastAPI app in app/main.py (FastAPI's layout for bigger
// applications), with only fastapi in its requirements, is served by uvicorn: a JSON route, a
// pydantic-validated body (and a 422 for a bad one), the OpenAPI schema, and
// the app's static/ directory.
func TestFastAPIApp(t *testing.T) {
	parallel(t)
	a := NewApp(t, "fastapi_main")
	log := a.MustBuild()
	assertContains(t, "build log", log, "Deploy mode: wsgi (auto: found app/main.py)",
		"Server: uvicorn for an ASGI application (the default for an ASGI app: it depends on fastapi)",
		"ASGI entry point: app.main:app", "Server: adding uvicorn")
	c := a.Run(8080)
	resp, body := c.GetOK("/")
	assertContains(t, "page", body, `{"message":"Hello from FastAPI"}`)
	assertServedBy(t, c, resp, asgiServerChecks["uvicorn"])
	post := func(body string) (int, string) {
		resp, err := http.Post(c.URL("/items/7"), "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatalf("POST /items/7: %v", err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, got := post(`{"name": "pen", "price": 1.5, "quantity": 2}`); code != http.StatusOK || got != `{"id":7,"name":"pen","total":3.0}` {
		t.Errorf("POST /items/7 = %d %s", code, got)
	}
	if code, got := post(`{"name": "pen"}`); code != http.StatusUnprocessableEntity || !strings.Contains(got, "price") {
		t.Errorf("POST /items/7 without a price = %d %s, want 422 naming the field", code, got)
	}
	_, schema := c.GetOK("/openapi.json")
	assertContains(t, "OpenAPI schema", schema, `"title":"warpdrive fixture"`, `"Item"`)
	assertStatic(t, c, "/static/site.css", "maroon")
	assertStopsQuickly(t, c)
}

// TestDjangoASGI: a startproject Django site with uvicorn chosen is served
// through its asgi.py, the admin's CSS through Starlette's StaticFiles.
func TestDjangoASGI(t *testing.T) {
	parallel(t)
	a := NewApp(t, "django_startproject")
	log := a.MustBuild("--env", "WARPDRIVE_SERVER_TYPE=uvicorn")
	assertContains(t, "build log", log, "Server: uvicorn for an ASGI application (WARPDRIVE_SERVER_TYPE)",
		"Django ASGI application: mysite.asgi.application", "through Starlette's StaticFiles")
	c := a.Run(8080)
	resp, body := c.GetOK("/admin/login/")
	assertContains(t, "admin login", body, "Django administration")
	assertServedBy(t, c, resp, asgiServerChecks["uvicorn"])
	assertStatic(t, c, "/static/admin/css/base.css", "body")
	assertStopsQuickly(t, c)
}

// assertStopsWithin10s is assertStopsQuickly without the shutdown log check.
func assertStopsWithin10s(t *testing.T, c *Container) {
	t.Helper()
	took, code := c.Stop()
	if took > 10*time.Second || (code != "0" && code != "143") {
		t.Errorf("docker stop took %s, exit code %s; want under 10 s and 0 or 143", took, code)
	}
}
