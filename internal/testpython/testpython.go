// Package testpython gives the unit tests that run Python (the build's
// probes, the generated entry modules) the python3 they need.
package testpython

import (
	"os/exec"
	"testing"
)

// Path is python3 on PATH. Without one the test fails rather than skips:
// a skipped test would let CI pass without ever running it (scripts/test.sh
// installs python3 with apt-get when it runs as root).
func Path(t testing.TB) string {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is not on PATH, and this test runs Python: install python3 " +
			"(scripts/test.sh installs it with apt-get when it runs as root)")
	}
	return python
}
