package layers

import (
	"os"
	"path/filepath"
	"testing"
)

func TestProbeCacheIsValidOnlyWhileWhatTheStepReadIsUnchanged(t *testing.T) {
	home := t.TempDir()
	must(t, os.WriteFile(filepath.Join(home, "settings.py"), []byte("DEBUG = False\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(home, "views.py"), []byte("def index(): pass\n"), 0o644))
	snaps := Snapshots{Dir: t.TempDir()}
	inputs := map[string]string{"packages": "p1"}
	t.Setenv("WARPDRIVE_TEST_SETTING", "a")

	c := LoadProbeCache(snaps)
	if _, why := c.Check("Django settings", inputs, home); why != "not run before" {
		t.Fatalf("empty record: %q", why)
	}
	if _, err := c.Store("Django settings", inputs, home, []string{"settings.py"}, map[string]string{"static_url": "/static/"}); err != nil {
		t.Fatal(err)
	}
	must(t, c.Save())

	tests := []struct {
		name    string
		change  func()
		inputs  map[string]string
		wantWhy string
	}{
		{"unchanged", func() {}, inputs, ""},
		{"a file it did not read", func() { os.WriteFile(filepath.Join(home, "views.py"), []byte("def index(): return 1\n"), 0o644) }, inputs, ""},
		{"a file it read", func() { os.WriteFile(filepath.Join(home, "settings.py"), []byte("DEBUG = True\n"), 0o644) }, inputs, "settings.py changed"},
		{"an input", func() {}, map[string]string{"packages": "p2"}, "packages changed"},
		{"a variable", func() { t.Setenv("WARPDRIVE_TEST_SETTING", "b") }, inputs, "the variable WARPDRIVE_TEST_SETTING changed"},
		{"a new variable", func() { t.Setenv("WARPDRIVE_TEST_NEW", "1") }, inputs, "the variable WARPDRIVE_TEST_NEW is new"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.change()
			c := LoadProbeCache(snaps)
			e, why := c.Check("Django settings", tt.inputs, home)
			if why != tt.wantWhy {
				t.Fatalf("Check() why = %q, want %q", why, tt.wantWhy)
			}
			if why == "" && string(e.Result) != `{"static_url":"/static/"}` {
				t.Errorf("result = %s", e.Result)
			}
		})
	}
}

func TestProbeCacheFingerprintFollowsTheRecord(t *testing.T) {
	a := ProbeEntry{Inputs: map[string]string{"k": "1"}, Files: map[string]string{"s.py": "d1"}}
	b := ProbeEntry{Inputs: map[string]string{"k": "1"}, Files: map[string]string{"s.py": "d2"}}
	if a.Fingerprint() == b.Fingerprint() || a.Fingerprint() != (ProbeEntry{Inputs: map[string]string{"k": "1"}, Files: map[string]string{"s.py": "d1"}}).Fingerprint() {
		t.Error("the fingerprint must change exactly when the record does")
	}
}
