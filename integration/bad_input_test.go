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

// TestBadInputFailsClearlyAndKeepsCaches builds a good app, then for each bad
// input checks the titled error and that the next good build succeeds and
// still reuses the cached runtime and packages: a failed build loses nothing.
func TestBadInputFailsClearlyAndKeepsCaches(t *testing.T) {
	parallel(t)
	a := NewApp(t, "django_startproject")
	a.MustBuild()
	good := map[string]string{}
	for _, f := range []string{"requirements.txt", "mysite/settings.py"} {
		b, _ := os.ReadFile(filepath.Join(a.Dir, f))
		good[f] = string(b)
	}

	tests := []struct {
		name   string
		break_ func()
		flags  []string
		says   []string
		// fixFlags are given to the good build that follows.
		fixFlags []string
	}{
		{
			name:   "a requirement that does not exist",
			break_: func() { a.Write("requirements.txt", "Django==4.2.*\nnosuchpackage-warpdrive==1.0\n") },
			says: []string{"[Error: Failed to install the application's Python packages]",
				"No matching distribution found for nosuchpackage-warpdrive==1.0",
				"requirements.txt line 2: nosuchpackage-warpdrive==1.0", "How to fix it:",
				// What this build restored; the venv it was rebuilding is not.
				"A failed build changes no cache: the next build reuses the Python runtime and pip's download cache from the earlier build."},
		},
		{
			name:   "requirements that conflict",
			break_: func() { a.Write("requirements.txt", "Django==4.2.*\nDjango<4.2\n") },
			says: []string{"[Error: Failed to install the application's Python packages]",
				"requirements.txt line 1: Django==4.2.*", "requirements.txt line 2: Django<4.2"},
		},
		{
			name:   ".python-version asks for a version the buildpack lacks",
			break_: func() { a.Write(".python-version", "3.9\n") },
			says: []string{"[Error: Requested Python version is not available]",
				".python-version asks for Python 3.9, but this buildpack provides: 3.11.2, 3.13.5."},
		},
		{
			name:   ".python-version with two versions",
			break_: func() { a.Write(".python-version", "3.13\n3.11\n") },
			says: []string{"[Error: Invalid .python-version]",
				".python-version names several Python versions (3.13, 3.11), but the buildpack installs only one"},
		},
		{
			name:   "a build variable that would install outside the venv",
			break_: func() {},
			flags:  []string{"--env", "PIP_TARGET=/tmp/elsewhere"},
			says: []string{"[Error: Unsupported build variable PIP_TARGET]",
				`PIP_TARGET="/tmp/elsewhere" is set for the build: pip would install the packages into that directory`},
		},
		{
			name: "Django settings that fail to import",
			break_: func() {
				a.Write("mysite/settings.py", strings.Replace(good["mysite/settings.py"],
					"SECRET_KEY = 'django-insecure", "SECRET_KEY = os.environ['DJANGO_SECRET_KEY'] or 'django-insecure", 1)+"\nimport os\n")
			},
			says: []string{"[Error: Unable to import the Django settings]", "Importing mysite.settings failed",
				"NameError: name 'os' is not defined", "pack build --env NAME=value"},
		},
		{
			name: "Django settings that need a variable at build time",
			break_: func() {
				a.Write("mysite/settings.py", "import os\n"+strings.Replace(good["mysite/settings.py"],
					"SECRET_KEY = 'django-insecure", "SECRET_KEY = os.environ['DJANGO_SECRET_KEY'] or 'django-insecure", 1))
			},
			says:     []string{"[Error: Unable to import the Django settings]", "KeyError: 'DJANGO_SECRET_KEY'", "pack build --env NAME=value"},
			fixFlags: []string{"--env", "DJANGO_SECRET_KEY=from-the-build"},
		},
		{
			// Only collectstatic needs STATIC_URL: the settings import, and
			// Django's staticfiles storage raises ImproperlyConfigured.
			name: "settings without STATIC_URL, which collectstatic needs",
			break_: func() {
				a.Write("mysite/settings.py", strings.Replace(good["mysite/settings.py"], "STATIC_URL = 'static/'", "", 1))
			},
			says: []string{"Django settings mysite.settings: WSGI_APPLICATION=mysite.wsgi.application STATIC_URL=(unset)",
				"[Error: collectstatic failed]", "the end of its output:",
				"django.core.exceptions.ImproperlyConfigured: You're using the staticfiles app without having set the required STATIC_URL setting.",
				"DISABLE_COLLECTSTATIC=1",
				"the next build reuses the Python runtime, pip's download cache and the installed packages from the earlier build."},
		},
		{
			name: "a virtualenv committed in the source",
			break_: func() {
				os.MkdirAll(filepath.Join(a.Dir, ".venv", "bin"), 0o755)
				os.WriteFile(filepath.Join(a.Dir, ".venv", "pyvenv.cfg"), []byte("home = /Users/dev/.pyenv/versions/3.12.1/bin\n"), 0o644)
			},
			says: []string{"[Error: A virtualenv is in the source]", ".venv/ (a directory with a pyvenv.cfg)",
				"/Users/dev/.pyenv/versions/3.12.1/bin", "git rm -r --cached .venv", `[io.buildpacks] exclude = [".venv"]`},
		},
		{
			// startproject's settings have DEBUG = True.
			name:   "Django's deployment checks made strict",
			break_: func() {},
			flags:  []string{"--env", "WARPDRIVE_DJANGO_DEPLOY_CHECK=strict"},
			says: []string{"[Error: Django deployment checks failed]", "WARPDRIVE_DJANGO_DEPLOY_CHECK is strict",
				"security.W018: You should not have DEBUG set to True in deployment.", "SILENCED_SYSTEM_CHECKS"},
		},
		{
			name: "no WSGI entry point",
			break_: func() {
				os.Rename(filepath.Join(a.Dir, "manage.py"), filepath.Join(a.Dir, "manage.py.off"))
			},
			says: []string{"[Error: No WSGI entry point found]",
				"Looked for: app.sh, FLASK_APP, app.py, manage.py naming DJANGO_SETTINGS_MODULE, wsgi.py, wsgi/__init__.py, main.py, app/main.py, paste.ini, " +
					"the project's package (pyproject.toml's name) defining app, application, create_app or make_app, one [project.scripts] entry, a Procfile, WARPDRIVE_WSGI_APPLICATION",
				"WARPDRIVE_WSGI_APPLICATION=module:callable"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := a.In(t)
			tt.break_()
			log, err := a.Build(tt.flags...)
			if err == nil {
				t.Fatalf("the build succeeded; want it to fail:\n%s", log)
			}
			assertContains(t, "failed build log", log, tt.says...)

			// Repair, and the next build works and reuses the caches.
			for f, content := range good {
				a.Write(f, content)
			}
			os.Remove(filepath.Join(a.Dir, ".python-version"))
			os.Rename(filepath.Join(a.Dir, "manage.py.off"), filepath.Join(a.Dir, "manage.py"))
			os.RemoveAll(filepath.Join(a.Dir, ".venv"))
			if tt.fixFlags != nil {
				// The settings need the variable: keep them broken and pass it.
				tt.break_()
			}
			log = a.MustBuild(tt.fixFlags...)
			assertContains(t, "good build after the failure", log, reusing("CPython 3.13.5"), reusing("mod_wsgi 5.0.2"))
			if tt.fixFlags == nil {
				assertContains(t, "good build after the failure", log, reusing("Python packages"))
			}
		})
	}
	c := a.Run(8080, "-e", "DJANGO_SECRET_KEY=at-run-time")
	if resp, body := c.Get("/admin/login/"); resp.StatusCode != http.StatusOK {
		t.Errorf("after the failures, GET /admin/login/ = %d\n%s", resp.StatusCode, body)
	}
}

