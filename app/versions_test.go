package app

import "testing"

func TestVersionLess(t *testing.T) {
	tests := []struct {
		a, b string
		less bool
	}{
		{"3.9.1", "3.10.0", true}, {"3.13.5", "3.11.2", false}, {"3.12", "3.12.1", true}, {"3.12.1", "3.12.1", false},
	}
	for _, tt := range tests {
		if got := VersionLess(tt.a, tt.b); got != tt.less {
			t.Errorf("VersionLess(%s, %s) = %v", tt.a, tt.b, got)
		}
	}
}
