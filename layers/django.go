package layers

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/internal/command"
	"github.com/warpdrive-buildpack/warpdrive/stepcache"
)

// DjangoSettings are the values warpdrive reads from an application's settings.
type DjangoSettings struct {
	SettingsModule  string `json:"settings_module"`
	WSGIApplication string `json:"wsgi_application"`
	// ASGIApplication is Channels' ASGI_APPLICATION ("" when unset).
	ASGIApplication string `json:"asgi_application"`
	// StaticURL is STATIC_URL as the settings set it, "" when they do not;
	// ServedURL is where it is served.
	StaticURL  string `json:"static_url"`
	StaticRoot string `json:"static_root"`
	// StaticFiles is true when django.contrib.staticfiles is installed.
	StaticFiles bool `json:"staticfiles"`
	// Reads are the application's files the probe read (relative to home).
	Reads []string `json:"reads,omitempty"`
	// DeployChecks are what Django's deployment security checks (those
	// `manage.py check --deploy` adds) found, silenced ones left out, when
	// the probe ran them; DeployCheckError says why they could not run.
	DeployChecks     []DeployCheck `json:"deploy_checks,omitempty"`
	DeployCheckError string        `json:"deploy_check_error,omitempty"`
}

// DeployCheck is one finding of Django's system checks.
type DeployCheck struct {
	ID    string `json:"id"`
	Level string `json:"level"`
	Msg   string `json:"msg"`
	Hint  string `json:"hint,omitempty"`
}

// String is the finding as manage.py check prints it.
func (c DeployCheck) String() string {
	s := c.ID + ": " + c.Msg
	if c.Hint != "" {
		s += " HINT: " + c.Hint
	}
	return s
}

// probeScript imports the settings the way manage.py would and prints the
// values as one JSON line after a marker (the settings may print too). With
// "deploy-check" it then sets Django up and runs its deployment security
// checks: they read the settings only, so the files Django's setup imports
// (models, apps) are not among the reads that invalidate the result.
const probeScript = stepcache.ReadsTracker + `
import json, os, sys
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", sys.argv[1])
from django.conf import settings
root = getattr(settings, "STATIC_ROOT", None)
result = {
    "settings_module": settings.SETTINGS_MODULE,
    "wsgi_application": getattr(settings, "WSGI_APPLICATION", None) or "",
    "asgi_application": getattr(settings, "ASGI_APPLICATION", None) or "",
    "static_url": getattr(settings, "STATIC_URL", None) or "",
    "static_root": str(root) if root else "",
    "staticfiles": "django.contrib.staticfiles" in settings.INSTALLED_APPS,
    "reads": wd_reads(),
}
if sys.argv[2:] == ["deploy-check"]:
    try:
        import django
        from django.core import checks
        django.setup()
        found = checks.run_checks(tags=[checks.Tags.security], include_deployment_checks=True)
        levels = {checks.DEBUG: "DEBUG", checks.INFO: "INFO", checks.WARNING: "WARNING", checks.ERROR: "ERROR"}
        result["deploy_checks"] = [
            {"id": m.id or "", "level": levels.get(m.level, "CRITICAL"), "msg": str(m.msg), "hint": str(m.hint or "")}
            for m in found if not m.is_silenced()
        ]
    except Exception as e:
        result["deploy_check_error"] = "%s: %s" % (type(e).__name__, e)
print("WARPDRIVE-DJANGO " + json.dumps(result))
`

// DjangoProbeDigest identifies the settings probe's script: a record of
// what an earlier buildpack's script read is not this one's result.
func DjangoProbeDigest() string { return app.Digest(probeScript) }

// ProbeDjango imports the application's settings with the venv's
// interpreter, and runs Django's deployment security checks when deployCheck
// is set.
func ProbeDjango(python, home, settingsModule string, deployCheck bool) (DjangoSettings, error) {
	if settingsModule == "" {
		settingsModule = "settings"
	}
	args := []string{"-c", probeScript, settingsModule}
	if deployCheck {
		args = append(args, "deploy-check")
	}
	// The probe only reads: it must not leave __pycache__ in the application.
	out, err := command.Command{Path: python, Args: args, Dir: home, Quiet: true,
		Env: map[string]string{"PYTHONDONTWRITEBYTECODE": "1"}}.Run(nil)
	if err != nil {
		return DjangoSettings{}, DjangoSettingsError{SettingsModule: settingsModule, Tail: out.Tail(12), Err: err}
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if rest, ok := strings.CutPrefix(line, "WARPDRIVE-DJANGO "); ok {
			var s DjangoSettings
			if err := json.Unmarshal([]byte(rest), &s); err != nil {
				return DjangoSettings{}, fmt.Errorf("unable to read the Django probe's output %q\n%w", rest, err)
			}
			return s, nil
		}
	}
	return DjangoSettings{}, DjangoSettingsError{SettingsModule: settingsModule, Tail: out.Tail(12), Err: fmt.Errorf("the settings probe printed no result")}
}

// ServedURL is the path the server serves the static files at.
func (s DjangoSettings) ServedURL() string { return NormalizeStaticURL(s.StaticURL) }

// NormalizeStaticURL makes STATIC_URL a path the server can alias: empty means
// /static/ (Django's own default), a relative "static/" (startproject's default
// since Django 4) is served at /static/, and a trailing slash is ensured. An
// absolute URL (a CDN) is returned as "", since nothing local serves it.
func NormalizeStaticURL(u string) string {
	switch {
	case u == "":
		return "/static/"
	case strings.Contains(u, "://") || strings.HasPrefix(u, "//"):
		return ""
	}
	if !strings.HasPrefix(u, "/") {
		u = "/" + u
	}
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

// SplitWSGIApplication splits "mysite.wsgi.application" at the last dot into
// module and callable.
func SplitWSGIApplication(s string) (module, callable string, ok bool) {
	i := strings.LastIndex(s, ".")
	if i <= 0 || i == len(s)-1 {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}
