package build

import "testing"

// collectstatic's output is kept only for a STATIC_ROOT the image holds:
// strictly inside the application directory.
func TestInsideTheApplication(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{"/workspace/staticfiles", true},
		{"/workspace/backend/static_root", true},
		{"/workspace/../workspace/collected", true},
		{"/workspace", false},
		{"/workspace-static", false},
		{"/workspace/..", false},
		{"/var/www/static", false},
		{"/layers/warpdrive/static/django_static_root", false},
	}
	for _, tt := range tests {
		if got := inside("/workspace", tt.path); got != tt.want {
			t.Errorf("inside(/workspace, %s) = %t, want %t", tt.path, got, tt.want)
		}
	}
}
