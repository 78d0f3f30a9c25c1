package build

import (
	"errors"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"
)

func TestReadPipCredentials(t *testing.T) {
	binding := func(name, typ string, secret map[string]string) libcnb.Binding {
		return libcnb.Binding{Name: name, Type: typ, Path: "/platform/bindings/" + name, Secret: secret}
	}
	tests := []struct {
		name     string
		bindings libcnb.Bindings
		want     map[string]string // nil: no credentials
		errSays  string
	}{
		{"no binding", nil, nil, ""},
		{"another type only", libcnb.Bindings{binding("db", "postgres", map[string]string{"url": "x"})}, nil, ""},
		{"an index URL with a token", libcnb.Bindings{binding("private-index", "pip", map[string]string{"index-url": " https://__token__:s3cr3t@pypi.example.com/simple/\n"})},
			map[string]string{"PIP_INDEX_URL": "https://__token__:s3cr3t@pypi.example.com/simple/"}, ""},
		{"files are passed by path", libcnb.Bindings{binding("idx", "pip", map[string]string{"pip.conf": "[global]\n", "netrc": "machine x login y password z\n", "extra-index-url": "https://extra/simple/"})},
			map[string]string{"PIP_CONFIG_FILE": "/platform/bindings/idx/pip.conf", "NETRC": "/platform/bindings/idx/netrc", "PIP_EXTRA_INDEX_URL": "https://extra/simple/"}, ""},
		{"nothing usable", libcnb.Bindings{binding("idx", "pip", map[string]string{"token": "abc"})}, nil, "it has none of the keys warpdrive reads"},
		{"an empty index URL", libcnb.Bindings{binding("idx", "pip", map[string]string{"index-url": "\n"})}, nil, "its index-url is empty"},
		{"two pip bindings", libcnb.Bindings{binding("a", "pip", map[string]string{"index-url": "u"}), binding("b", "pip", map[string]string{"index-url": "v"})}, nil, "multiple"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logged strings.Builder
			creds, err := readPipCredentials(tt.bindings, log.NewPaketoLogger(&logged))
			if tt.errSays != "" {
				var be PipBindingError
				if !errors.As(err, &be) || !strings.Contains(err.Error(), tt.errSays) {
					t.Fatalf("err = %v, want a PipBindingError saying %q", err, tt.errSays)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(creds.Env) != len(tt.want) {
				t.Fatalf("env = %v, want %v", creds.Env, tt.want)
			}
			for k, v := range tt.want {
				if creds.Env[k] != v {
					t.Errorf("%s = %q, want %q", k, creds.Env[k], v)
				}
			}
			// The log names the variables, never a value.
			if strings.Contains(logged.String(), "s3cr3t") {
				t.Errorf("the log shows the token: %s", logged.String())
			}
		})
	}
}
