package layers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/effect"
	plog "github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/pip"
	"github.com/warpdrive-buildpack/warpdrive/reuse"
)

// fakePython stands in for the runtime and the venv's interpreter: `-m venv`
// makes the venv's site-packages, `-m pip` prints what pip would (or fails
// as pip does), and every call is recorded.
type fakePython struct {
	calls   [][]string
	envs    [][]string
	pipOut  string
	pipFail bool
	// failArg, when set, fails only the pip calls with this argument.
	failArg string
	// checkOut, when set, is what `pip check` prints, failing.
	checkOut string
}

func (f *fakePython) Execute(e effect.Execution) error {
	f.calls = append(f.calls, append([]string{e.Command}, e.Args...))
	f.envs = append(f.envs, e.Env)
	switch {
	case len(e.Args) >= 3 && e.Args[1] == "venv":
		return os.MkdirAll(filepath.Join(e.Args[2], "lib", "python3.13", "site-packages"), 0o755)
	case len(e.Args) >= 3 && e.Args[1] == "pip" && e.Args[2] == "check":
		io.WriteString(e.Stdout, f.checkOut)
		if f.checkOut != "" {
			return errors.New("exit status 1")
		}
	case len(e.Args) >= 2 && e.Args[1] == "pip":
		io.WriteString(e.Stdout, f.pipOut)
		if f.pipFail || (f.failArg != "" && slices.Contains(e.Args, f.failArg)) {
			return errors.New("exit status 1")
		}
	}
	return nil
}

