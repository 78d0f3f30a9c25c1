package app

import (
	"os"
	"path/filepath"
	"regexp"
)

// settingsDefault matches the line startproject writes into manage.py:
//
//	os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')
var settingsDefault = regexp.MustCompile(`DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([A-Za-z_][A-Za-z0-9_.]*)['"]`)

// DjangoSettingsModule reports whether dir holds a Django project (a manage.py
// that names DJANGO_SETTINGS_MODULE, warpdrive's test) and the settings module
// manage.py defaults to ("" when it only reads it from the environment).
func DjangoSettingsModule(dir string) (string, bool) {
	src, err := os.ReadFile(filepath.Join(dir, "manage.py"))
	if err != nil || !regexp.MustCompile(`DJANGO_SETTINGS_MODULE`).Match(src) {
		return "", false
	}
	if m := settingsDefault.FindSubmatch(src); m != nil {
		return string(m[1]), true
	}
	return "", true
}
