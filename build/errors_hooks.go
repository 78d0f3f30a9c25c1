package build

import (
	"fmt"

	"github.com/warpdrive-buildpack/warpdrive/hooks"
)

// Explanations of the action hooks' errors.

func explainHook(e hooks.Failure) Message {
	return Message{Title: fmt.Sprintf("Action hook %s failed", e.Name),
		Detail: append([]string{fmt.Sprintf(".warpdrive/action_hooks/%s exited with status %d; the end of its output:", e.Name, e.Status)}, indentLines(e.Tail)...),
		Fix:    []string{fmt.Sprintf("Fix .warpdrive/action_hooks/%s so it exits 0, then build again.", e.Name)}}
}

func explainHookEnvironment(e hooks.EnvironmentLostError) Message {
	return Message{Title: fmt.Sprintf("Action hook %s ended before its environment could be read", e.Name),
		Detail: []string{e.Error() + ".",
			fmt.Sprintf("warpdrive sources .warpdrive/action_hooks/%s and then reads the variables it set; the hook ended the shell first.", e.Name)},
		Fix: []string{fmt.Sprintf("Do not `exec` in .warpdrive/action_hooks/%s, and do not replace the EXIT trap and then exit:", e.Name),
			"let the script run to its end (or `return` from it) so the variables it exports reach the build."}}
}
