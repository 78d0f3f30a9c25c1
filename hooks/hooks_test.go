package hooks

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func hookDir(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	dir := Dir(root)
	os.MkdirAll(dir, 0o755)
	for name, src := range files {
		mode := os.FileMode(0o755)
		if strings.HasSuffix(name, "!") {
			name, mode = strings.TrimSuffix(name, "!"), 0o644
		}
		os.WriteFile(filepath.Join(dir, name), []byte(src), mode)
	}
	return dir
}

func TestSourceEnv(t *testing.T) {
	dir := hookDir(t, map[string]string{"build-env!": "FOO=bar\nexport BAZ=\"$FOO-qux\"\necho sourced\n"})
	var log bytes.Buffer
	env, err := SourceEnv(dir, t.TempDir(), "build-env", Env{"PATH": os.Getenv("PATH"), "KEEP": "1"}, &log)
	if err != nil {
		t.Fatal(err)
	}
	if env["FOO"] != "bar" || env["BAZ"] != "bar-qux" || env["KEEP"] != "1" {
		t.Errorf("env = %v", env)
	}
	if !strings.Contains(log.String(), "sourced") {
		t.Errorf("the hook's output must reach the log, got %q", log.String())
	}
	same, _ := SourceEnv(dir, t.TempDir(), "deploy-env", Env{"A": "1"}, &log)
	if !reflect.DeepEqual(same, Env{"A": "1"}) {
		t.Error("a missing hook must leave the environment unchanged")
	}
}

func TestRun(t *testing.T) {
	dir := hookDir(t, map[string]string{
		"build":      "#!/bin/sh\necho \"phase=$WARPDRIVE_PHASE cwd=$(pwd)\"\n",
		"deploy":     "#!/bin/sh\necho doing things\necho it broke >&2\nexit 3\n",
		"pre-build!": "#!/bin/sh\nexit 0\n",
	})
	var log bytes.Buffer
	if err := Run(dir, filepath.Dir(filepath.Dir(dir)), "build", Env{"WARPDRIVE_PHASE": "build"}, &log); err != nil {
		t.Fatal(err)
	}
	if want := "phase=build cwd=" + filepath.Dir(filepath.Dir(dir)); !strings.Contains(log.String(), want) {
		t.Errorf("log %q lacks %q (hooks run in the application directory)", log.String(), want)
	}
	err := Run(dir, t.TempDir(), "deploy", Env{}, &log)
	var f Failure
	if !errors.As(err, &f) || f.Status != 3 || !reflect.DeepEqual(f.Tail, []string{"doing things", "it broke"}) {
		t.Errorf("err = %#v", err)
	}
	var ne NotExecutableError
	if err := Run(dir, t.TempDir(), "pre-build", Env{}, &log); !errors.As(err, &ne) {
		t.Errorf("a non-executable hook: err = %v", err)
	}
	if err := Run(dir, t.TempDir(), "missing", Env{}, &log); err != nil {
		t.Errorf("a missing hook: err = %v", err)
	}
}
