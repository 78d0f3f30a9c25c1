package layers

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/internal/testpython"
	"github.com/warpdrive-buildpack/warpdrive/launch"
	"github.com/warpdrive-buildpack/warpdrive/server"
)

// The environment layer holds the start plans (pointed to by a variable),
// the launch defaults, and the generated modules, which really import: the
// factory is called with its arguments, WhiteNoise wraps what it names.
func TestEnvironmentLayer(t *testing.T) {
	layersDir := t.TempDir()
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, "flaskr"), 0o755)
	os.WriteFile(filepath.Join(home, "flaskr", "__init__.py"), []byte("class Holder:\n    @staticmethod\n    def make(name):\n        return 'app made for ' + name\nholder = Holder()\n"), 0o644)
	factory := app.EntryPoint{Module: "flaskr", Attr: "holder.make", Call: true, Args: "'production'"}
	e := EnvironmentLayer{
		Defaults:      []Variable{{"LANG", "C.UTF-8"}},
		StartPlans:    launch.StartPlans{"web": {Mode: "gunicorn", Command: []string{"gunicorn"}}},
		EntryPoint:    &factory,
		StaticWrapper: &server.Entry{Module: EntryModule, Callable: "application", StaticURL: "/static/", StaticDir: "/workspace/static"},
	}
	layer, err := e.Contribute(&libcnb.Layers{Path: layersDir})
	if err != nil {
		t.Fatal(err)
	}
	if !layer.LayerTypes.Launch || layer.LayerTypes.Cache || layer.LayerTypes.Build {
		t.Errorf("types = %+v, want launch only", layer.LayerTypes)
	}
	planPath := layer.LaunchEnvironment[launch.PlanVariable+".override"]
	if plan, err := launch.ReadStartPlan(planPath, "web"); err != nil || plan.Mode != "gunicorn" {
		t.Errorf("start plan at %q: %+v, %v", planPath, plan, err)
	}
	if layer.LaunchEnvironment["LANG.default"] != "C.UTF-8" {
		t.Errorf("launch environment = %v", layer.LaunchEnvironment)
	}
	dir := EnvironmentPythonPath(layersDir)
	if got := layer.LaunchEnvironment["PYTHONPATH.prepend"]; got != dir {
		t.Errorf("PYTHONPATH.prepend = %q, want %q", got, dir)
	}
	for _, module := range []string{EntryModule, server.WrapperModule} {
		if _, err := os.Stat(filepath.Join(dir, module+".py")); err != nil {
			t.Errorf("no generated module %s: %v", module, err)
		}
	}
	python := testpython.Path(t)
	cmd := exec.Command(python, "-c", "import "+EntryModule+"; print("+EntryModule+".application)")
	cmd.Dir = home
	cmd.Env = append(os.Environ(), "PYTHONPATH="+dir+string(os.PathListSeparator)+home, "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "app made for production" {
		t.Errorf("the factory module: %v\n%s", err, out)
	}
}

// An ASGI app's static files are served by the Starlette wrapper, a module
// that compiles; that it serves them is proven by the integration tests.
func TestEnvironmentLayerASGIStaticWrapper(t *testing.T) {
	layersDir := t.TempDir()
	e := EnvironmentLayer{StaticWrapper: &server.Entry{Module: "main", Callable: "app", ASGI: true, StaticURL: "/static/", StaticDir: "/workspace/static"}}
	if _, err := e.Contribute(&libcnb.Layers{Path: layersDir}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(EnvironmentPythonPath(layersDir), server.ASGIWrapperModule+".py")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`functools.reduce(getattr, "app".split("."), importlib.import_module("main"))`, `PREFIX = "/static/".rstrip("/")`, `StaticFiles(directory="/workspace/static")`} {
		if !strings.Contains(string(src), want) {
			t.Errorf("%s lacks %s:\n%s", path, want, src)
		}
	}
	if _, err := os.Stat(filepath.Join(EnvironmentPythonPath(layersDir), server.WrapperModule+".py")); err == nil {
		t.Error("the WhiteNoise wrapper was written for an ASGI app")
	}
	if out, err := exec.Command(testpython.Path(t), "-c", "import ast, sys; ast.parse(open(sys.argv[1]).read())", path).CombinedOutput(); err != nil {
		t.Errorf("the wrapper does not parse: %v\n%s", err, out)
	}
}

// The entry module resolves a dotted attribute once and exposes it by a plain
// name; the wrappers walk a dotted callable too. Each module really runs,
// against stand-ins for WhiteNoise and Starlette that record what they wrap.
func TestGeneratedModulesResolveDottedNames(t *testing.T) {
	python := testpython.Path(t)
	home := t.TempDir()
	os.WriteFile(filepath.Join(home, "server.py"), []byte("class App:\n    def wsgi_app(self, environ, start_response):\n        return 'wsgi_app of ' + self.name\n\napp = App()\napp.name = 'server.app'\n"), 0o644)
	os.MkdirAll(filepath.Join(home, "starlette"), 0o755)
	os.WriteFile(filepath.Join(home, "starlette", "__init__.py"), nil, 0o644)
	os.WriteFile(filepath.Join(home, "starlette", "staticfiles.py"), []byte("class StaticFiles:\n    def __init__(self, directory):\n        pass\n"), 0o644)
	os.WriteFile(filepath.Join(home, "whitenoise.py"), []byte("class WhiteNoise:\n    def __init__(self, app, root, prefix):\n        self.app = app\n"), 0o644)
	dotted := app.EntryPoint{Module: "server", Attr: "app.wsgi_app"}
	tests := []struct {
		name, module, src, expr string
	}{
		{"the entry module", EntryModule, entryModule(dotted), "m.application(None, None)"},
		{"the WhiteNoise wrapper", server.WrapperModule,
			whiteNoiseModule(server.Entry{Module: "server", Callable: "app.wsgi_app", StaticURL: "/static/", StaticDir: "/s"}), "m.application.app(None, None)"},
		{"the Starlette wrapper", server.ASGIWrapperModule,
			asgiStaticModule(server.Entry{Module: "server", Callable: "app.wsgi_app", ASGI: true, StaticURL: "/static/", StaticDir: "/s"}), "m.app(None, None)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(tt.src, `functools.reduce(getattr, "app.wsgi_app".split("."), importlib.import_module("server"))`) {
				t.Errorf("%s does not walk the dotted name:\n%s", tt.module, tt.src)
			}
			dir := t.TempDir()
			if err := writeModule(dir, tt.module, tt.src); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(python, "-c", "import "+tt.module+" as m; print("+tt.expr+")")
			cmd.Dir = home
			cmd.Env = append(os.Environ(), "PYTHONPATH="+dir+string(os.PathListSeparator)+home, "PYTHONDONTWRITEBYTECODE=1")
			if out, err := cmd.CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "wsgi_app of server.app" {
				t.Errorf("%s: %v\n%s", tt.module, err, out)
			}
		})
	}
}
