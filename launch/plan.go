package launch

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/warpdrive-buildpack/warpdrive/server"
)

// PlanVariable names the variable that points warpdrive-start at the start
// plan the build wrote.
const PlanVariable = "WARPDRIVE_START_PLAN"

// PlanFile is the start plan's file name inside the build's launch layer.
const PlanFile = "warpdrive-start.json"

// StartPlans are the build's start plans by process type: `web`, and one per
// Procfile entry.
type StartPlans map[string]StartPlan

// StartPlan is what the build decided about a process, so warpdrive-start
// applies exactly that instead of guessing from its arguments.
type StartPlan struct {
	// Mode names the tuning that applies: a server (mod_wsgi, gunicorn, uwsgi,
	// waitress), "python" or "shell". It also picks `.warpdrive/server_args/<mode>`.
	Mode string `json:"mode"`
	// Command is the base command line: program and warpdrive's arguments.
	Command []string `json:"command"`
	// Derived are the arguments derived from the application.
	Derived []string `json:"derived,omitempty"`
	// Shell: Command is a user's command line run by `bash -c`, which expands
	// its variables itself, so warpdrive-start expands nothing in it.
	Shell bool `json:"shell,omitempty"`
}

// Declared is the web process's command after the helper, as the build writes
// it to launch.toml: base, the insertion point "--", derived. `docker run`
// arguments follow it.
func (p StartPlan) Declared() []string {
	out := append(append([]string{}, p.Command...), server.InsertionPoint)
	return append(out, p.Derived...)
}

// WriteStartPlans writes the plans into dir and returns the file's path.
func WriteStartPlans(dir string, p StartPlans) (string, error) {
	src, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, PlanFile)
	return path, os.WriteFile(path, append(src, '\n'), 0o644)
}

// ReadStartPlan reads the plan the build wrote for a process type.
func ReadStartPlan(path, process string) (StartPlan, error) {
	if path == "" {
		return StartPlan{}, fmt.Errorf("%s is not set: this image's processes were not built by warpdrive's build (rebuild the image)", PlanVariable)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return StartPlan{}, fmt.Errorf("unable to read the start plan: %w", err)
	}
	var plans StartPlans
	if err := json.Unmarshal(src, &plans); err != nil {
		return StartPlan{}, fmt.Errorf("unable to read the start plan %s: %w", path, err)
	}
	p, ok := plans[process]
	if !ok || len(p.Command) == 0 {
		return StartPlan{}, fmt.Errorf("the start plan %s has no command for the process type %s", path, process)
	}
	return p, nil
}

// UserArguments returns the arguments after the declared command: those given
// to `docker run IMAGE ...`, which the launcher appends. They must be passed on
// exactly as given (a shell on the client already expanded them).
func (p StartPlan) UserArguments(args []string) ([]string, error) {
	declared := p.Declared()
	if len(args) < len(declared) {
		return nil, fmt.Errorf("the process command %q does not start with the build's web command %q", args, declared)
	}
	for i, w := range declared {
		if args[i] != w {
			return nil, fmt.Errorf("the process command %q does not start with the build's web command %q", args, declared)
		}
	}
	return args[len(declared):], nil
}
