//go:build integration

package integration

import (
	"regexp"
	"strings"
	"testing"
)

// TestDjangoWithoutWSGIApplicationInSubdirectory: a monorepo whose root holds
// only a README, frontend/ and backend/ (manage.py, requirements.txt, settings
// without WSGI_APPLICATION). With no warpdrive setting, detect passes,
// backend/ is the home and the wsgi.py beside the settings is served, with
// its static files. Two quick failing builds (they stop before anything is
// installed): a second project beside backend/, and a manage.py whose
// settings name is an f-string.
func TestDjangoWithoutWSGIApplicationInSubdirectory(t *testing.T) {
	parallel(t)
	a := NewApp(t, "django_no_wsgi_application")
	log := a.MustBuild()
	assertContains(t, "build log", log,
		"Application home: backend/ (the root has no entry point, and backend/manage.py names DJANGO_SETTINGS_MODULE; .warpdrive/home chooses another)",
		"Django settings mysite.settings: WSGI_APPLICATION=(unset)",
		"Django WSGI application: mysite.wsgi:application (the wsgi.py beside the settings; they set no WSGI_APPLICATION)")
	assertContains(t, "pack inspect", a.PackInspect(), "/workspace/backend")
	c := a.Run(8080)
	assertServesDjango(t, c)
	assertStatic(t, c, "/static/site.css", "#0b5394")
	assertNonRoot(t, c)

	t.Run("several projects", func(t *testing.T) {
		b := a.In(t)
		b.Write("api/manage.py", readFile(t, b.Dir+"/backend/manage.py"))
		out, err := b.Build()
		if err == nil {
			t.Fatalf("two Django projects below the root must fail the build:\n%s", out)
		}
		assertContains(t, "failed build", out, "[Error: Several Django projects in the source]", "manage.py: api, backend",
			"echo api > .warpdrive/home")
		assertNotContains(t, "failed build", out, "Python packages:")
	})
	t.Run("an unreadable settings line", func(t *testing.T) {
		b := a.In(t)
		b.Write("api/manage.py", "")                               // no longer a project
		b.Write("api/README", "the old API, kept for reference\n") // a directory without manage.py does not count
		manage := readFile(t, b.Dir+"/backend/manage.py")
		b.Write("backend/manage.py", strings.Replace(manage, "'mysite.settings'", "f'{PROJECT}.settings'", 1))
		out, err := b.Build()
		if err == nil {
			t.Fatalf("an unreadable settings line must fail the build:\n%s", out)
		}
		assertContains(t, "failed build", out, "[Error: Django settings module not readable from manage.py]",
			"backend/manage.py does not name the settings module as a plain string: os.environ.setdefault('DJANGO_SETTINGS_MODULE', f'{PROJECT}.settings')",
			"DJANGO_SETTINGS_MODULE=mysite.settings` in .warpdrive/environment")
		// It stops before the packages are installed (or their layer reused).
		assertNotContains(t, "failed build", out, "Python packages:")
	})
}

