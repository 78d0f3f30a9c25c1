package build

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/launch"
	"github.com/warpdrive-buildpack/warpdrive/layers"
	"github.com/warpdrive-buildpack/warpdrive/server"
)

// launchLayers contributes the launch helper and the launch environment, with
// the start plans the processes follow.
func (b Build) launchLayers(s *step) error {
	start, err := layers.Start{Binary: executable(s), Logger: b.Logger}.Contribute(&s.ctx.Layers)
	if err != nil {
		return err
	}
	s.result.Layers = append(s.result.Layers, start)

	env := layers.EnvironmentLayer{EntryPoint: s.entryModule, Django: s.launch.Django}
	if s.usesStaticWrapper() {
		s.entry.Wrapped = true
		entry := s.entry
		env.StaticWrapper = &entry
		if entry.ASGI {
			b.Logger.Headerf("Static files: %s serves %s through Starlette's StaticFiles (%s)", s.server.Name, s.entry.StaticURL, server.ASGIWrapperModule)
		} else {
			b.Logger.Headerf("Static files: %s serves %s through WhiteNoise (%s)", s.server.Name, s.entry.StaticURL, server.WrapperModule)
		}
	}
	s.plans = startPlans(s)
	env.StartPlans = s.plans
	env.Defaults = append(env.Defaults, layers.Variable{Name: "WARPDRIVE_SRC_ROOT", Value: s.ctx.ApplicationPath},
		// A UTF-8 locale every image has, for the app's processes
		// (mod_wsgi-express gets its own through --locale).
		layers.Variable{Name: "LANG", Value: "C.UTF-8"})
	for name, value := range s.env {
		env.Defaults = append(env.Defaults, layers.Variable{Name: name, Value: value})
	}
	for _, v := range s.config.Environment {
		env.Defaults = append(env.Defaults, layers.Variable{Name: v.Name, Value: v.Value})
	}
	layer, err := env.Contribute(&s.ctx.Layers)
	if err != nil {
		return err
	}
	s.result.Layers = append(s.result.Layers, layer)
	return nil
}

// usesStaticWrapper: a wsgi-mode server without its own static-file mapping,
// with static files to serve.
func (s *step) usesStaticWrapper() bool {
	return s.launch.Mode == app.ModeWSGI && s.hasServer && s.server.Static == server.StaticByWrapper &&
		s.entry.StaticURL != "" && s.entry.StaticDir != ""
}

// startPlans are the web process's plan and one per Procfile entry (a
// Procfile web entry replaces warpdrive's web only in the procfile mode).
func startPlans(s *step) launch.StartPlans {
	plans := launch.StartPlans{}
	if s.config.Procfile != nil {
		for _, p := range s.config.Procfile.Processes {
			if p.Name != "web" || s.launch.Mode == app.ModeProcfile {
				plans[p.Name] = procfilePlan(p)
			}
		}
	}
	if _, ok := plans["web"]; !ok && !s.workerOnly() {
		plans["web"] = webPlan(s)
	}
	return plans
}

// workerOnly: the app has no web entry point, and its Procfile's entries
// (a worker, a bot) are all it runs.
func (s *step) workerOnly() bool {
	return s.launch.Mode == app.ModeProcfile && s.launch.Procfile == ""
}

// scriptCommand runs a console script's function the way the script pip
// writes does, so it works whether or not the project itself is installed
// (the application directory is the working directory, first on sys.path);
// arguments given to `docker run IMAGE ...` reach it in sys.argv[1:].
func scriptCommand(sc app.Script) []string {
	head, rest, _ := strings.Cut(sc.Entry.Attr, ".")
	call := head
	if rest != "" {
		call += "." + rest
	}
	return []string{"python", "-c", fmt.Sprintf("import sys; from %s import %s; sys.exit(%s())", sc.Entry.Module, head, call)}
}

// procfilePlan runs a Procfile command the way Heroku does, through bash
// (which expands $PORT and the rest when the container starts, and execs the
// last command of a simple list, so the server is PID 1).
func procfilePlan(p app.ProcessType) launch.StartPlan {
	return launch.StartPlan{Mode: app.ModeProcfile, Command: []string{"bash", "-c", p.Command, p.Name}, Shell: true}
}

// webPlan is what warpdrive's web process runs, by deploy mode.
func webPlan(s *step) launch.StartPlan {
	home := s.config.Home
	switch s.launch.Mode {
	case app.ModeShell:
		return launch.StartPlan{Mode: app.ModeShell, Command: []string{filepath.Join(home, "app.sh")}}
	case app.ModePython:
		return launch.StartPlan{Mode: app.ModePython, Command: []string{"python", filepath.Join(home, "app.py")}}
	case app.ModeScript:
		return launch.StartPlan{Mode: app.ModeScript, Command: scriptCommand(s.launch.Script)}
	case app.ModePaste:
		return launch.StartPlan{Mode: s.server.Name, Command: s.server.Command(),
			Derived: server.PasteDerived(s.entry, filepath.Join(home, "paste.ini"))}
	case app.ModeWSGI:
		return launch.StartPlan{Mode: s.server.Name, Command: s.server.Command(), Derived: s.server.Derived(s.entry)}
	default: // full control: the server's base arguments and the user's server_args
		return launch.StartPlan{Mode: s.server.Name, Command: s.server.Command()}
	}
}

// procfileServer is the server a Procfile web command runs, when it names one
// warpdrive knows (any word of it: `python manage.py migrate && gunicorn ...`).
func procfileServer(command string) (server.Server, bool) {
	return server.Named(launch.CommandWords(command))
}
