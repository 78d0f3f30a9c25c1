package stepcache

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/warpdrive-buildpack/warpdrive/reuse"
)

// Each case records a step's result in a cache of its own, changes one
// thing and checks the record, so a case run alone (-run) or in any order
// (-shuffle) sees only its own change.
func TestStepCacheIsValidOnlyWhileWhatTheStepReadIsUnchanged(t *testing.T) {
	inputs := map[string]string{"packages": "p1"}
	tests := []struct {
		name    string
		change  func(t *testing.T, home string)
		inputs  map[string]string
		wantWhy string
	}{
		{"unchanged", func(*testing.T, string) {}, inputs, ""},
		{"a file it did not read", func(t *testing.T, home string) {
			must(t, os.WriteFile(filepath.Join(home, "views.py"), []byte("def index(): return 1\n"), 0o644))
		}, inputs, ""},
		{"a file it read", func(t *testing.T, home string) {
			must(t, os.WriteFile(filepath.Join(home, "settings.py"), []byte("DEBUG = True\n"), 0o644))
		}, inputs, "settings.py changed"},
		{"an input", func(*testing.T, string) {}, map[string]string{"packages": "p2"}, "packages changed"},
		{"a variable", func(t *testing.T, _ string) { t.Setenv("WARPDRIVE_TEST_SETTING", "b") }, inputs, "the variable WARPDRIVE_TEST_SETTING changed"},
		{"a new variable", func(t *testing.T, _ string) { t.Setenv("WARPDRIVE_TEST_NEW", "1") }, inputs, "the variable WARPDRIVE_TEST_NEW is new"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			must(t, os.WriteFile(filepath.Join(home, "settings.py"), []byte("DEBUG = False\n"), 0o644))
			must(t, os.WriteFile(filepath.Join(home, "views.py"), []byte("def index(): pass\n"), 0o644))
			snaps := reuse.Snapshots{Dir: t.TempDir()}
			t.Setenv("WARPDRIVE_TEST_SETTING", "a")
			t.Setenv("WARPDRIVE_TEST_NEW", "") // restored after the case
			os.Unsetenv("WARPDRIVE_TEST_NEW")
			c := Load(snaps)
			if _, why := c.Check("Django settings", inputs, home); why != "not run before" {
				t.Fatalf("empty record: %q", why)
			}
			if _, err := c.Store("Django settings", inputs, home, []string{"settings.py"}, map[string]string{"static_url": "/static/"}); err != nil {
				t.Fatal(err)
			}
			must(t, c.Save())

			tt.change(t, home)
			e, why := Load(snaps).Check("Django settings", tt.inputs, home)
			if why != tt.wantWhy {
				t.Fatalf("Check() why = %q, want %q", why, tt.wantWhy)
			}
			if why == "" && string(e.Result) != `{"static_url":"/static/"}` {
				t.Errorf("result = %s", e.Result)
			}
		})
	}
}

func TestStepCacheFingerprintFollowsTheRecord(t *testing.T) {
	a := Entry{Inputs: map[string]string{"k": "1"}, Files: map[string]string{"s.py": "d1"}}
	b := Entry{Inputs: map[string]string{"k": "1"}, Files: map[string]string{"s.py": "d2"}}
	if a.Fingerprint() == b.Fingerprint() || a.Fingerprint() != (Entry{Inputs: map[string]string{"k": "1"}, Files: map[string]string{"s.py": "d1"}}).Fingerprint() {
		t.Error("the fingerprint must change exactly when the record does")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
