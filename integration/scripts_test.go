//go:build integration

package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestScriptsStopClearlyWithoutDocker: every entry point of the harness checks
// the Docker engine first and says what is missing and how to start it, rather
// than failing somewhere in the middle.
func TestScriptsStopClearlyWithoutDocker(t *testing.T) {
	app := filepath.Join(repoRoot(), "integration", "testdata", "wsgi_plain")
	for _, args := range [][]string{
		{"setup.sh"},
		{"demo.sh"},
		{"pack-build.sh", "warpdrive-test/never-built", app},
		{"bench-build.sh"},
		{"bench-serve.sh"},
		{"harness/base-images.sh"},
	} {
		t.Run(args[0], func(t *testing.T) {
			cmd := exec.Command(filepath.Join(repoRoot(), "scripts", args[0]), args[1:]...)
			// An engine address where nothing listens: docker info fails at once.
			cmd.Env = append(os.Environ(), "DOCKER_HOST=unix://"+filepath.Join(t.TempDir(), "no-docker.sock"))
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("%s succeeded without a Docker engine:\n%s", args[0], out)
			}
			text := stripANSI(string(out))
			assertContains(t, args[0]+" output", text, "ERROR: the Docker engine is not running (docker info failed).",
				"Start it (systemctl start docker, or dockerd &) and run this again.")
			if lines := strings.Count(strings.TrimSpace(text), "\n") + 1; lines > 3 {
				t.Errorf("%s printed %d lines before stopping; want only the message:\n%s", args[0], lines, text)
			}
		})
	}
}