func TestPackagesInstall(t *testing.T) {
	home := t.TempDir()
	os.WriteFile(filepath.Join(home, "requirements.txt"), []byte("Django==4.2.*\nnosuch==1.0\n"), 0o644)
	files := []app.RequirementFile{{Path: "requirements.txt"}}
	tests := []struct {
		name     string
		p        Packages
		fake     fakePython
		wantArgs string
		wantErr  string
	}{
		{"requirements, wheelhouse and the server's packages",
			Packages{Roots: []string{"requirements.txt"}, Files: files, Wheelhouse: "/workspace/.warpdrive/wheelhouse", Extra: []string{"gunicorn"}},
			fakePython{pipOut: "Successfully installed Django\n"},
			"-m pip install --disable-pip-version-check --no-input --progress-bar off --find-links /workspace/.warpdrive/wheelhouse -r requirements.txt gunicorn", ""},
		{"nothing to install", Packages{}, fakePython{}, "", ""},
		{"pip fails: the error names the requirement line",
			Packages{Roots: []string{"requirements.txt"}, Files: files},
			fakePython{pipOut: "ERROR: No matching distribution found for nosuch==1.0\n", pipFail: true},
			"-m pip install --disable-pip-version-check --no-input --progress-bar off -r requirements.txt", "requirements.txt:2 nosuch==1.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := tt.fake
			p := tt.p
			p.Home, p.Runtime, p.PipCache, p.Executor = home, Runtime{Home: "/layers/warpdrive/python", Version: "3.13.5"}, "/layers/warpdrive/pip-cache", &fake
			p.PthPaths = []string{"/layers/warpdrive/mod_wsgi/lib/python3.13/site-packages"}
			var log bytes.Buffer
			p.Logger = plog.NewPaketoLogger(&log)
			venv := filepath.Join(t.TempDir(), "venv")
			err := p.install(&libcnb.Layer{Path: venv})
			if tt.wantErr != "" {
				var pe pip.InstallError
				if !errors.As(err, &pe) || len(pe.Locations) != 1 || fmt.Sprintf("%s:%d %s", pe.Locations[0].Path, pe.Locations[0].Line, pe.Locations[0].Text) != tt.wantErr {
					t.Fatalf("err = %#v, want a pip.InstallError locating %s", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(fake.calls[0], " "); got != "/layers/warpdrive/python/bin/python3 -m venv "+venv {
				t.Errorf("first call = %s, want the runtime making the venv", got)
			}
			var pip []string
			for i, c := range fake.calls {
				if len(c) > 2 && c[2] == "pip" {
					pip = c[1:]
					if !slices.Contains(fake.envs[i], "PIP_CACHE_DIR=/layers/warpdrive/pip-cache") {
						t.Errorf("pip ran without the pip-cache layer as PIP_CACHE_DIR")
					}
				}
			}
			if got := strings.Join(pip, " "); got != tt.wantArgs {
				t.Errorf("pip args = %q\nwant        %q", got, tt.wantArgs)
			}
			site := filepath.Join(venv, "lib", "python3.13", "site-packages")
			for _, f := range []string{"_warpdrive_layers.pth", "_warpdrive_signals.pth", "_warpdrive_signals.py"} {
				if _, err := os.Stat(filepath.Join(site, f)); err != nil {
					t.Errorf("the venv lacks %s: %v", f, err)
				}
			}
		})
	}
}

// The venv's key follows what pip reads: an editable project's metadata, not
// its code; a PIP_* setting; the server's extra packages.
func TestPackagesMetadataIsExact(t *testing.T) {
	home := t.TempDir()
	os.WriteFile(filepath.Join(home, "requirements.txt"), []byte("-e .\n"), 0o644)
	os.WriteFile(filepath.Join(home, "pyproject.toml"), []byte("[project]\nname = 'x'\n"), 0o644)
	os.WriteFile(filepath.Join(home, "app.py"), []byte("app = 1\n"), 0o644)
	p := Packages{Home: home, Roots: []string{"requirements.txt"}, Files: []app.RequirementFile{{Path: "requirements.txt"}},
		Runtime: Runtime{Version: "3.13.5", PipVersion: "25.1"}, Target: "linux/amd64"}
	key := func() reuse.Metadata {
		t.Helper()
		md, err := p.Metadata()
		if err != nil {
			t.Fatal(err)
		}
		return md
	}
	base := key()
	os.WriteFile(filepath.Join(home, "app.py"), []byte("app = 2\n"), 0o644)
	if got := key(); got["requirements"] != base["requirements"] {
		t.Error("an app code change rebuilt the venv of an editable install")
	}
	os.WriteFile(filepath.Join(home, "pyproject.toml"), []byte("[project]\nname = 'x'\ndependencies = ['flask']\n"), 0o644)
	if got := key(); got["requirements"] == base["requirements"] {
		t.Error("a change to the editable project's pyproject.toml did not change the venv's key")
	}
	t.Setenv("PIP_INDEX_URL", "http://index.example/simple")
	if got := key(); got["pip_settings"] == base["pip_settings"] || strings.Contains(got["pip_settings"], "index.example") {
		t.Errorf("pip_settings = %q: want a changed hash that does not show the value", got["pip_settings"])
	}
	p.Extra = []string{"gunicorn"}
	if got := key(); got["extra_packages"] != "gunicorn" {
		t.Errorf("extra_packages = %q", got["extra_packages"])
	}
}

// TestPackagesMetadataIsExactForALock: a lock plan's venv key follows the
// pins, the lock and what pip copies from the app, and nothing else.
func TestPackagesMetadataIsExactForALock(t *testing.T) {
	home := t.TempDir()
	write := func(path, content string) {
		t.Helper()
		must(t, os.MkdirAll(filepath.Dir(filepath.Join(home, path)), 0o755))
		must(t, os.WriteFile(filepath.Join(home, path), []byte(content), 0o644))
	}
	write("poetry.lock", "# lock\n")
	write("app.py", "app = 1\n")
	write("libs/copied/pyproject.toml", "[project]\nname = 'copied'\n")
	write("libs/copied/copied.py", "x = 1\n")
	write("libs/linked/pyproject.toml", "[project]\nname = 'linked'\n")
	write("libs/linked/linked.py", "x = 1\n")
	pins := []app.Pin{
		{Name: "flask", Version: "3.1.0", Hashes: []string{"sha256:aa"}, Source: app.SourceIndex},
		{Name: "copied", Version: "0.1", Source: app.SourcePath, Ref: "libs/copied"},
		{Name: "linked", Version: "0.1", Source: app.SourcePath, Ref: "libs/linked", Editable: true},
	}
	p := Packages{Home: home, Runtime: Runtime{Version: "3.13.5", PipVersion: "25.1"}, Target: "linux/amd64",
		Plan: app.DependencyPlan{Source: app.FromLock, File: "poetry.lock", Lock: app.Lock{File: "poetry.lock", Tool: "Poetry", Pins: pins}}}
	key := func() string {
		t.Helper()
		md, err := p.Metadata()
		must(t, err)
		return fmt.Sprint(md) // every entry: the local paths have their own
	}
	tests := []struct {
		name    string
		change  func()
		rebuilt bool
	}{
		{"app code, the project not installed", func() { write("app.py", "app = 2\n") }, false},
		{"the code of an editable path pin", func() { write("libs/linked/linked.py", "x = 2\n") }, false},
		{"the metadata of an editable path pin", func() { write("libs/linked/pyproject.toml", "[project]\nname = 'linked'\nversion = '2'\n") }, true},
		{"the code of a copied path pin", func() { write("libs/copied/copied.py", "x = 2\n") }, true},
		{"the lock file", func() { write("poetry.lock", "# lock, again\n") }, true},
		{"a pin's hash", func() { p.Plan.Lock.Pins[0].Hashes = []string{"sha256:bb"} }, true},
		{"a pin's index", func() { p.Plan.Lock.Pins[0].Ref = "https://pypi.acme.example/simple" }, true},
		{"app code, the project installed", func() { p.Plan.Lock.InstallsProject = true; _ = key(); write("app.py", "app = 3\n") }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := key()
			tt.change()
			if rebuilt := key() != before; rebuilt != tt.rebuilt {
				t.Errorf("venv key changed: %v, want %v", rebuilt, tt.rebuilt)
			}
		})
	}
}

// A lock's plan runs one pip per step; Poetry's own project failing to build
// is a warning (as in Poetry 1.x), uv's an error naming the project.
func TestPackagesInstallLockPlan(t *testing.T) {
	pins := []app.Pin{{Name: "flask", Version: "3.1.0", Hashes: []string{"sha256:aa"}, Source: app.SourceIndex}}
	for _, tt := range []struct {
		tool    string
		wantErr bool
	}{{"Poetry", false}, {"uv", true}} {
		t.Run(tt.tool, func(t *testing.T) {
			fake := fakePython{pipOut: "ValueError: No file/folder found for package app\n", failArg: "."}
			var log bytes.Buffer
			p := Packages{Home: t.TempDir(), Runtime: Runtime{Home: "/layers/warpdrive/python", Version: "3.13.5"}, Executor: &fake,
				Plan:   app.DependencyPlan{Source: app.FromLock, File: "x.lock", Lock: app.Lock{Tool: tt.tool, Pins: pins, InstallsProject: true}},
				Logger: plog.NewPaketoLogger(&log)}
			err := p.install(&libcnb.Layer{Path: filepath.Join(t.TempDir(), "venv")})
			var pe pip.ProjectBuildError
			if tt.wantErr != errors.As(err, &pe) {
				t.Fatalf("err = %v, want a pip.ProjectBuildError: %v", err, tt.wantErr)
			}
			var pip []string
			for _, c := range fake.calls {
				if len(c) > 3 && c[2] == "pip" && c[3] == "install" {
					pip = append(pip, strings.Join(c[8:], " "))
				}
			}
			if len(pip) != 2 || !strings.HasPrefix(pip[0], "--require-hashes --no-deps -r ") || pip[1] != "--no-deps ." {
				t.Errorf("pip runs = %q", pip)
			}
			if !tt.wantErr && !strings.Contains(log.String(), "WARNING: pip could not build the application as a package") {
				t.Errorf("no warning in the log:\n%s", log.String())
			}
		})
	}
}

// TestPackagesLockCheckedByPip: after a lock's --no-deps installs, pip check
// finds a dependency no pin provides (Pipfile.lock and pylock.toml record
// no edges); a version conflict is only logged.
func TestPackagesLockCheckedByPip(t *testing.T) {
	pins := []app.Pin{{Name: "flask", Version: "3.1.0", Hashes: []string{"sha256:aa"}, Source: app.SourceIndex}}
	tests := []struct {
		name     string
		checkOut string
		want     error
		log      string
	}{
		{"everything installed", "", nil, ""},
		{"a dependency missing", "flask 3.1.0 requires blinker, which is not installed.\nflask 3.1.0 requires click, which is not installed.\n",
			app.LockIncompleteError{File: "Pipfile.lock", RefreshCommand: "pipenv lock",
				Missing: []app.MissingDependency{{Name: "blinker", RequiredBy: "flask"}, {Name: "click", RequiredBy: "flask"}},
				Output:  []string{"flask 3.1.0 requires blinker, which is not installed.", "flask 3.1.0 requires click, which is not installed."}}, ""},
		{"a version conflict only", "flask 3.1.0 has requirement werkzeug>=3.1, but you have werkzeug 3.0.6.\n", nil,
			"flask 3.1.0 has requirement werkzeug>=3.1, but you have werkzeug 3.0.6."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := fakePython{checkOut: tt.checkOut}
			var log bytes.Buffer
			p := Packages{Home: t.TempDir(), Runtime: Runtime{Home: "/layers/warpdrive/python", Version: "3.13.5"}, Executor: &fake,
				Plan:   app.DependencyPlan{Source: app.FromLock, File: "Pipfile.lock", Lock: app.Lock{Tool: "Pipenv", RefreshCommand: "pipenv lock", Pins: pins}},
				Logger: plog.NewPaketoLogger(&log)}
			err := p.install(&libcnb.Layer{Path: filepath.Join(t.TempDir(), "venv")})
			if tt.want == nil && err != nil {
				t.Fatalf("err = %v, want none", err)
			}
			if tt.want != nil {
				var got app.LockIncompleteError
				if !errors.As(err, &got) || !reflect.DeepEqual(got, tt.want) {
					t.Fatalf("err = %#v\nwant %#v", err, tt.want)
				}
			}
			if !strings.Contains(log.String(), tt.log) {
				t.Errorf("log lacks %q:\n%s", tt.log, log.String())
			}
			if !slices.ContainsFunc(fake.calls, func(c []string) bool { return len(c) > 3 && c[2] == "pip" && c[3] == "check" }) {
				t.Errorf("pip check did not run: %q", fake.calls)
			}
		})
	}
}