// TestProcfileCollectstaticAtStart: the Heroku layout, a Procfile whose web
// runs collectstatic again before gunicorn, STATIC_ROOT inside the app and
// WhiteNoise's CompressedManifestStaticFilesStorage. The build's collected
// files are writable at run time, so the page and its hashed stylesheet are
// served both as the image's user and as an arbitrary UID in group 0
// (OpenShift's); the app's source stays as it was. An unchanged rebuild and
// one that edits only the view restore collectstatic's output from the
// cache, running no Python: the image holds the same collected files (the
// manifest, the hashed copies; the stylesheet is too short for WhiteNoise to
// compress) and serves the same stylesheet; a stylesheet edit runs
// collectstatic again.
func TestProcfileCollectstaticAtStart(t *testing.T) {
	parallel(t)
	a := NewApp(t, "procfile_collectstatic")
	log := a.MustBuild()
	assertContains(t, "build log", log, "Using the Procfile's web process: python manage.py collectstatic --noinput && gunicorn mysite.wsgi",
		"Django static files: collecting into the application's STATIC_ROOT /workspace/staticfiles",
		"Writable at run time: staticfiles/ (")
	var firstCSS string
	for _, run := range []struct {
		name string
		args []string
		uid  string
	}{{"the image's user", nil, ""}, {"an arbitrary UID in group 0", []string{"--user", "123456:0"}, "123456"}} {
		t.Run(run.name, func(t *testing.T) {
			css := assertServesCollected(t, a.In(t), run.args, "Hello from a Heroku-style Django app, uid "+run.uid, "teal")
			firstCSS = css
		})
	}
	if firstCSS == "" {
		t.Fatal("the first image served no hashed stylesheet")
	}
	collected := collectedFiles(t, a)
	assertContains(t, "the collected files", collected, "./staticfiles.json", "."+strings.TrimPrefix(firstCSS, "/static"))

	urls := readFile(t, a.Dir+"/mysite/urls.py")
	for _, rebuild := range []struct {
		name, edit, page string
	}{
		{"unchanged", urls, "Hello from a Heroku-style Django app, uid "},
		{"view edited", strings.Replace(urls, "Hello from", "Hi from", 1), "Hi from a Heroku-style Django app, uid "},
	} {
		a.Write("mysite/urls.py", rebuild.edit)
		log := a.MustBuild()
		assertContains(t, rebuild.name+" rebuild", log,
			"Django static files: reusing the previous build's collectstatic output in the application's STATIC_ROOT /workspace/staticfiles",
			"Django settings: reusing the previous build's result", "Writable at run time: staticfiles/ (")
		assertNotContains(t, rebuild.name+" rebuild", log, "unpacked from the cache", "copied to '/workspace/staticfiles'", "collecting into")
		if got := collectedFiles(t, a); got != collected {
			t.Errorf("after the %s rebuild the image's STATIC_ROOT holds\n%s\nthe first build's held\n%s", rebuild.name, got, collected)
		}
		t.Run(rebuild.name, func(t *testing.T) {
			if css := assertServesCollected(t, a.In(t), nil, rebuild.page, "teal"); css != firstCSS {
				t.Errorf("the page links %s, the first build's linked %s", css, firstCSS)
			}
		})
	}

	a.Write("static/site.css", strings.ReplaceAll(readFile(t, a.Dir+"/static/site.css"), "teal", "navy"))
	log = a.MustBuild()
	assertContains(t, "rebuild after a stylesheet edit", log, "Running collectstatic again (static/site.css changed)", "copied to '/workspace/staticfiles'")
	if css := assertServesCollected(t, a, nil, "Hi from a Heroku-style Django app", "navy"); css == firstCSS {
		t.Errorf("after the stylesheet's edit the page still links %s", css)
	}
}

// assertServesCollected runs the image (with docker's args) and checks that
// it serves page, linking a hashed stylesheet that holds css, from a
// STATIC_ROOT writable at run time; the source's modes are unchanged. It
// returns the stylesheet's path.
func assertServesCollected(t *testing.T, a *App, args []string, page, css string) string {
	t.Helper()
	c := a.Run(8080, args...)
	_, body := c.GetOK("/")
	assertContains(t, "page", body, page)
	link := regexp.MustCompile(`/static/site\.[0-9a-f]{12}\.css`).FindString(body)
	if link == "" {
		t.Fatalf("the page links no hashed stylesheet:\n%s", body)
	}
	assertStatic(t, c, link, css)
	assertContains(t, "startup log", c.Logs(), "post-processed")
	t.Logf("ls -ln /workspace /workspace/staticfiles:\n%s", c.Exec("ls", "-ln", "/workspace", "/workspace/staticfiles"))
	// The source is not made writable; what collectstatic made is.
	if mode := c.Exec("stat", "-c", "%a", "/workspace/mysite/settings.py", "/workspace/static/site.css"); mode != "644\n644" {
		t.Errorf("the source's modes changed: %q", mode)
	}
	if mode := c.Exec("stat", "-c", "%a", "/workspace/staticfiles"); mode != "777" {
		t.Errorf("STATIC_ROOT's mode is %s, want 777", mode)
	}
	return link
}

// collectedFiles lists what the image's STATIC_ROOT holds, before anything
// runs in it: each entry's mode, owner, and a file's sha256.
func collectedFiles(t *testing.T, a *App) string {
	t.Helper()
	out, code := a.RunOnce([]string{"--entrypoint", "shell"}, "-c",
		"cd /workspace/staticfiles && find . -printf '%m %U:%G %p\\n' | sort && find . -type f -exec sha256sum {} + | sort -k2")
	if code != 0 {
		t.Fatalf("listing STATIC_ROOT failed (%d):\n%s", code, out)
	}
	return out
}
