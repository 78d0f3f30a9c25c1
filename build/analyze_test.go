package build

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/paketo-buildpacks/libpak/v2"

	"github.com/warpdrive-buildpack/warpdrive/app"
)

// TestAnalyzeDependencies: a stale lock is found before the runtime is
// installed, unless a hook that runs before the packages could still change
// the source or the configuration.
func TestAnalyzeDependencies(t *testing.T) {
	lock := "version = 1\n\n[[package]]\nname = \"site\"\nversion = \"0.1.0\"\nsource = { virtual = \".\" }\n"
	pyproject := "[project]\nname = \"site\"\nversion = \"0.1.0\"\ndependencies = [\"flask\"]\n"
	for _, tt := range []struct {
		name  string
		hook  string
		stale bool
	}{
		{"no hook", "", true},
		{"a pre-build hook", "pre-build", false},
		{"a build-env hook", "build-env", false},
		{"a build hook, which runs after the packages", "build", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			files := map[string]string{"uv.lock": lock, "pyproject.toml": pyproject}
			if tt.hook != "" {
				files[filepath.Join(".warpdrive", "action_hooks", tt.hook)] = "#!/bin/sh\n"
			}
			for name, content := range files {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			source, err := app.ReadSource(root)
			if err != nil {
				t.Fatal(err)
			}
			s := &step{source: source, resolver: libpak.ConfigurationResolver{}}
			err = analyzeDependencies(s, "3.13.5")
			var stale app.LockStaleError
			if got := errors.As(err, &stale); got != tt.stale {
				t.Errorf("err = %v; want a LockStaleError: %v", err, tt.stale)
			}
		})
	}
}
