package pip

import (
	"maps"
	"slices"
)

// Credentials configure pip for a private index during the build only:
// they come from a service binding, reach pip's own environment and nothing
// else (not the build's environment, so no probe or hook sees them; not a
// layer's metadata, so rotating a token rebuilds nothing; not the log).
type Credentials struct {
	// Env are the variables pip gets: PIP_INDEX_URL, PIP_CONFIG_FILE, NETRC ...
	Env map[string]string
}

// SetsIndex: the binding names the index pip installs from, which overrides
// a lock file's own index as PIP_INDEX_URL does.
func (c Credentials) SetsIndex() bool {
	return c.Env["PIP_INDEX_URL"] != "" || c.Env["PIP_CONFIG_FILE"] != ""
}

// Names lists the variables set, for the build log (never their values).
func (c Credentials) Names() []string {
	return slices.Sorted(maps.Keys(c.Env))
}

// Env is the environment a pip run adds to the build's: its cache, the
// credentials, then extra.
func Env(cache string, creds Credentials, extra map[string]string) map[string]string {
	env := map[string]string{"PIP_CACHE_DIR": cache}
	maps.Copy(env, creds.Env)
	maps.Copy(env, extra)
	return env
}
