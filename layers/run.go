package layers

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
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
}

// Output is what a command printed, stdout and stderr interleaved.
type Output struct{ bytes.Buffer }

// Tail returns the last n lines.
func (o *Output) Tail(n int) []string {
	lines := strings.Split(strings.TrimRight(o.String(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
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
	cmd := exec.Command(c.Path, c.Args...)
	cmd.Dir = c.Dir
	cmd.Env = os.Environ()
	for k, v := range c.Env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var w io.Writer = out
	if !c.Quiet && log != nil {
		w = io.MultiWriter(out, log)
	}
	cmd.Stdout, cmd.Stderr = w, w
	err := cmd.Run()
	if err != nil {
		return out, fmt.Errorf("%s %s: %w", c.Path, strings.Join(c.Args, " "), err)
	}
	return out, nil
}