// The reason logged for a new venv names the input that changed.
func TestPackagesMetadataNamesTheInput(t *testing.T) {
	tests := []struct {
		name string
		plan app.DependencyPlan
		key  string
	}{
		{"requirements files", app.DependencyPlan{Source: app.FromRequirements}, "requirements"},
		{"no plan", app.DependencyPlan{}, "requirements"},
		{"a Pipfile.lock", app.DependencyPlan{Source: app.FromLock, File: "Pipfile.lock"}, "Pipfile.lock"},
		{"a uv.lock", app.DependencyPlan{Source: app.FromLock, File: "uv.lock"}, "uv.lock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := reuse.Metadata{tt.key: strings.Repeat("a", 64)}
			stored := map[string]interface{}{}
			for k, v := range old {
				stored[k] = v
			}
			p := Packages{Plan: tt.plan}
			expected := reuse.Metadata{p.inputsKey(): strings.Repeat("b", 64)}
			if got, want := reuse.ChangeReason(stored, expected), tt.key+" changed"; got != want {
				t.Errorf("reason = %q, want %q", got, want)
			}
		})
	}
}

// TestPackagesKeyHasTheLockLocalSources: a lock's path packages (a uv
// workspace member here) are copied into the venv, so an edit to one
// changes the venv's key, by an entry naming it; an edit elsewhere in the
// app does not.
func TestPackagesKeyHasTheLockLocalSources(t *testing.T) {
	home := t.TempDir()
	for file, content := range map[string]string{
		"uv.lock":                           "version = 1\n",
		"app.py":                            "app = 1\n",
		"packages/greeting/pyproject.toml":  "[project]\nname = 'greeting'\n",
		"packages/greeting/greeting/say.py": "WORD = 'hello'\n",
	} {
		os.MkdirAll(filepath.Dir(filepath.Join(home, file)), 0o755)
		os.WriteFile(filepath.Join(home, file), []byte(content), 0o644)
	}
	p := Packages{Home: home, Runtime: Runtime{Version: "3.13.5", PipVersion: "25.1"}, Target: "linux/amd64",
		Plan: app.DependencyPlan{Source: app.FromLock, File: "uv.lock", Lock: app.Lock{File: "uv.lock", Pins: []app.Pin{
			{Name: "flask", Version: "3.1.0", Hashes: []string{"sha256:aa"}, Source: app.SourceIndex},
			{Name: "greeting", Version: "0.1.0", Source: app.SourcePath, Ref: "packages/greeting"},
		}}}}
	key := func() reuse.Metadata {
		t.Helper()
		md, err := p.Metadata()
		if err != nil {
			t.Fatal(err)
		}
		return md
	}
	base := key()
	if _, ok := base["local_source packages/greeting"]; !ok {
		t.Fatalf("the key has no entry for the member: %v", base)
	}
	os.WriteFile(filepath.Join(home, "app.py"), []byte("app = 2\n"), 0o644)
	if got := key(); !reflect.DeepEqual(got, base) {
		t.Errorf("an edit to the app's own code (not installed from the lock) changed the venv's key: %s", reuse.ChangeReason(toStored(base), got))
	}
	os.WriteFile(filepath.Join(home, "packages/greeting/greeting/say.py"), []byte("WORD = 'hi'\n"), 0o644)
	if reason := reuse.ChangeReason(toStored(base), key()); reason != "local_source packages/greeting changed" {
		t.Errorf("after an edit to the member, the venv's change reason is %q, want the member named", reason)
	}
}

