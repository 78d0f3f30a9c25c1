package command

import (
	"bytes"
	"errors"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/paketo-buildpacks/libpak/v2/effect"
	"github.com/paketo-buildpacks/libpak/v2/log"
)

// printer prints its output in two writes, the second ending a line begun
// by the first, and fails when fail is set.
type printer struct {
	got  effect.Execution
	fail bool
}

func (p *printer) Execute(e effect.Execution) error {
	p.got = e
	e.Stdout.Write([]byte("Collecting flask\nERROR: no such ver"))
	e.Stderr.Write([]byte("sion\n  ERROR: second\nlast line\n"))
	if p.fail {
		return errors.New("exit status 1")
	}
	return nil
}

// ansi matches the logger's colours.
var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

func TestRun(t *testing.T) {
	tests := []struct {
		name    string
		quiet   bool
		fail    bool
		wantLog string
	}{
		{"output into the log, whole lines only", false, false, "    Collecting flask\n    ERROR: no such version\n      ERROR: second\n    last line\n"},
		{"quiet: nothing in the log", true, false, ""},
		{"a failure quotes the command", false, true, "    Collecting flask\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logged bytes.Buffer
			p := &printer{fail: tt.fail}
			out, err := Command{Path: "python", Args: []string{"-m", "pip"}, Dir: "/workspace", Env: map[string]string{"PIP_CACHE_DIR": "/cache"},
				Quiet: tt.quiet, Executor: p}.Run(Indent(log.NewPaketoLogger(&logged)))
			if tt.fail != (err != nil) || (err != nil && err.Error() != "python -m pip: exit status 1") {
				t.Errorf("err = %v, want a failure %t quoting the command", err, tt.fail)
			}
			if p.got.Dir != "/workspace" || !slices.Contains(p.got.Env, "PIP_CACHE_DIR=/cache") || len(p.got.Env) < 2 {
				t.Errorf("ran in %q with %q, want the build's environment and PIP_CACHE_DIR", p.got.Dir, p.got.Env)
			}
			if got := ansi.ReplaceAllString(logged.String(), ""); !strings.HasPrefix(got, tt.wantLog) || (tt.quiet && got != "") {
				t.Errorf("log %q, want it to start %q", got, tt.wantLog)
			}
			if got, want := out.Lines("ERROR:"), []string{"ERROR: no such version", "ERROR: second"}; !reflect.DeepEqual(got, want) {
				t.Errorf("Lines = %q, want %q", got, want)
			}
			if got, want := out.Tail(2), []string{"  ERROR: second", "last line"}; !reflect.DeepEqual(got, want) {
				t.Errorf("Tail = %q, want %q", got, want)
			}
		})
	}
}
