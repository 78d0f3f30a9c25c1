package build

import (
	"path/filepath"
	"strings"
	"time"

	"github.com/warpdrive-buildpack/warpdrive/layers"
)

// collectIntoStaticRoot runs collectstatic into the STATIC_ROOT the settings
// set. Inside the application directory (Heroku's layout) its output is
// kept in the cache and restored by the builds whose collectstatic inputs
// are unchanged (see layers.AppStatic); elsewhere it is not in the image
// anyway, and collectstatic runs every build.
func (b Build) collectIntoStaticRoot(s *step, settings layers.DjangoSettings) error {
	root := settings.StaticRoot
	if !filepath.IsAbs(root) { // Django's storage resolves it from manage.py's directory
		root = filepath.Join(s.config.Home, root)
	}
	if !inside(s.ctx.ApplicationPath, root) {
		b.Logger.Headerf("Django static files: collecting into STATIC_ROOT %s, outside the application directory (collected again by every build)", root)
		start := time.Now()
		if err := s.needPython(); err != nil {
			return err
		}
		if _, err := layers.Collectstatic(s.venv, s.config.Home, nil, b.Logger); err != nil {
			return err
		}
		b.Logger.Bodyf("Completed in %s", time.Since(start).Round(100*time.Millisecond))
		return nil
	}
	common, err := s.stepKey()
	if err != nil {
		return err
	}
	common.Probe = layers.CollectstaticDigest()
	_, err = layers.AppStatic{Venv: s.venv, Home: s.config.Home, Root: root, Inputs: settingsKey{stepKey: common, SettingsModule: settings.SettingsModule}.inputs(),
		Probes: s.probes, Snapshots: s.snapshots, Need: s.needPython, Logger: b.Logger}.Collect()
	s.keepAppStatic = err == nil
	return err
}

// inside: path is strictly under dir.
func inside(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
