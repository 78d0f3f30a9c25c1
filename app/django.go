package app

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// settingsLines match the ways manage.py names its default settings module
// as a plain string, over the whole file (the call may span lines):
//
//	os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')   (startproject)
//	os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
//
// The string must end the argument: `"a" + x` or `"%s.settings" % x` is not
// a module name.
var settingsLines = []*regexp.Regexp{
	regexp.MustCompile(`DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([A-Za-z_][A-Za-z0-9_.]*)['"]\s*,?\s*\)`),
	regexp.MustCompile(`(?m)DJANGO_SETTINGS_MODULE['"]\s*\]\s*=\s*['"]([A-Za-z_][A-Za-z0-9_.]*)['"][ \t]*(#.*)?$`),
}

var mentionsSettings = regexp.MustCompile(`DJANGO_SETTINGS_MODULE`)

// ManagePy is what a Django project's manage.py says about its settings.
type ManagePy struct {
	// Settings is the settings module manage.py defaults to, "" when no line
	// names one as a plain string.
	Settings string
	// Line is the first line mentioning DJANGO_SETTINGS_MODULE when none
	// names the module as a plain string (a variable, an f-string, a
	// lookup): the line an error quotes.
	Line string
}

// ReadManagePy reads dir's manage.py; ok is false when there is none or it
// does not mention DJANGO_SETTINGS_MODULE (warpdrive's test for a Django
// project).
func ReadManagePy(dir string) (ManagePy, bool) {
	src, err := os.ReadFile(filepath.Join(dir, "manage.py"))
	if err != nil || !mentionsSettings.Match(src) {
		return ManagePy{}, false
	}
	for _, re := range settingsLines {
		if sm := re.FindSubmatch(src); sm != nil {
			return ManagePy{Settings: string(sm[1])}, true
		}
	}
	// Unreadable: quote the first line of code that mentions the variable.
	m := ManagePy{Line: "(DJANGO_SETTINGS_MODULE appears only in a comment)"}
	for _, line := range strings.Split(string(src), "\n") {
		if code := strings.TrimSpace(line); !strings.HasPrefix(code, "#") && mentionsSettings.MatchString(code) {
			m.Line = code
			break
		}
	}
	return m, true
}

// DjangoSettingsModule reports whether dir holds a Django project (a manage.py
// that names DJANGO_SETTINGS_MODULE, warpdrive's test) and the settings module
// manage.py defaults to ("" when it only reads it from the environment).
func DjangoSettingsModule(dir string) (string, bool) {
	m, ok := ReadManagePy(dir)
	return m.Settings, ok
}

// SettingsLineError says manage.py names DJANGO_SETTINGS_MODULE in a way
// warpdrive cannot read without running it, and nothing else names the module.
type SettingsLineError struct {
	// Home is the directory of manage.py, relative to the source ("" for the root).
	Home string
	Line string
}

func (e SettingsLineError) Error() string {
	return fmt.Sprintf("%s does not name the settings module as a plain string: %s", filepath.Join(e.Home, "manage.py"), e.Line)
}

// DjangoWSGIError says the settings set no WSGI_APPLICATION, no wsgi.py sits
// beside them and no entry point was named.
type DjangoWSGIError struct {
	SettingsModule string
	// WSGIApplication is the setting's value when it is set but not
	// module.callable.
	WSGIApplication string
	// LookedFor are the wsgi.py files tried, relative to the application.
	LookedFor []string
}

func (e DjangoWSGIError) Error() string {
	if e.WSGIApplication != "" {
		return fmt.Sprintf("WSGI_APPLICATION in %s is %q, which is not module.callable", e.SettingsModule, e.WSGIApplication)
	}
	return fmt.Sprintf("%s sets no WSGI_APPLICATION and there is no wsgi.py beside it (looked for %s)",
		e.SettingsModule, strings.Join(e.LookedFor, ", "))
}

// DjangoWSGIBeside is the WSGI application Django's startproject writes
// beside the settings: the wsgi.py of the nearest package holding the
// settings module (mysite.settings -> mysite/wsgi.py, config.settings.production
// -> config/settings/wsgi.py, else config/wsgi.py), as "module.application".
// looked are the files tried, nearest first.
func DjangoWSGIBeside(home, settingsModule string) (application string, looked []string) {
	parts := strings.Split(settingsModule, ".")
	for i := len(parts) - 1; i >= 0; i-- {
		pkg := parts[:i]
		rel := filepath.Join(append(append([]string{}, pkg...), "wsgi.py")...)
		looked = append(looked, filepath.ToSlash(rel))
		src, err := os.ReadFile(filepath.Join(home, rel))
		// startproject's wsgi.py defines `application`; a wsgi.py without
		// the name is something else.
		if err == nil && regexp.MustCompile(`(?m)^application\s*=`).Match(src) {
			return strings.Join(append(pkg, "wsgi", "application"), "."), looked
		}
	}
	return "", looked
}

