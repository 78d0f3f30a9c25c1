package pip

import "testing"

func TestPipNeedsUpgrade(t *testing.T) {
	for _, tt := range []struct {
		bundled string
		want    bool
	}{
		{"22.3.1", true}, // Python 3.11.2's
		{"23.0.1", true},
		{"23.1.2", true},
		{"23.2", false},
		{"25.1.1", false}, // Python 3.13.5's
		{"not a version", false},
	} {
		if got := pipNeedsUpgrade(tt.bundled); got != tt.want {
			t.Errorf("pipNeedsUpgrade(%q) = %v, want %v", tt.bundled, got, tt.want)
		}
	}
	if got := VersionInUse("22.3.1"); got != "22.3.1, upgraded to pip>=23.2" {
		t.Errorf("VersionInUse = %q", got)
	}
}
