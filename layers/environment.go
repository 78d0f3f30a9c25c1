package layers

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/buildpacks/libcnb/v2"

	"github.com/warpdrive-buildpack/warpdrive/launch"
	"github.com/warpdrive-buildpack/warpdrive/server"
)

// Environment is a small launch layer holding what every process needs at
// start: the variables (the source root for warpdrive-start, Django's
// settings module, `.warpdrive/environment`), the start plan warpdrive-start
// follows, and the WhiteNoise wrapper when the server serves static files
// through it. It is rewritten every build (it is tiny).
type Environment struct {
	// Defaults are variables the running app gets unless it is given its own.
	Defaults []Variable
	// StartPlan is what the web process runs.
	StartPlan launch.StartPlan
	// WhiteNoise, when set, is the application the wrapper module serves.
	WhiteNoise *server.Entry
}

// Variable is one NAME=value default.
type Variable struct{ Name, Value string }

// Contribute writes the layer.
func (e Environment) Contribute(layers *libcnb.Layers) (libcnb.Layer, error) {
	layer, err := layers.Layer("environment")
	if err != nil {
		return libcnb.Layer{}, err
	}
	if layer, err = layer.Reset(); err != nil {
		return libcnb.Layer{}, err
	}
	layer.LayerTypes = libcnb.LayerTypes{Launch: true}
	layer.Metadata = map[string]interface{}{"purpose": "launch environment"}
	for _, v := range e.Defaults {
		layer.LaunchEnvironment.Default(v.Name, v.Value)
	}
	plan, err := launch.WriteStartPlan(layer.Path, e.StartPlan)
	if err != nil {
		return libcnb.Layer{}, err
	}
	layer.LaunchEnvironment.Override(launch.PlanVariable, plan)
	if e.WhiteNoise != nil {
		dir := filepath.Join(layer.Path, "python")
		if err := writeWhiteNoiseWrapper(dir, *e.WhiteNoise); err != nil {
			return libcnb.Layer{}, err
		}
		layer.LaunchEnvironment.Prepend("PYTHONPATH", string(os.PathListSeparator), dir)
	}
	return layer, nil
}

// writeWhiteNoiseWrapper writes the module servers without a static-file
// mapping load instead of the application: WhiteNoise serving the static
// files around it, so the application's code does not change.
func writeWhiteNoiseWrapper(dir string, e server.Entry) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	src := fmt.Sprintf(`"""Written by warpdrive: serves %[3]s from %[4]s with WhiteNoise around
%[1]s.%[2]s, so the server serves the static files without changes to the application."""
import importlib

from whitenoise import WhiteNoise

application = WhiteNoise(getattr(importlib.import_module(%[1]q), %[2]q), root=%[4]q, prefix=%[3]q)
`, e.Module, e.Callable, e.StaticURL, e.StaticDir)
	return os.WriteFile(filepath.Join(dir, server.WrapperModule+".py"), []byte(src), 0o644)
}