// toStored is metadata as the lifecycle gives it back.
func toStored(md reuse.Metadata) map[string]interface{} {
	out := map[string]interface{}{}
	for k, v := range md {
		out[k] = v
	}
	return out
}

// TestPipfileSourceVariablesReachOnlyPip: pip gets the expanded index URL;
// the build log and the venv's metadata keep the variable's name, so a
// credential is neither shown nor stored, and a rotated one rebuilds nothing.
func TestPipfileSourceVariablesReachOnlyPip(t *testing.T) {
	const raw = "https://__token__:${ACME_TOKEN}@pypi.acme.example/simple"
	pins := []app.Pin{{Name: "acme-auth", Version: "2.1.3", Hashes: []string{"sha256:aa"}, Source: app.SourceIndex, Ref: raw}}
	plan := app.DependencyPlan{Source: app.FromLock, File: "Pipfile.lock", Lock: app.Lock{File: "Pipfile.lock", Tool: "Pipenv", Pins: pins, IndexVariables: true}}
	home := t.TempDir()
	must(t, os.WriteFile(filepath.Join(home, "Pipfile.lock"), []byte("{}"), 0o644))
	install := func(t *testing.T) (fakePython, string, error) {
		fake := fakePython{}
		var log bytes.Buffer
		p := Packages{Home: home, Runtime: Runtime{Home: "/layers/warpdrive/python", Version: "3.13.5"}, Executor: &fake, Plan: plan, Logger: plog.NewPaketoLogger(&log)}
		err := p.install(&libcnb.Layer{Path: filepath.Join(t.TempDir(), "venv")})
		return fake, log.String(), err
	}
	metadata := func() string {
		p := Packages{Home: home, Plan: plan}
		md, err := p.Metadata()
		must(t, err)
		if md[p.inputsKey()] == "" {
			t.Fatalf("the venv key has no %s entry: %v", p.inputsKey(), md)
		}
		return md[p.inputsKey()]
	}

	t.Setenv("ACME_TOKEN", "tok-111")
	before := metadata()
	fake, log, err := install(t)
	must(t, err)
	var pipCall []string
	for _, c := range fake.calls {
		if len(c) > 3 && c[2] == "pip" && c[3] == "install" {
			pipCall = c
		}
	}
	if i := slices.Index(pipCall, "--index-url"); i < 0 || pipCall[i+1] != "https://__token__:tok-111@pypi.acme.example/simple" {
		t.Errorf("pip ran with %q, want the expanded index URL", pipCall)
	}
	if strings.Contains(log, "tok-111") || !strings.Contains(log, raw) {
		t.Errorf("the log shows the credential or not the variable's name:\n%s", log)
	}
	t.Setenv("ACME_TOKEN", "tok-222")
	if after := metadata(); after != before || strings.Contains(after, "tok-") {
		t.Errorf("the venv's key changed with the credential, or holds it: %q -> %q", before, after)
	}

	t.Run("pip fails: its error does not quote the credential", func(t *testing.T) {
		fake := fakePython{pipFail: true, pipOut: "ERROR: 401 Client Error: Unauthorized for url: https://__token__:****@pypi.acme.example/simple/acme-auth/\n"}
		p := Packages{Home: home, Runtime: Runtime{Home: "/layers/warpdrive/python", Version: "3.13.5"}, Executor: &fake, Plan: plan, Logger: plog.NewPaketoLogger(&bytes.Buffer{})}
		err := p.install(&libcnb.Layer{Path: filepath.Join(t.TempDir(), "venv")})
		var pe pip.InstallError
		if !errors.As(err, &pe) || pe.Err == nil {
			t.Fatalf("err = %v, want a pip.InstallError", err)
		}
		if text := fmt.Sprintf("%v %v", err, pe.Err); strings.Contains(text, "tok-222") {
			t.Errorf("the error quotes the credential: %s", text)
		}
	})
	t.Run("unset", func(t *testing.T) {
		t.Setenv("ACME_TOKEN", "") // restores the variable after the test
		os.Unsetenv("ACME_TOKEN")
		fake, _, err := install(t)
		var unset pip.IndexVariableError
		if !errors.As(err, &unset) || unset.Variable != "ACME_TOKEN" {
			t.Errorf("err = %v, want a pip.IndexVariableError for ACME_TOKEN", err)
		}
		for _, c := range fake.calls {
			if len(c) > 2 && c[2] == "pip" && slices.Contains(c, "install") && slices.Contains(c, "--require-hashes") {
				t.Errorf("pip ran with the unexpanded URL: %q", c)
			}
		}
	})
}