// HomeAmbiguousError says several subdirectories hold a Django project and the
// source's root has no entry point of its own.
type HomeAmbiguousError struct{ Candidates []string }

func (e HomeAmbiguousError) Error() string {
	return fmt.Sprintf("the source's root has no entry point, and several subdirectories hold a Django manage.py: %s", strings.Join(e.Candidates, ", "))
}

// rootEntryPoints are the files that give the source's root an entry point of
// its own (what ResolveLaunch and detect look for there, besides the
// dependency files): with one, the root is the application's home.
var rootEntryPoints = []string{"app.sh", "app.py", "wsgi.py", "wsgi/__init__.py", "main.py", "app/main.py", "paste.ini", "Procfile"}

// findDjangoHome finds the Django project a source keeps below its root, for
// a source without `.warpdrive/home`: the directory a symlinked manage.py
// points into, else the one subdirectory (one level down only, so the search
// is cheap and predictable) whose manage.py names DJANGO_SETTINGS_MODULE,
// when the root has no entry point of its own. lookupEnv gives the build's
// variables, which can name the root's entry point. It returns "" when the
// root is the home, and why the subdirectory is, for the log.
func findDjangoHome(root string, lookupEnv func(string) (string, bool)) (home, why string, err error) {
	if dir, ok := symlinkedManagePy(root); ok {
		return dir, "manage.py is a symlink to " + filepath.ToSlash(filepath.Join(dir, "manage.py")), nil
	}
	if _, ok := ReadManagePy(root); ok {
		return "", "", nil
	}
	for _, f := range rootEntryPoints {
		if FileExists(filepath.Join(root, filepath.FromSlash(f))) {
			return "", "", nil
		}
	}
	if rootNamesEntryPoint(root, lookupEnv) {
		return "", "", nil
	}
	candidates := DjangoSubdirectories(root)
	switch len(candidates) {
	case 0:
		return "", "", nil
	case 1:
		return candidates[0], "the root has no entry point, and " + candidates[0] + "/manage.py names DJANGO_SETTINGS_MODULE", nil
	}
	return "", "", HomeAmbiguousError{Candidates: candidates}
}

// rootNamesEntryPoint: a variable names a module found at the root
// (WARPDRIVE_WSGI_MODULE_NAME, or the top package of WARPDRIVE_WSGI_APPLICATION
// or APP_MODULE).
func rootNamesEntryPoint(root string, lookupEnv func(string) (string, bool)) bool {
	var modules []string
	if m, ok := lookupEnv("WARPDRIVE_WSGI_MODULE_NAME"); ok && strings.TrimSpace(m) != "" {
		modules = append(modules, strings.TrimSpace(m))
	}
	for _, name := range []string{"WARPDRIVE_WSGI_APPLICATION", "APP_MODULE"} {
		if v, ok := lookupEnv(name); ok && strings.TrimSpace(v) != "" {
			module, _, _ := strings.Cut(strings.TrimSpace(v), ":")
			top, _, _ := strings.Cut(module, ".")
			modules = append(modules, top)
		}
	}
	for _, m := range modules {
		if FileExists(filepath.Join(root, m+".py")) || FileExists(filepath.Join(root, m, "__init__.py")) {
			return true
		}
		if fi, err := os.Stat(filepath.Join(root, m)); err == nil && fi.IsDir() {
			return true // a namespace package
		}
	}
	return false
}

// symlinkedManagePy: the root's manage.py is a symlink to a manage.py in a
// subdirectory of the source (`manage.py -> backend/manage.py`, made so
// `python manage.py` works from the root; Python resolves the link for
// sys.path, a server started in the root does not). dir is relative.
func symlinkedManagePy(root string) (string, bool) {
	link := filepath.Join(root, "manage.py")
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		return "", false
	}
	target, err := filepath.EvalSymlinks(link)
	if err != nil {
		return "", false
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", false
	}
	rel, err := filepath.Rel(realRoot, filepath.Dir(target))
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	if _, ok := ReadManagePy(filepath.Dir(target)); !ok {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// DjangoSubdirectories are the root's subdirectories (one level down, hidden
// ones skipped) whose manage.py names DJANGO_SETTINGS_MODULE, sorted.
func DjangoSubdirectories(root string) []string {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || e.Name() == "node_modules" {
			continue
		}
		dir := filepath.Join(root, e.Name())
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		if _, ok := ReadManagePy(dir); ok {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}
