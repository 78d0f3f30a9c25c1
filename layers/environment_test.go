package layers

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"

	"github.com/warpdrive-buildpack/warpdrive/app"
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
	e := Environment{
		Defaults:      []Variable{{"LANG", "C.UTF-8"}},
		StartPlans:    launch.StartPlans{"web": {Mode: "gunicorn", Command: []string{"gunicorn"}}},
		Factory:       &factory,
		StaticWrapper: &server.Entry{Module: FactoryModule, Callable: "application", StaticURL: "/static/", StaticDir: "/workspace/static"},
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
	for _, module := range []string{FactoryModule, server.WrapperModule} {
		if _, err := os.Stat(filepath.Join(dir, module+".py")); err != nil {
			t.Errorf("no generated module %s: %v", module, err)
		}
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	cmd := exec.Command(python, "-c", "import "+FactoryModule+"; print("+FactoryModule+".application)")
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
	e := Environment{StaticWrapper: &server.Entry{Module: "main", Callable: "app", ASGI: true, StaticURL: "/static/", StaticDir: "/workspace/static"}}
	if _, err := e.Contribute(&libcnb.Layers{Path: layersDir}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(EnvironmentPythonPath(layersDir), server.ASGIWrapperModule+".py")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`import_module("main"), "app"`, `PREFIX = "/static/".rstrip("/")`, `StaticFiles(directory="/workspace/static")`} {
		if !strings.Contains(string(src), want) {
			t.Errorf("%s lacks %s:\n%s", path, want, src)
		}
	}
	if _, err := os.Stat(filepath.Join(EnvironmentPythonPath(layersDir), server.WrapperModule+".py")); err == nil {
		t.Error("the WhiteNoise wrapper was written for an ASGI app")
	}
	if python, err := exec.LookPath("python3"); err == nil {
		if out, err := exec.Command(python, "-c", "import ast, sys; ast.parse(open(sys.argv[1]).read())", path).CombinedOutput(); err != nil {
			t.Errorf("the wrapper does not parse: %v\n%s", err, out)
		}
	}
}
