package build

import (
	"strings"
	"testing"

	"github.com/warpdrive-buildpack/warpdrive/launch"
)

// The launcher replaces a process's args with the arguments given to `docker
// run`, so every process keeps its whole command line in Command: then those
// arguments are appended (bash -c CMD, a hook's arguments, extra server flags).
func TestProcessesKeepTheirCommandWhenGivenArguments(t *testing.T) {
	plan := launch.StartPlan{Mode: "gunicorn", Command: []string{"gunicorn", "--bind", "0.0.0.0:$PORT"},
		Derived: []string{"--chdir", "/workspace/src", "wsgi:application"}}
	tests := []struct {
		kind    string
		command string
		def     bool
	}{
		{"web", "warpdrive-start gunicorn --bind 0.0.0.0:$PORT -- --chdir /workspace/src wsgi:application", true},
		{"shell", "warpdrive-start --exec bash", false},
	}
	got := webAndShell(plan, "/workspace/src")
	if len(got) != len(tests) {
		t.Fatalf("got %d processes, want %d: %+v", len(got), len(tests), got)
	}
	for i, tt := range tests {
		p := got[i]
		if p.Type != tt.kind || strings.Join(p.Command, " ") != tt.command || len(p.Arguments) != 0 ||
			p.Default != tt.def || p.WorkingDirectory != "/workspace/src" {
			t.Errorf("process %d = %+v\nwant type %s, command %q, no arguments, default %v, in /workspace/src", i, p, tt.kind, tt.command, tt.def)
		}
	}
}
