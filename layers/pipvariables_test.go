package layers

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/buildpacks/libcnb/v2"
	plog "github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/app"
)

func TestExpandIndexVariables(t *testing.T) {
	env := map[string]string{"USER": "ana", "TOKEN": "s3cr$t", "EMPTY": ""}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	tests := []struct {
		name    string
		arg     string
		want    string
		missing string
	}{
		{"braces and bare names", "https://${USER}:$TOKEN@pypi.example/simple", "https://ana:s3cr$t@pypi.example/simple", ""},
		{"a value is not expanded again", "$TOKEN", "s3cr$t", ""},
		{"a set empty variable", "https://pypi.example/${EMPTY}simple", "https://pypi.example/simple", ""},
		{"no variable", "https://pypi.example/simple", "https://pypi.example/simple", ""},
		{"a lone dollar is kept", "https://pypi.example/$/simple", "https://pypi.example/$/simple", ""},
		{"an unset variable", "https://${NOPE}@pypi.example/simple", "", "NOPE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := expandIndexVariables([]string{"--index-url", tt.arg}, "Pipfile.lock", lookup)
			var unset IndexVariableError
			switch {
			case tt.missing != "":
				if !errors.As(err, &unset) || unset.Variable != tt.missing || unset.URL != tt.arg {
					t.Errorf("err = %v, want the unset %s in %s", err, tt.missing, tt.arg)
				}
			case err != nil:
				t.Fatal(err)
			case !reflect.DeepEqual(got, []string{"--index-url", tt.want}):
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestPipfileSourceVariablesReachOnlyPip: pip gets the expanded index URL;
// the build log and the venv's metadata keep the variable's name, so a
// credential is neither shown nor stored, and a rotated one rebuilds nothing.
func TestPipfileSourceVariablesReachOnlyPip(t *testing.T) {
	const raw = "https://__token__:${ACME_TOKEN}@pypi.acme.example/simple"
	pins := []app.Pin{{Name: "acme-auth", Version: "2.1.3", Hashes: []string{"sha256:aa"}, Source: app.SourceIndex, Ref: raw}}
	plan := app.DependencyPlan{Source: app.FromLock, File: "Pipfile.lock", Lock: app.Lock{File: "Pipfile.lock", Tool: "Pipenv", Pins: pins, IndexVariables: true}}
	home := t.TempDir()
	must(t, os.WriteFile(filepath.Join(home, "Pipfile.lock"), []byte("{}"), 0o644))
	install := func(t *testing.T) (fakePython, string, error) {
		fake := fakePython{}
		var log bytes.Buffer
		p := Packages{Home: home, Runtime: Runtime{Home: "/layers/warpdrive/python", Version: "3.13.5"}, Executor: &fake, Plan: plan, Logger: plog.NewPaketoLogger(&log)}
		err := p.install(&libcnb.Layer{Path: filepath.Join(t.TempDir(), "venv")})
		return fake, log.String(), err
	}
	metadata := func() string {
		p := Packages{Home: home, Plan: plan}
		md, err := p.Metadata()
		must(t, err)
		if md[p.inputsKey()] == "" {
			t.Fatalf("the venv key has no %s entry: %v", p.inputsKey(), md)
		}
		return md[p.inputsKey()]
	}

	t.Setenv("ACME_TOKEN", "tok-111")
	before := metadata()
	fake, log, err := install(t)
	must(t, err)
	var pip []string
	for _, c := range fake.calls {
		if len(c) > 3 && c[2] == "pip" && c[3] == "install" {
			pip = c
		}
	}
	if i := slices.Index(pip, "--index-url"); i < 0 || pip[i+1] != "https://__token__:tok-111@pypi.acme.example/simple" {
		t.Errorf("pip ran with %q, want the expanded index URL", pip)
	}
	if strings.Contains(log, "tok-111") || !strings.Contains(log, raw) {
		t.Errorf("the log shows the credential or not the variable's name:\n%s", log)
	}
	t.Setenv("ACME_TOKEN", "tok-222")
	if after := metadata(); after != before || strings.Contains(after, "tok-") {
		t.Errorf("the venv's key changed with the credential, or holds it: %q -> %q", before, after)
	}

	t.Run("pip fails: its error does not quote the credential", func(t *testing.T) {
		fake := fakePython{pipFail: true, pipOut: "ERROR: 401 Client Error: Unauthorized for url: https://__token__:****@pypi.acme.example/simple/acme-auth/\n"}
		p := Packages{Home: home, Runtime: Runtime{Home: "/layers/warpdrive/python", Version: "3.13.5"}, Executor: &fake, Plan: plan, Logger: plog.NewPaketoLogger(&bytes.Buffer{})}
		err := p.install(&libcnb.Layer{Path: filepath.Join(t.TempDir(), "venv")})
		var pe PipInstallError
		if !errors.As(err, &pe) || pe.Err == nil {
			t.Fatalf("err = %v, want a PipInstallError", err)
		}
		if text := fmt.Sprintf("%v %v", err, pe.Err); strings.Contains(text, "tok-222") {
			t.Errorf("the error quotes the credential: %s", text)
		}
	})
	t.Run("unset", func(t *testing.T) {
		t.Setenv("ACME_TOKEN", "") // restores the variable after the test
		os.Unsetenv("ACME_TOKEN")
		fake, _, err := install(t)
		var unset IndexVariableError
		if !errors.As(err, &unset) || unset.Variable != "ACME_TOKEN" {
			t.Errorf("err = %v, want an IndexVariableError for ACME_TOKEN", err)
		}
		for _, c := range fake.calls {
			if len(c) > 2 && c[2] == "pip" && slices.Contains(c, "install") && slices.Contains(c, "--require-hashes") {
				t.Errorf("pip ran with the unexpanded URL: %q", c)
			}
		}
	})
}
