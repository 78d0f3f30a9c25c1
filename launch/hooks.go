package launch

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Hooks runs the application's `.warpdrive/action_hooks` at launch.
type Hooks struct {
	Dir string
	Log io.Writer
	// CfgMarker records that deploy-cfg ran in this container.
	CfgMarker string
}

// Runnable returns the path of an executable hook, or an error saying why it
// cannot run.
func (h Hooks) Runnable(name string) (string, error) {
	path := filepath.Join(h.Dir, name)
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("the application has no action hook %s (.warpdrive/action_hooks/%s)", name, name)
	}
	if fi.Mode()&0o111 == 0 {
		return "", fmt.Errorf(".warpdrive/action_hooks/%s is not executable: run `chmod +x .warpdrive/action_hooks/%s` (in git: `git update-index --chmod=+x`)", name, name)
	}
	return path, nil
}

// DeployEnv sources the deploy-env hook, if any, and returns the environment
// with its exports added.
func (h Hooks) DeployEnv(env MapEnv) (MapEnv, error) {
	return SourceEnvHook(filepath.Join(h.Dir, "deploy-env"), env, h.Log)
}

// SourceEnvHook runs `set -a; . HOOK` in bash with env and returns the
// resulting environment. A missing hook returns env unchanged.
func SourceEnvHook(path string, env MapEnv, log io.Writer) (MapEnv, error) {
	if _, err := os.Stat(path); err != nil {
		return env, nil
	}
	var out bytes.Buffer
	cmd := exec.Command("bash", "-c", `set -a; . "$1" >&2; env -0`, "warpdrive-env-hook", path)
	cmd.Env = env.List()
	cmd.Stdout, cmd.Stderr = &out, log
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("action hook %s failed: %v", filepath.Base(path), err)
	}
	next := MapEnv{}
	for _, kv := range strings.Split(out.String(), "\x00") {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" && k != "_" && k != "SHLVL" && k != "PWD" {
			next[k] = v
		}
	}
	return next, nil
}

// DeployCfg runs the deploy-cfg hook once per container (the marker lives in
// /tmp, which a new container starts without).
func (h Hooks) DeployCfg(env MapEnv) error {
	marker := h.CfgMarker
	if marker == "" {
		marker = filepath.Join(os.TempDir(), ".warpdrive-deploy-cfg-done")
	}
	if _, err := os.Stat(marker); err == nil {
		return nil
	}
	if err := h.Run("deploy-cfg", env); err != nil {
		return err
	}
	return os.WriteFile(marker, nil, 0o644)
}

// Run runs a hook to completion if it exists; a non-executable hook is
// reported and skipped, as warpdrive does.
func (h Hooks) Run(name string, env MapEnv) error {
	path := filepath.Join(h.Dir, name)
	fi, err := os.Stat(path)
	if err != nil {
		return nil
	}
	if fi.Mode()&0o111 == 0 {
		fmt.Fprintf(h.Log, "-----> WARNING: .warpdrive/action_hooks/%s is not executable; skipping it (chmod +x to run it)\n", name)
		return nil
	}
	fmt.Fprintf(h.Log, "-----> Running action hook %s\n", name)
	cmd := exec.Command(path)
	cmd.Env = env.List()
	cmd.Stdout, cmd.Stderr = h.Log, h.Log
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("action hook %s failed: %v", name, err)
	}
	return nil
}
