package hooks

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Interrupted says a hook was stopped by a signal the caller received and
// relayed to it; the caller is being asked to stop too.
type Interrupted struct {
	Name   string
	Signal syscall.Signal
}

func (i Interrupted) Error() string {
	return fmt.Sprintf("action hook %s was interrupted by %s", i.Name, i.Signal)
}

// ExitCode is the shell's status for death by the signal, 128+N (143 for
// SIGTERM), so a caller that stops too can exit as the signal would have.
func (i Interrupted) ExitCode() int { return 128 + int(i.Signal) }

// killAfter is how long a hook may take to stop after the first relayed
// signal before its process group is killed: well within the 10 s Docker
// waits before it kills the container itself.
var killAfter = 5 * time.Second

// supervise starts cmd and waits for it, relaying sigs to it; during, if
// set, runs between the start and the wait (to read a pipe Wait would
// close). It returns the first signal relayed, 0 if none.
//
// With sigs, the hook gets a process group of its own, signalled as a
// whole, so that its children (a `sleep` in a shell script) stop too.
func supervise(cmd *exec.Cmd, sigs <-chan os.Signal, during func()) (syscall.Signal, error) {
	if sigs != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	stop := make(chan struct{})
	relayed := relay(cmd.Process.Pid, sigs, stop)
	if during != nil {
		during()
	}
	err := cmd.Wait()
	// Between the reaping in Wait and this close, a signal could still be
	// sent to the group's id; a pid is not reused that fast in practice.
	close(stop)
	return <-relayed, err
}

// relay sends each signal from sigs to process group pgid until stop is
// closed, then yields the first one it sent (0 if none). If the group
// outlives the first signal by killAfter, it is killed.
func relay(pgid int, sigs <-chan os.Signal, stop <-chan struct{}) <-chan syscall.Signal {
	first := make(chan syscall.Signal, 1)
	go func() {
		var got syscall.Signal
		var deadline <-chan time.Time // nil, so never ready, until a signal comes
		for {
			select {
			case <-stop:
				first <- got
				return
			case s := <-sigs:
				sig, ok := s.(syscall.Signal)
				if !ok {
					continue
				}
				_ = syscall.Kill(-pgid, sig) // ESRCH: the group is already gone
				if got == 0 {
					got, deadline = sig, time.After(killAfter)
				}
			case <-deadline:
				_ = syscall.Kill(-pgid, syscall.SIGKILL)
			}
		}
	}()
	return first
}
