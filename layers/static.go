package layers

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/internal/command"
	"github.com/warpdrive-buildpack/warpdrive/reuse"
	"github.com/warpdrive-buildpack/warpdrive/stepcache"
)

// ShimModule is the settings module collectstatic runs with when the
// application's settings do not define STATIC_ROOT.
const ShimModule = "warpdrive_collectstatic_settings"

// Static contributes Django's collected static files. When the settings lack
// STATIC_ROOT, collectstatic runs through a settings shim that supplies one
// pointing into this launch layer, as warpdrive does. The output is reused
// while collectstatic's record in the step cache is valid: same packages,
// settings module, file names and variables, and unchanged content of every
// application file it read (the settings, the apps it loaded, their static
// files). An edit to a view or a template leaves it alone.
type Static struct {
	// Venv is the packages layer: collectstatic runs with it active.
	Venv     string
	Home     string
	Settings DjangoSettings
	// Inputs are what collectstatic depends on besides the files it reads.
	Inputs map[string]string
	Probes *stepcache.Cache
	// Need unpacks the interpreter before collectstatic runs.
	Need   func() error
	Logger log.Logger
}

// StaticDirName is the directory inside the layer that STATIC_ROOT points to.
const StaticDirName = "django_static_root"

// collectstaticStep names collectstatic's record in the step cache.
const collectstaticStep = "collectstatic"

// Contribute collects the static files into the layer and returns the directory.
func (s Static) Contribute(layers *libcnb.Layers) (libcnb.Layer, string, error) {
	entry, why := s.Probes.Check(collectstaticStep, s.Inputs, s.Home)
	fingerprint := "none"
	if why == "" {
		fingerprint = entry.Fingerprint()
	}
	layer, err := reuse.Contribute(layers, s.Logger, reuse.Cached{
		Name:     "static",
		Title:    "Django static files",
		Metadata: reuse.Metadata{"inputs": fingerprint},
		Reason:   why,
		Types:    libcnb.LayerTypes{Launch: true},
	}, func(layer *libcnb.Layer) error {
		if err := s.Need(); err != nil {
			return err
		}
		root := filepath.Join(layer.Path, StaticDirName)
		shimDir, err := os.MkdirTemp("", "warpdrive-shim")
		if err != nil {
			return err
		}
		defer os.RemoveAll(shimDir)
		shim := fmt.Sprintf("# Written by warpdrive: the application's settings, plus the STATIC_ROOT they lack.\nfrom %s import *  # noqa: F401,F403\n\nSTATIC_ROOT = %q\n", s.Settings.SettingsModule, root)
		if err := os.WriteFile(filepath.Join(shimDir, ShimModule+".py"), []byte(shim), 0o644); err != nil {
			return err
		}
		s.Logger.Bodyf("STATIC_ROOT is not set in %s: collecting into %s through a settings shim", s.Settings.SettingsModule, root)
		reads, err := Collectstatic(s.Venv, s.Home, map[string]string{
			"DJANGO_SETTINGS_MODULE": ShimModule,
			"PYTHONPATH":             shimDir + string(os.PathListSeparator) + s.Home,
		}, s.Logger)
		if err != nil {
			return err
		}
		entry, err := s.Probes.Store(collectstaticStep, s.Inputs, s.Home, reads, nil)
		if err != nil {
			return err
		}
		s.Logger.Bodyf("Reused by later builds while the %d application files it read are unchanged", len(entry.Files))
		layer.Metadata = map[string]interface{}{"inputs": entry.Fingerprint()}
		return nil
	})
	return layer, filepath.Join(layer.Path, StaticDirName), err
}

// CollectstaticDigest is a digest of the collectstatic script: a record
// of another buildpack's script (which may list other files) is not this
// one's.
func CollectstaticDigest() string { return app.Digest(collectstaticScript) }

// collectstaticScript runs manage.py collectstatic as `python manage.py`
// would, and then lists the application files it read, with every file the
// static files finders list: collectstatic does not open a source whose
// copy in STATIC_ROOT is newer, and its output still depends on it.
const collectstaticScript = stepcache.ReadsTracker + `
import json, runpy, sys
sys.argv = ["manage.py", "collectstatic", "--noinput"]
code = 0
try:
    runpy.run_path("manage.py", run_name="__main__")
except SystemExit as e:
    code = e.code
finally:
    if code in (0, None) and "django.contrib.staticfiles.finders" in sys.modules:
        try:
            for finder in sys.modules["django.contrib.staticfiles.finders"].get_finders():
                for path, storage in finder.list([]):
                    try:
                        _wd_opened.add(storage.path(path))
                    except Exception:
                        pass
        except Exception:
            pass
    sys.__stdout__.write("\n` + readsMarker + `" + json.dumps(wd_reads()) + "\n")
    sys.__stdout__.flush()
sys.exit(code)
`

const readsMarker = "WARPDRIVE-READS "

// cutReads takes the reads line out of collectstatic's output. Only that
// line: when manage.py raises, Python prints the traceback after the
// script's finally wrote it, and the traceback is what the user must see.
func cutReads(text string) (rest string, reads []string) {
	i := strings.LastIndex(text, "\n"+readsMarker)
	if i < 0 {
		return text, nil
	}
	line, after, _ := strings.Cut(text[i+1+len(readsMarker):], "\n")
	_ = json.Unmarshal([]byte(line), &reads)
	return text[:i+1] + after, reads
}

// ActiveVenvEnv is the environment a command gets from an activated venv:
// its bin first on PATH, VIRTUAL_ENV naming it.
func ActiveVenvEnv(venv string) map[string]string {
	return map[string]string{
		"PATH":        filepath.Join(venv, "bin") + string(os.PathListSeparator) + os.Getenv("PATH"),
		"VIRTUAL_ENV": venv,
	}
}

// Collectstatic runs `manage.py collectstatic --noinput` with the venv
// active, as `python manage.py` in an activated venv would (its bin first on
// PATH, VIRTUAL_ENV set: a storage backend or a finder may run a tool the
// venv installed), and returns the application files it read (relative to
// home).
func Collectstatic(venv, home string, env map[string]string, logger log.Logger) ([]string, error) {
	// No bytecode in the application directory: it would end up in the app
	// layer of builds that ran collectstatic only, so the app layer would
	// change (and be pushed again) between builds of the same source.
	runEnv := ActiveVenvEnv(venv)
	runEnv["PYTHONDONTWRITEBYTECODE"] = "1"
	maps.Copy(runEnv, env)
	out, err := command.Command{Path: VenvPython(venv), Args: []string{"-c", collectstaticScript}, Dir: home, Env: runEnv, Quiet: true}.Run(nil)
	text, reads := cutReads(out.String())
	if err != nil {
		return nil, CollectstaticError{Tail: strings.Split(lastLines(text, 15), "\n"), Err: err}
	}
	for _, line := range strings.Split(lastLines(text, 3), "\n") {
		if strings.TrimSpace(line) != "" {
			logger.Body(strings.TrimSpace(line))
		}
	}
	return reads, nil
}
