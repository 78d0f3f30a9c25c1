package launch

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/warpdrive-buildpack/warpdrive/hooks"
)

// Hooks runs the application's `.warpdrive/action_hooks` at launch.
type Hooks struct {
	Dir string
	// Workdir is the application directory hooks run in.
	Workdir string
	Log     io.Writer
	// CfgMarker records that deploy-cfg ran in this container.
	CfgMarker string
	// Signals, when set, are relayed to a running hook (docker stop's
	// SIGTERM reaches warpdrive-start while it waits for deploy-cfg or deploy).
	Signals <-chan os.Signal
}

// Runnable returns the path of an executable hook, or an error saying why it
// cannot run.
func (h Hooks) Runnable(name string) (string, error) {
	if !hooks.Exists(h.Dir, name) {
		return "", fmt.Errorf("the application has no action hook %s (.warpdrive/action_hooks/%s)", name, name)
	}
	if !hooks.Executable(h.Dir, name) {
		return "", fmt.Errorf(".warpdrive/action_hooks/%s is not executable: run `chmod +x .warpdrive/action_hooks/%s` (in git: `git update-index --chmod=+x`)", name, name)
	}
	return filepath.Join(h.Dir, name), nil
}

// DeployEnv sources the deploy-env hook, if any, and returns the environment
// with its exports added.
func (h Hooks) DeployEnv(env MapEnv) (MapEnv, error) {
	return hooks.SourceEnvWithSignals(h.Dir, h.Workdir, "deploy-env", env, h.Log, h.Signals)
}

// DeployCfg runs the deploy-cfg hook once per container: a marker in the
// temporary directory, which a new container starts without, records that it
// ran. An application without the hook writes nothing, so a read-only root
// without a writable /tmp starts. When the marker cannot be written the hook
// has still done its work: the start goes on, and the log says the hook will
// run again at this container's next start.
func (h Hooks) DeployCfg(env MapEnv) error {
	const name = "deploy-cfg"
	if !hooks.Executable(h.Dir, name) {
		return h.Run(name, env) // nothing, or the warning of a non-executable hook
	}
	marker := h.CfgMarker
	if marker == "" {
		marker = filepath.Join(tempDir(env), ".warpdrive-deploy-cfg-done")
	}
	if _, err := os.Stat(marker); err == nil {
		return nil
	}
	if err := h.Run(name, env); err != nil {
		return err
	}
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		fmt.Fprintf(h.Log, "-----> WARNING: deploy-cfg ran, but this container cannot record that it did (%s), "+
			"so it runs again at the next start of this container. Mount a writable /tmp "+
			"(`docker run --tmpfs /tmp`, a Kubernetes emptyDir) or set TMPDIR to a writable directory\n", err)
	}
	return nil
}

// tempDir is the environment's TMPDIR (deploy-env may set it), else /tmp.
func tempDir(env MapEnv) string {
	if d := env["TMPDIR"]; d != "" {
		return d
	}
	return "/tmp"
}

// Run runs a hook to completion if it exists; a non-executable hook is
// reported and skipped, as warpdrive does.
func (h Hooks) Run(name string, env MapEnv) error {
	if hooks.Exists(h.Dir, name) && hooks.Executable(h.Dir, name) {
		fmt.Fprintf(h.Log, "-----> Running action hook %s\n", name)
	}
	err := hooks.RunWithSignals(h.Dir, h.Workdir, name, env, h.Log, h.Signals)
	var ne hooks.NotExecutableError
	if errors.As(err, &ne) {
		fmt.Fprintf(h.Log, "-----> WARNING: .warpdrive/action_hooks/%s is not executable; skipping it (chmod +x to run it)\n", name)
		return nil
	}
	return err
}
