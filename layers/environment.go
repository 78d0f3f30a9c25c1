package layers

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"

	"github.com/buildpacks/libcnb/v2"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/launch"
	"github.com/warpdrive-buildpack/warpdrive/server"
)

// EnvironmentLayer is the small launch layer "environment" holding what
// every process needs at start: the variables (the source root for
// warpdrive-start, Django's settings module, `.warpdrive/environment`), the
// start plan warpdrive-start follows, and the static-files wrapper
// (WhiteNoise for WSGI, Starlette for ASGI) when the server serves static
// files through it. It is rewritten every build (it is tiny).
type EnvironmentLayer struct {
	// Defaults are variables the running app gets unless it is given its own.
	Defaults []Variable
	// StartPlans are what the web process and Procfile processes run.
	StartPlans launch.StartPlans
	// StaticWrapper, when set, is the application the static-files wrapper
	// module serves.
	StaticWrapper *server.Entry
	// EntryPoint, when set, is the entry point the generated entry module
	// serves: a factory or a dotted attribute (see app.EntryPoint.Plain).
	EntryPoint *app.EntryPoint
	// Django adds MigrateModule, which the migrate process runs.
	Django bool
}

// MigrateModule runs `manage.py migrate` holding a lock on the database, so
// that migrate runs started together apply each migration once (see the
// module's docstring): `python -m warpdrive_migrate [migrate's arguments]`.
const MigrateModule = "warpdrive_migrate"

//go:embed warpdrive_migrate.py
var migrateModule string

// EntryModule is the generated module that resolves an entry point no server
// can load as it is written (a factory `module:create_app()`, a dotted
// `module:app.wsgi_app`) once per process and exposes it as `application`,
// a plain name every server (and the static-files wrappers) loads.
const EntryModule = "warpdrive_entry"

// EnvironmentPythonPath is where the environment layer keeps generated
// modules, given the buildpack's layers directory.
func EnvironmentPythonPath(layersDir string) string {
	return filepath.Join(layersDir, "environment", "python")
}

// Variable is one NAME=value default.
type Variable struct{ Name, Value string }

// Contribute writes the layer.
func (e EnvironmentLayer) Contribute(layers *libcnb.Layers) (libcnb.Layer, error) {
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
	plan, err := launch.WriteStartPlans(layer.Path, e.StartPlans)
	if err != nil {
		return libcnb.Layer{}, err
	}
	layer.LaunchEnvironment.Override(launch.PlanVariable, plan)
	dir := filepath.Join(layer.Path, "python")
	if e.EntryPoint != nil {
		if err := writeModule(dir, EntryModule, entryModule(*e.EntryPoint)); err != nil {
			return libcnb.Layer{}, err
		}
	}
	if w := e.StaticWrapper; w != nil {
		name, src := server.WrapperModule, whiteNoiseModule(*w)
		if w.ASGI {
			name, src = server.ASGIWrapperModule, asgiStaticModule(*w)
		}
		if err := writeModule(dir, name, src); err != nil {
			return libcnb.Layer{}, err
		}
	}
	if e.Django {
		if err := writeModule(dir, MigrateModule, migrateModule); err != nil {
			return libcnb.Layer{}, err
		}
	}
	if e.EntryPoint != nil || e.StaticWrapper != nil || e.Django {
		layer.LaunchEnvironment.Prepend("PYTHONPATH", string(os.PathListSeparator), dir)
	}
	return layer, nil
}

func writeModule(dir, name, src string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, name+".py"), []byte(src), 0o644)
}

// entryModule resolves the entry point's (possibly dotted) attribute once,
// when the server loads the module, and calls it when it is a factory.
func entryModule(ep app.EntryPoint) string {
	if !ep.Call {
		return fmt.Sprintf(`"""Written by warpdrive: the application %[1]s, so every server loads it
by a plain name."""
import functools
import importlib

application = functools.reduce(getattr, %[3]q.split("."), importlib.import_module(%[2]q))
`, ep.String(), ep.Module, ep.Attr)
	}
	return fmt.Sprintf(`"""Written by warpdrive: the application made by the factory %[1]s,
so every server loads it by a plain name."""
import functools
import importlib

factory = functools.reduce(getattr, %[3]q.split("."), importlib.import_module(%[2]q))
application = factory(%[4]s)
`, ep.String(), ep.Module, ep.Attr, ep.Args)
}

// whiteNoiseModule is the module servers without a static-file mapping load
// instead of the application: WhiteNoise serving the static files around it,
// so the application's code does not change.
func whiteNoiseModule(e server.Entry) string {
	return fmt.Sprintf(`"""Written by warpdrive: serves %[3]s from %[4]s with WhiteNoise around
%[1]s:%[2]s, so the server serves the static files without changes to the application."""
import functools
import importlib

from whitenoise import WhiteNoise

# The callable may be a dotted path (app.wsgi_app): walk it.
app = functools.reduce(getattr, %[2]q.split("."), importlib.import_module(%[1]q))
application = WhiteNoise(app, root=%[4]q, prefix=%[3]q)
`, e.Module, e.Callable, e.StaticURL, e.StaticDir)
}

// asgiStaticModule is whiteNoiseModule for an ASGI application: Starlette's
// StaticFiles answers under the static URL (content types, ETag,
// Last-Modified, HEAD and ranges), with a Cache-Control like WhiteNoise's
// default; everything else, lifespan and websockets included, reaches the
// application unchanged.
func asgiStaticModule(e server.Entry) string {
	return fmt.Sprintf(`"""Written by warpdrive: serves %[3]s from %[4]s with Starlette's StaticFiles in
front of %[1]s:%[2]s, so the ASGI server serves the static files without changes to the application."""
import functools
import importlib

from starlette.staticfiles import StaticFiles

# The callable may be a dotted path (app.asgi_app): walk it.
app = functools.reduce(getattr, %[2]q.split("."), importlib.import_module(%[1]q))
PREFIX = %[3]q.rstrip("/")
CACHE_CONTROL = (b"cache-control", b"public, max-age=60")
static = StaticFiles(directory=%[4]q)


async def application(scope, receive, send):
    path = scope.get("path", "")
    if scope["type"] != "http" or not path.startswith(PREFIX + "/"):
        await app(scope, receive, send)
        return

    async def send_with_cache_control(message):
        if message["type"] == "http.response.start" and message["status"] in (200, 304):
            message = dict(message, headers=[*message.get("headers", []), CACHE_CONTROL])
        await send(message)

    # As a Starlette Mount does: the prefix moves to root_path.
    await static(dict(scope, root_path=scope.get("root_path", "") + PREFIX), receive, send_with_cache_control)
`, e.Module, e.Callable, e.StaticURL, e.StaticDir)
}
