package build

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/bindings"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/pip"
)

// PipBindingType is the service binding type that carries a private index's
// settings and credentials to pip.
const PipBindingType = "pip"

// pipBindingKeys: each key of a pip binding and the variable it becomes.
// Values that are URLs go to pip as they are; files are passed by path (the
// binding stays where the platform mounted it).
var pipBindingKeys = []struct {
	key, variable string
	file          bool
}{
	{"index-url", "PIP_INDEX_URL", false},
	{"extra-index-url", "PIP_EXTRA_INDEX_URL", false},
	{"trusted-host", "PIP_TRUSTED_HOST", false},
	{"pip.conf", "PIP_CONFIG_FILE", true},
	{"netrc", "NETRC", true},
	{".netrc", "NETRC", true},
}

// PipBindingError says a pip binding cannot be used.
type PipBindingError struct {
	Binding string
	Problem string
}

func (e PipBindingError) Error() string {
	return fmt.Sprintf("the pip binding %q: %s", e.Binding, e.Problem)
}

// readPipCredentials reads the one binding of type pip, if any, and logs the
// variables it sets (never their values).
func readPipCredentials(binds libcnb.Bindings, logger log.Logger) (pip.Credentials, error) {
	b, ok, err := bindings.ResolveOne(binds, bindings.OfType(PipBindingType))
	if err != nil {
		return pip.Credentials{}, PipBindingError{Binding: PipBindingType, Problem: err.Error()}
	}
	if !ok {
		return pip.Credentials{}, nil
	}
	creds, err := pipCredentialsOf(b)
	if err != nil {
		return creds, err
	}
	logger.Headerf("pip: a private index from the binding %s (%s), for pip only", b.Name, strings.Join(creds.Names(), ", "))
	return creds, nil
}

// pipCredentialsOf turns a binding's keys into pip's variables.
func pipCredentialsOf(b libcnb.Binding) (pip.Credentials, error) {
	creds := pip.Credentials{Env: map[string]string{}}
	for _, k := range pipBindingKeys {
		value, ok := b.Secret[k.key]
		if !ok {
			continue
		}
		if k.file {
			creds.Env[k.variable] = filepath.Join(b.Path, k.key)
			continue
		}
		if value = strings.TrimSpace(value); value == "" {
			return creds, PipBindingError{Binding: b.Name, Problem: fmt.Sprintf("its %s is empty", k.key)}
		}
		creds.Env[k.variable] = value
	}
	if len(creds.Env) == 0 {
		return creds, PipBindingError{Binding: b.Name, Problem: "it has none of the keys warpdrive reads"}
	}
	return creds, nil
}

// pipBindingHelp lists the keys, for error messages and the private index
// table of docs/dependencies.md.
func pipBindingHelp() string {
	var keys []string
	for _, k := range pipBindingKeys {
		keys = append(keys, k.key)
	}
	return strings.Join(keys, ", ")
}