// TestBuilderWithoutApache: mod_wsgi needs Apache's apxs; a builder without it
// gets a message naming the alternatives, and the app then builds with the
// standard builder.
func TestBuilderWithoutApache(t *testing.T) {
	if out, err := exec.Command(filepath.Join(repoRoot(), "scripts", "harness", "builder.sh"), "--without-apache").CombinedOutput(); err != nil {
		t.Fatalf("creating the builder without Apache: %v\n%s", err, out)
	}
	a := NewApp(t, "wsgi_plain")
	log, err := a.Build("--builder", noApacheBuilder())
	if err == nil {
		t.Fatalf("the build succeeded without apxs:\n%s", log)
	}
	assertContains(t, "build log", log, "[Error: Apache development files are missing]",
		"this builder has no apxs", "apache2-dev", "gunicorn, uwsgi or waitress")
	log = a.MustBuild()
	assertContains(t, "build with the standard builder", log, "mod_wsgi 5.0.2: Contributing to layer")
}

// noApacheBuilder is the name builder.sh --without-apache gives its builder.
func noApacheBuilder() string {
	builder := os.Getenv("WARPDRIVE_BUILDER")
	if builder == "" {
		builder = "warpdrive/builder:bookworm"
	}
	return strings.SplitN(builder, ":", 2)[0] + "-noapache:bookworm"
}
