package build

import (
	"fmt"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/layers"
)

// Explanations of the Django errors.

func explainSettingsLine(e app.SettingsLineError) Message {
	return Message{Title: "Django settings module not readable from manage.py",
		Detail: []string{e.Error(),
			"warpdrive reads manage.py's os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"mysite.settings\") without running it,",
			"so a name built from a variable or an f-string does not tell it which settings to import."},
		Fix: []string{"Set DJANGO_SETTINGS_MODULE for the build and the app: a line `DJANGO_SETTINGS_MODULE=mysite.settings` in .warpdrive/environment",
			"(or `pack build --env DJANGO_SETTINGS_MODULE=mysite.settings`, and the same variable at run time);",
			"or write the module as a plain string in manage.py: os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"mysite.settings\")."}}
}

func explainDjangoWSGI(e app.DjangoWSGIError) Message {
	settingsFile := strings.ReplaceAll(e.SettingsModule, ".", "/") + ".py"
	project, _, _ := strings.Cut(e.SettingsModule, ".")
	if !strings.Contains(e.SettingsModule, ".") {
		project = "mysite"
	}
	detail := []string{e.Error() + "."}
	if e.WSGIApplication == "" {
		detail = append(detail, "Django's startproject writes a wsgi.py defining `application` beside the settings; WSGI_APPLICATION names it.")
	}
	return Message{Title: "Django WSGI application not found",
		Detail: detail,
		Fix: []string{fmt.Sprintf("Set WSGI_APPLICATION = \"%s.wsgi.application\" in %s (the module.callable of your WSGI application),", project, settingsFile),
			fmt.Sprintf("or name it with WARPDRIVE_WSGI_APPLICATION=%s.wsgi:application (pack build --env, or a line in .warpdrive/environment).", project)}}
}

func explainDjangoSettings(e layers.DjangoSettingsError) Message {
	return Message{Title: "Unable to import the Django settings",
		Detail: append([]string{fmt.Sprintf("Importing %s failed (%s); the end of its output:", e.SettingsModule, exitStatus(e.Err))}, indentLines(e.Tail)...),
		Fix: append([]string{"Fix the error above. If the settings need a variable at build time (a secret key, a database URL),"},
			buildEnvFix...)}
}

func explainCollectstatic(e layers.CollectstaticError) Message {
	return Message{Title: "collectstatic failed",
		Detail: append([]string{fmt.Sprintf("`manage.py collectstatic --noinput` failed (%s); the end of its output:", exitStatus(e.Err))}, indentLines(e.Tail)...),
		Fix:    append([]string{"Fix the error above, or skip the step with DISABLE_COLLECTSTATIC=1."}, buildEnvFix...)}
}

func explainDeployCheck(e DeployCheckError) Message {
	detail := []string{e.Error() + " (manage.py check --deploy), and WARPDRIVE_DJANGO_DEPLOY_CHECK is strict:"}
	for _, f := range e.Findings {
		detail = append(detail, "  "+f.String())
	}
	return Message{Title: "Django deployment checks failed",
		Detail: detail,
		Fix: []string{"Fix each in the settings (Django's deployment checklist: https://docs.djangoproject.com/en/stable/howto/deployment/checklist/),",
			"silence one you accept with SILENCED_SYSTEM_CHECKS = [\"security.W004\"] in the settings,",
			"or set WARPDRIVE_DJANGO_DEPLOY_CHECK=warn to log them without failing the build."}}
}
