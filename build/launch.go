package build

import (
	"path/filepath"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/launch"
	"github.com/warpdrive-buildpack/warpdrive/layers"
	"github.com/warpdrive-buildpack/warpdrive/server"
)

// launchLayers contributes the launch helper and the launch environment, with
// the start plan the web process follows.
func (b Build) launchLayers(s *step) error {
	start, err := layers.Start{Binary: executable(s), Logger: b.Logger}.Contribute(&s.ctx.Layers)
	if err != nil {
		return err
	}
	s.result.Layers = append(s.result.Layers, start)

	env := layers.Environment{StartPlan: webPlan(s)}
	if s.usesWhiteNoise() {
		s.entry.Wrapped = true
		env.StartPlan = webPlan(s)
		entry := s.entry
		env.WhiteNoise = &entry
		b.Logger.Headerf("Static files: %s serves %s through WhiteNoise (%s)", s.server.Name, s.entry.StaticURL, server.WrapperModule)
	}
	env.Defaults = append(env.Defaults, layers.Variable{Name: "WARPDRIVE_SRC_ROOT", Value: s.ctx.ApplicationPath})
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

// usesWhiteNoise: a wsgi-mode server without its own static-file mapping,
// with static files to serve.
func (s *step) usesWhiteNoise() bool {
	return s.launch.Mode == app.ModeWSGI && s.hasServer && s.server.Static == server.StaticByWhiteNoise &&
		s.entry.StaticURL != "" && s.entry.StaticDir != ""
}

// webPlan is what the web process runs, by deploy mode.
func webPlan(s *step) launch.StartPlan {
	home := s.config.Home
	switch s.launch.Mode {
	case app.ModeShell:
		return launch.StartPlan{Mode: "shell", Command: []string{filepath.Join(home, "app.sh")}}
	case app.ModePython:
		return launch.StartPlan{Mode: "python", Command: []string{"python", filepath.Join(home, "app.py")}}
	case app.ModePaste:
		return launch.StartPlan{Mode: s.server.Name, Command: s.server.Command(),
			Derived: server.PasteDerived(s.entry, filepath.Join(home, "paste.ini"))}
	case app.ModeWSGI:
		return launch.StartPlan{Mode: s.server.Name, Command: s.server.Command(), Derived: s.server.Derived(s.entry)}
	default: // full control: the server's base arguments and the user's server_args
		return launch.StartPlan{Mode: s.server.Name, Command: s.server.Command()}
	}
}
