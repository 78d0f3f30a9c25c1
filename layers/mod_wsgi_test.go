package layers

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestApacheVersion(t *testing.T) {
	header := filepath.Join(t.TempDir(), "ap_release.h")
	os.WriteFile(header, []byte(`
#define AP_SERVER_MAJORVERSION_NUMBER 2
#define AP_SERVER_MINORVERSION_NUMBER 4
#define AP_SERVER_PATCHLEVEL_NUMBER   71
#define AP_SERVER_DEVBUILD_BOOLEAN    0
#define AP_SERVER_MAJORVERSION  APR_STRINGIFY(AP_SERVER_MAJORVERSION_NUMBER)
`), 0o644)
	if v, err := apacheVersion(header); err != nil || v != "2.4.71" {
		t.Errorf("apacheVersion() = %q, %v; want 2.4.71", v, err)
	}
	var missing ApacheMissingError
	if _, err := apacheVersion(filepath.Join(t.TempDir(), "none.h")); !errors.As(err, &missing) {
		t.Errorf("a missing header must be an ApacheMissingError, got %v", err)
	}
}
