package build

import (
	"fmt"
	"strings"
	"testing"

	"github.com/warpdrive-buildpack/warpdrive/layers"
)

func TestExplainSources(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		title string
		says  []string
	}{
		{"an unset variable in a Pipfile.lock source, wrapped",
			fmt.Errorf("installing: %w", layers.IndexVariableError{File: "Pipfile.lock", Variable: "PRIVATE_TOKEN", URL: "https://__token__:${PRIVATE_TOKEN}@pypi.example/simple"}),
			"Unset variable in a package index URL",
			[]string{"Pipfile.lock: the index URL https://__token__:${PRIVATE_TOKEN}@pypi.example/simple names $PRIVATE_TOKEN, which the build does not set",
				"pack build --env PRIVATE_TOKEN=...", "binding of type pip", "is written %24"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Explain(tt.err)
			text := strings.Join(append(m.Detail, m.Fix...), "\n")
			if m.Title != tt.title {
				t.Errorf("title %q, want %q", m.Title, tt.title)
			}
			for _, s := range tt.says {
				if !strings.Contains(text, s) {
					t.Errorf("message lacks %q:\n%s", s, text)
				}
			}
		})
	}
	if _, ok := explainSources(fmt.Errorf("something else")); ok {
		t.Error("explainSources claimed an error that is not its own")
	}
}
