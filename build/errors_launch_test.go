package build

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/warpdrive-buildpack/warpdrive/layers"
)

func TestExplainSnapshotRestore(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		wantTitle string
		want      []string
	}{
		{"a snapshot that could not be written out",
			fmt.Errorf("step: %w", layers.SnapshotRestoreError{Name: "venv", Dir: "/layers/warpdrive/venv",
				Err: fmt.Errorf("write /layers/warpdrive/venv/lib/x.so: %w", syscall.ENOSPC)}),
			"Unable to unpack a layer from the cache",
			[]string{"The snapshot of the venv layer could not be unpacked into /layers/warpdrive/venv:",
				"write /layers/warpdrive/venv/lib/x.so: no space left on device", "Free space on the disk", "kept the cache"}},
		{"another error is not this one", errors.New("boom"), "Build failed", []string{"boom"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Explain(tt.err)
			text := strings.Join(append(append([]string{m.Title}, m.Detail...), m.Fix...), "\n")
			if m.Title != tt.wantTitle {
				t.Errorf("title %q, want %q", m.Title, tt.wantTitle)
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("message lacks %q:\n%s", w, text)
				}
			}
		})
	}
}
