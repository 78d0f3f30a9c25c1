package layers

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"
)

// ShimModule is the settings module collectstatic runs with when the
// application's settings do not define STATIC_ROOT.
const ShimModule = "warpdrive_collectstatic_settings"

// Static contributes Django's collected static files. When the settings lack
// STATIC_ROOT, collectstatic runs through a settings shim that supplies one
// pointing into this launch layer, as warpdrive does. The output is reused
// while the application's files and the packages are unchanged.
type Static struct {
	// Python is the venv's interpreter.
	Python   string
	Home     string
	Settings DjangoSettings
	// AppHash is a content hash of the application's files.
	AppHash string
	// PackagesHash identifies the packages layer's content.
	PackagesHash string
	Logger       log.Logger
}

// StaticDirName is the directory inside the layer that STATIC_ROOT points to.
const StaticDirName = "django_static_root"

// Contribute collects the static files into the layer and returns the directory.
func (s Static) Contribute(layers *libcnb.Layers) (libcnb.Layer, string, error) {
	layer, err := Contribute(layers, s.Logger, Cached{
		Name:  "static",
		Title: "Django static files",
		Metadata: Metadata{
			"application":     s.AppHash,
			"packages":        s.PackagesHash,
			"settings_module": s.Settings.SettingsModule,
		},
		Types: libcnb.LayerTypes{Launch: true},
	}, func(layer *libcnb.Layer) error {
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
		return Collectstatic(s.Python, s.Home, map[string]string{
			"DJANGO_SETTINGS_MODULE": ShimModule,
			"PYTHONPATH":             shimDir + string(os.PathListSeparator) + s.Home,
		}, s.Logger)
	})
	return layer, filepath.Join(layer.Path, StaticDirName), err
}

// Collectstatic runs `manage.py collectstatic --noinput`.
func Collectstatic(python, home string, env map[string]string, logger log.Logger) error {
	out, err := Command{Path: python, Args: []string{"manage.py", "collectstatic", "--noinput"}, Dir: home, Env: env, Quiet: true}.Run(nil)
	if err != nil {
		return CollectstaticError{Tail: out.Tail(15), Err: err}
	}
	for _, line := range out.Tail(3) {
		if strings.TrimSpace(line) != "" {
			logger.Body(strings.TrimSpace(line))
		}
	}
	return nil
}
