// Package app inspects a Python web application's source: what it is (Django,
// plain WSGI, a start script), which Python it asks for, which requirement files
// it installs, and the `.warpdrive/` configuration it carries.
package app

import (
	"os"
	"path/filepath"
	"strings"
)

// DetectFile is one kind of file that identifies a Python web application.
type DetectFile struct {
	// Path is relative to the application directory.
	Path string
	// Describe says what finding it means, for the detect log.
	Describe string
	// Found reports whether the file is present in dir.
	Found func(dir string) bool
}

// DetectFiles lists, in the order warpdrive checks them, the files whose presence
// makes detection pass.
var DetectFiles = []DetectFile{
	{".warpdrive", ".warpdrive/ configuration directory", isDir(".warpdrive")},
	{"app.sh", "start script app.sh", isFile("app.sh")},
	{"app.py", "Python start script app.py", isFile("app.py")},
	{"manage.py", "Django project (manage.py naming DJANGO_SETTINGS_MODULE)", func(dir string) bool {
		_, ok := DjangoSettingsModule(dir)
		return ok
	}},
	{"wsgi.py", "WSGI entry point wsgi.py", isFile("wsgi.py")},
	{"wsgi/__init__.py", "WSGI entry point package wsgi/", isFile("wsgi/__init__.py")},
	{"main.py", "WSGI entry point main.py (Cloud Run's convention)", isFile("main.py")},
	{"app/main.py", "entry point app/main.py (FastAPI's layout)", isFile("app/main.py")},
	{"Procfile", "Procfile, with Python files", func(dir string) bool { return isFile("Procfile")(dir) && HasPythonFiles(dir) }},
	{"requirements.txt", "pip requirements file", isFile("requirements.txt")},
	{"pyproject.toml", "Python project pyproject.toml", isFile("pyproject.toml")},
	{"setup.py", "Python project setup.py", isFile("setup.py")},
	{"Pipfile", "Pipenv's Pipfile", isFile("Pipfile")},
	{"poetry.lock", "Poetry's poetry.lock", isFile("poetry.lock")},
	{"uv.lock", "uv's uv.lock", isFile("uv.lock")},
	{"Pipfile.lock", "Pipenv's Pipfile.lock", isFile("Pipfile.lock")},
	{"pylock.toml", "PEP 751 lock pylock.toml", isFile("pylock.toml")},
	// A repository that keeps its Django project one level down (backend/,
	// beside a frontend/): the build makes that directory the home. Several
	// such directories pass too, so the build can say which to choose.
	{"*/manage.py", "Django project in a subdirectory (DIR/manage.py naming DJANGO_SETTINGS_MODULE)", func(dir string) bool {
		return len(DjangoSubdirectories(dir)) > 0
	}},
}

// HasPythonFiles reports whether dir holds a *.py file at its top level.
func HasPythonFiles(dir string) bool {
	matches, _ := filepath.Glob(filepath.Join(dir, "*.py"))
	return len(matches) > 0
}

// configuredDetectFiles are the files the build-time knobs name: the WSGI module
// (WARPDRIVE_WSGI_MODULE_NAME) and the requirement files
// (WARPDRIVE_PIP_PACKAGES), which mark the app as well as the defaults do.
func configuredDetectFiles(lookupEnv func(string) (string, bool)) []DetectFile {
	var out []DetectFile
	if m, ok := lookupEnv("WARPDRIVE_WSGI_MODULE_NAME"); ok && strings.TrimSpace(m) != "" {
		m = strings.TrimSpace(m)
		out = append(out, DetectFile{m + ".py", "WSGI entry point " + m + ".py (WARPDRIVE_WSGI_MODULE_NAME)", isFile(m + ".py")},
			DetectFile{m + "/__init__.py", "WSGI entry point package " + m + "/ (WARPDRIVE_WSGI_MODULE_NAME)", isFile(m + "/__init__.py")})
	}
	if files, ok := lookupEnv("WARPDRIVE_PIP_PACKAGES"); ok {
		for _, f := range strings.Fields(files) {
			out = append(out, DetectFile{f, "pip requirements file " + f + " (WARPDRIVE_PIP_PACKAGES)", isFile(f)})
		}
	}
	return out
}

// FoundDetectFiles returns the detect files present in dir, in DetectFiles order, then
// those the knobs name.
func FoundDetectFiles(dir string, lookupEnv func(string) (string, bool)) []DetectFile {
	var found []DetectFile
	for _, m := range append(DetectFiles, configuredDetectFiles(lookupEnv)...) {
		if m.Found(dir) {
			found = append(found, m)
		}
	}
	return found
}

// DetectFilePaths names every detect file, for "looked for" messages.
func DetectFilePaths(lookupEnv func(string) (string, bool)) string {
	var names []string
	for _, m := range append(DetectFiles, configuredDetectFiles(lookupEnv)...) {
		names = append(names, m.Path)
	}
	return strings.Join(names, ", ")
}

func isFile(rel string) func(string) bool {
	return func(dir string) bool {
		fi, err := os.Stat(filepath.Join(dir, rel))
		return err == nil && fi.Mode().IsRegular()
	}
}

func isDir(rel string) func(string) bool {
	return func(dir string) bool {
		fi, err := os.Stat(filepath.Join(dir, rel))
		return err == nil && fi.IsDir()
	}
}

// FileExists reports whether a regular file exists at path.
func FileExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}
