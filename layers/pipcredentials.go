package layers

import (
	"maps"
	"slices"
)

// PipCredentials configure pip for a private index during the build only:
// they come from a service binding, reach pip's own environment and nothing
// else (not the build's environment, so no probe or hook sees them; not a
// layer's metadata, so rotating a token rebuilds nothing; not the log).
type PipCredentials struct {
	// Env are the variables pip gets: PIP_INDEX_URL, PIP_CONFIG_FILE, NETRC ...
	Env map[string]string
}

// SetsIndex: the binding names the index pip installs from, which overrides
// a lock file's own index as PIP_INDEX_URL does.
func (c PipCredentials) SetsIndex() bool {
	return c.Env["PIP_INDEX_URL"] != "" || c.Env["PIP_CONFIG_FILE"] != ""
}

// Names lists the variables set, for the build log (never their values).
func (c PipCredentials) Names() []string {
	return slices.Sorted(maps.Keys(c.Env))
}

// pipEnv is the environment a pip run adds to the build's: its cache, the
// credentials, then extra.
func pipEnv(cache string, creds PipCredentials, extra map[string]string) map[string]string {
	env := map[string]string{"PIP_CACHE_DIR": cache}
	maps.Copy(env, creds.Env)
	maps.Copy(env, extra)
	return env
}
