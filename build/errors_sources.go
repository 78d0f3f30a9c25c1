package build

import (
	"fmt"

	"github.com/warpdrive-buildpack/warpdrive/layers"
)

// explainIndexVariable: a lock's source URL names a variable the build lacks.
func explainIndexVariable(variable layers.IndexVariableError) Message {
	return Message{Title: "Unset variable in a package index URL",
		Detail: []string{variable.Error() + ".",
			"Pipenv expands environment variables in its sources' URLs when it installs, and so does warpdrive (the log shows only the names)."},
		Fix: []string{fmt.Sprintf("Set %s for the build: `pack build --env %s=...` (every step of the build sees it);", variable.Variable, variable.Variable),
			"or give the index's whole URL, credentials included, in a binding of type pip (its index-url file): it replaces",
			fmt.Sprintf("the index %s names and reaches pip only. A $ that is part of the URL itself is written %%24.", variable.File)}}
}
