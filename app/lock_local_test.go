package app

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestLockLocalSources(t *testing.T) {
	home := writeTree(t, map[string]string{
		"packages/greeting/pyproject.toml":           "[project]\nname = \"greeting\"\n",
		"packages/greeting/greeting/__init__.py":     "WORD = 'hello'\n",
		"packages/greeting/.git/HEAD":                "ref: refs/heads/main\n",
		"vendor/vendored_sdk-1.4.0-py3-none-any.whl": "a wheel",
	})
	lock := Lock{Pins: []Pin{
		{Name: "flask", Version: "3.1.0", Source: SourceIndex, Ref: "https://pypi.org/simple"},
		{Name: "greeting", Version: "0.1.0", Source: SourcePath, Ref: "packages/greeting"},
		{Name: "vendored-sdk", Version: "1.4.0", Source: SourcePath, Ref: "vendor/vendored_sdk-1.4.0-py3-none-any.whl"},
		{Name: "gone", Version: "1.0", Source: SourcePath, Ref: "libs/gone"},
	}}
	digests := func() map[string]string {
		t.Helper()
		sources, err := LockLocalSources(home, lock)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, s := range sources {
			out[s.Package+" "+s.Path] = s.Digest
		}
		return out
	}
	base := digests()
	if want := []string{"gone libs/gone", "greeting packages/greeting", "vendored-sdk vendor/vendored_sdk-1.4.0-py3-none-any.whl"}; !reflect.DeepEqual(sortedMapKeys(base), want) {
		t.Fatalf("sources = %q, want %q", sortedMapKeys(base), want)
	}
	if base["gone libs/gone"] != "<missing>" {
		t.Errorf("a missing path digests as %q, want <missing>", base["gone libs/gone"])
	}
	for _, tt := range []struct {
		name    string
		edit    func()
		changed []string
	}{
		{"a member's git history is not its content", func() {
			os.WriteFile(filepath.Join(home, "packages/greeting/.git/HEAD"), []byte("ref: refs/heads/other\n"), 0o644)
		}, nil},
		{"an edit to a member's code", func() {
			os.WriteFile(filepath.Join(home, "packages/greeting/greeting/__init__.py"), []byte("WORD = 'hi'\n"), 0o644)
		}, []string{"greeting packages/greeting"}},
		{"a new wheel file", func() {
			os.WriteFile(filepath.Join(home, "vendor/vendored_sdk-1.4.0-py3-none-any.whl"), []byte("another wheel"), 0o644)
		}, []string{"vendored-sdk vendor/vendored_sdk-1.4.0-py3-none-any.whl"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.edit()
			now := digests()
			var changed []string
			for _, k := range sortedMapKeys(now) {
				if now[k] != base[k] {
					changed = append(changed, k)
				}
			}
			if !reflect.DeepEqual(changed, tt.changed) {
				t.Errorf("changed = %q, want %q", changed, tt.changed)
			}
			base = now
		})
	}
}
