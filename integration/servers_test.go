//go:build integration

package integration

import (
	"strings"
	"testing"
)

// TestHypercornFromRequirements: a Starlette app whose requirements name
// hypercorn, with no server type chosen, is served by hypercorn, the log
// naming the dependency that decided, and uvicorn (the ASGI default) is not
// installed.
func TestHypercornFromRequirements(t *testing.T) {
	parallel(t)
	a := NewApp(t, "hypercorn_requirement")
	log := a.MustBuild()
	assertContains(t, "build log", log, "Server: hypercorn for an ASGI application (the app depends on hypercorn)",
		"ASGI entry point: main:app")
	// hypercorn and starlette are the app's own: nothing is added, and pip
	// installs no uvicorn ("Successfully installed ... uvicorn-0.32.0").
	assertNotContains(t, "build log", log, "Server: adding", "uvicorn-")

	c := a.Run(8080)
	resp, body := c.GetOK("/")
	assertContains(t, "page", body, "Hello from a Starlette app that depends on hypercorn")
	assertServedBy(t, c, resp, asgiServerChecks["hypercorn"])
	out, code := a.RunOnce([]string{"--entrypoint", "shell"}, "-c", `python -c 'import importlib.util; print("uvicorn:", importlib.util.find_spec("uvicorn"))'`)
	if code != 0 || !strings.Contains(out, "uvicorn: None") {
		t.Errorf("uvicorn in the image (exit %d):\n%s", code, out)
	}
}

// TestDottedCallable: the app's own .warpdrive/environment names the entry
// point server:app.wsgi_app. mod_wsgi (Apache serving /static/) and gunicorn
// (WhiteNoise wrapping it) both load it through warpdrive's generated entry
// module and serve the page and a static file; Flask serves no static files
// itself here. One App: the second build reuses the first's cache.
func TestDottedCallable(t *testing.T) {
	parallel(t)
	a := NewApp(t, "dotted_callable")
	for _, srv := range []string{"mod_wsgi", "gunicorn"} {
		t.Run(srv, func(t *testing.T) {
			a := a.In(t)
			var flags []string
			if srv != "mod_wsgi" {
				flags = []string{"--env", "WARPDRIVE_SERVER_TYPE=" + srv}
			}
			log := a.MustBuild(flags...)
			assertContains(t, "build log", log, "Deploy mode: wsgi (WARPDRIVE_WSGI_APPLICATION=server:app.wsgi_app",
				"WSGI entry point: server:app.wsgi_app",
				"server:app.wsgi_app is a dotted name: the server loads warpdrive_entry:application")
			if srv == "gunicorn" {
				assertContains(t, "build log", log, "Static files: gunicorn serves /static/ through WhiteNoise (warpdrive_whitenoise)")
			}
			c := a.Run(8080)
			_, body := c.GetOK("/")
			assertContains(t, srv+" page", body, "Hello from server:app.wsgi_app")
			assertStatic(t, c, "/static/site.css", "teal")
		})
	}
}
