package lines

import (
	"reflect"
	"testing"
)

func TestLast(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want []string
	}{
		{"a\nb\nc\n", 2, []string{"b", "c"}},
		{"a\nb\nc", 5, []string{"a", "b", "c"}},
		{"a\n\nb\n\n\n", 2, []string{"", "b"}},
		{"only", 1, []string{"only"}},
		{"", 3, []string{""}},
		{"a\nb", 0, []string{}},
	}
	for _, tt := range tests {
		if got := Last(tt.in, tt.n); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Last(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
