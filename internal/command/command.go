// Package command runs the programs the build runs (python, pip, apxs) with
// their output streamed into the build log and kept for errors to quote.
package command

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/paketo-buildpacks/libpak/v2/effect"

	"github.com/warpdrive-buildpack/warpdrive/internal/lines"
)

// Command is one program the build runs; its output streams into the build
// log (indented) and is kept so an error can quote its tail.
type Command struct {
	Path string
	Args []string
	Dir  string
	// Env is added to the build's own environment.
	Env map[string]string
	// Quiet keeps the output out of the log (it is still captured).
	Quiet bool
	// Executor runs it: libpak's, unless a test gives another.
	Executor effect.Executor
}

// Output is what a command printed, stdout and stderr interleaved.
type Output struct{ bytes.Buffer }

// Tail returns the last n lines.
func (o *Output) Tail(n int) []string {
	return lines.Last(o.String(), n)
}

// Lines returns every line starting with prefix.
func (o *Output) Lines(prefix string) []string {
	var out []string
	for _, l := range strings.Split(o.String(), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), prefix) {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return out
}

// Run runs the command, writing its output to log (unless Quiet).
func (c Command) Run(log io.Writer) (*Output, error) {
	out := &Output{}
	env := os.Environ()
	for k, v := range c.Env {
		env = append(env, k+"="+v)
	}
	var w io.Writer = out
	if !c.Quiet && log != nil {
		w = io.MultiWriter(out, log)
	}
	executor := c.Executor
	if executor == nil {
		executor = effect.CommandExecutor{} // not NewExecutor: its pseudo-terminal would make pip draw progress bars
	}
	// One writer for both streams: they reach the log in order.
	err := executor.Execute(effect.Execution{Command: c.Path, Args: c.Args, Dir: c.Dir, Env: env, Stdout: w, Stderr: w})
	if err != nil {
		return out, fmt.Errorf("%s %s: %w", c.Path, strings.Join(c.Args, " "), err)
	}
	return out, nil
}
