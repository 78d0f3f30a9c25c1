package app

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/server"
)

// Deploy modes, as warpdrive names them; a server's name is a deploy mode too
// ("full control").
const (
	ModeAuto   = "auto"
	ModeShell  = "shell"
	ModePython = "python"
	ModeWSGI   = "wsgi"
	ModeDjango = "django"
)

// DeployModes lists every deploy mode, including the server names that mean
// "full control".
var DeployModes = append([]string{ModeAuto, ModeShell, ModePython, ModeWSGI, ModeDjango}, server.Names()...)

// Source is what is read from the application before any configuration can
// be: where it lives and the variables it brings for the build.
type Source struct {
	// Root is the source directory; `.warpdrive/` lives there.
	Root string
	// Home is the application directory: Root, or the subdirectory `.warpdrive/home` names,
	// or the Django project's directory below the root that warpdrive found.
	Home string
	// HomeFound says why Home is a subdirectory warpdrive found (no
	// `.warpdrive/home`), for the build log; "" otherwise.
	HomeFound string
	// Environment holds `.warpdrive/environment`'s variables, in file order.
	Environment []EnvVar
	// Procfile holds the Procfile's process types, if the application has one.
	Procfile *Procfile
}

// Config is the build's configuration, resolved once, after
// `.warpdrive/environment` and the build-env hook have been applied: every
// later step reads it, none reads the environment for a setting again.
type Config struct {
	Source
	// DeployMode is one of DeployModes; DeployModeSource says where it came from.
	DeployMode       string
	DeployModeSource string
	// ServerType is one of server.Names(); ServerTypeSource says where it came from.
	ServerType       string
	ServerTypeSource string
	// WSGIModule is the module name warpdrive looks for (WARPDRIVE_WSGI_MODULE_NAME).
	WSGIModule string
	// PipPackages are the requirement files to install (WARPDRIVE_PIP_PACKAGES);
	// PipPackagesExplicit: the user named them, so a missing one is an error.
	PipPackages         []string
	PipPackagesExplicit bool
	// StaticURL and StaticDir are a plain WSGI application's static files.
	StaticURL string
	StaticDir string
	// DisableCollectstatic skips Django's collectstatic.
	DisableCollectstatic bool
	// DjangoDeployCheck is what Django's deployment security checks do to
	// the build: warn (log what they find), strict (fail the build on it) or
	// off (do not run them).
	DjangoDeployCheck string
	// AptMirror and AptSecurityMirror are where the Aptfile's packages come
	// from: the Debian archive and its security archive.
	AptMirror, AptSecurityMirror string
	// ModWSGIVersion is the mod_wsgi compiled for the mod_wsgi server.
	ModWSGIVersion string
	// Entry is the WSGI entry point the user named (WARPDRIVE_WSGI_APPLICATION,
	// else S2I's APP_MODULE), nil when none; EntrySource names the variable.
	Entry       *EntryPoint
	EntrySource string
	// FlaskApp is Flask's FLASK_APP as `flask run` reads it (the build's
	// environment, else .env, else .flaskenv), "" when unset;
	// FlaskAppSource names where it came from.
	FlaskApp       string
	FlaskAppSource string
	// WebScript is the console script the web process runs
	// (WARPDRIVE_WEB_SCRIPT), "" to let warpdrive choose.
	WebScript string
}

// What Django's deployment security checks do to the build.
const (
	DeployCheckWarn   = "warn"
	DeployCheckStrict = "strict"
	DeployCheckOff    = "off"
)

// DeployChecks are WARPDRIVE_DJANGO_DEPLOY_CHECK's values.
var DeployChecks = []string{DeployCheckWarn, DeployCheckStrict, DeployCheckOff}

// Resolver gives a setting's value and whether the user set it, else its
// default: libpak's ConfigurationResolver, reading buildpack.toml's defaults.
type Resolver interface {
	Resolve(name string) (string, bool)
}

// EnvVar is one NAME=value setting.
type EnvVar struct{ Name, Value string }

// ChoiceError says a setting holds a value outside its valid set.
type ChoiceError struct {
	Setting string
	Source  string
	Value   string
	Valid   []string
}

func (e ChoiceError) Error() string {
	return fmt.Sprintf("%s %q (from %s) is not one of: %s", e.Setting, e.Value, e.Source, strings.Join(e.Valid, ", "))
}

// EntrySettingError says the entry point variable holds no valid entry point.
type EntrySettingError struct {
	Setting string
	Err     error
}

func (e EntrySettingError) Error() string { return e.Setting + ": " + e.Err.Error() }

func (e EntrySettingError) Unwrap() error { return e.Err }

// HomeError says `.warpdrive/home` names a directory that does not exist.
type HomeError struct{ Home string }

func (e HomeError) Error() string {
	return fmt.Sprintf(".warpdrive/home names %q, which is not a directory in the application", e.Home)
}

// ReadSource reads where the application in root lives and the variables its
// `.warpdrive/environment` brings.
func ReadSource(root string) (Source, error) {
	src := Source{Root: root, Home: root}
	var err error
	if src.Environment, err = ReadEnvironmentFile(filepath.Join(root, ".warpdrive", "environment")); err != nil {
		return Source{}, err
	}
	if home, ok, err := firstLine(filepath.Join(root, ".warpdrive", "home")); err != nil {
		return Source{}, err
	} else if ok {
		src.Home = filepath.Join(root, filepath.Clean("/" + home)[1:])
		if fi, err := os.Stat(src.Home); err != nil || !fi.IsDir() {
			return Source{}, HomeError{Home: home}
		}
	} else if dir, why, err := findDjangoHome(root, src.lookupEnv); err != nil {
		return Source{}, err
	} else if dir != "" {
		src.Home, src.HomeFound = filepath.Join(root, filepath.FromSlash(dir)), why
	}
	if procfile, ok, err := ReadProcfile(src.Home); err != nil {
		return Source{}, err
	} else if ok {
		src.Procfile = &procfile
	}
	return src, nil
}

// lookupEnv is a build variable: the build's environment, else
// `.warpdrive/environment` (applied to the build only after the source is read).
func (src Source) lookupEnv(name string) (string, bool) {
	if v, ok := os.LookupEnv(name); ok {
		return v, true
	}
	for _, v := range src.Environment {
		if v.Name == name {
			return v.Value, true
		}
	}
	return "", false
}

// ResolveConfig resolves every setting of the application in src: a
// `.warpdrive/<file>` wins over its variable, a variable over the default.
func ResolveConfig(src Source, r Resolver) (Config, error) {
	c := Config{Source: src}
	var err error
	if c.DeployMode, c.DeployModeSource, err = setting(src.Root, r, "deploy_mode", "WARPDRIVE_DEPLOY_MODE", ModeAuto, DeployModes); err != nil {
		return Config{}, err
	}
	if c.ServerType, c.ServerTypeSource, err = setting(src.Root, r, "server_type", "WARPDRIVE_SERVER_TYPE", server.Default, server.Names()); err != nil {
		return Config{}, err
	}
	c.WSGIModule = value(r, "WARPDRIVE_WSGI_MODULE_NAME", "wsgi")
	packages, explicit := r.Resolve("WARPDRIVE_PIP_PACKAGES")
	c.PipPackagesExplicit = explicit && strings.TrimSpace(packages) != ""
	if !c.PipPackagesExplicit {
		packages = rootRequirements(src)
	}
	c.PipPackages = strings.Fields(packages)
	c.StaticURL = value(r, "WARPDRIVE_STATIC_URL", "/static/")
	c.StaticDir = value(r, "WARPDRIVE_STATIC_DIR", "static")
	c.DisableCollectstatic = server.SwitchOn(value(r, "DISABLE_COLLECTSTATIC", ""))
	if c.DjangoDeployCheck, _, err = setting(src.Root, r, "django_deploy_check", "WARPDRIVE_DJANGO_DEPLOY_CHECK", DeployCheckWarn, DeployChecks); err != nil {
		return Config{}, err
	}
	c.AptMirror = value(r, "WARPDRIVE_APT_MIRROR", "http://deb.debian.org/debian")
	c.AptSecurityMirror = value(r, "WARPDRIVE_APT_SECURITY_MIRROR", "http://deb.debian.org/debian-security")
	c.ModWSGIVersion = value(r, "BP_MOD_WSGI_VERSION", "5.0.2")
	for _, name := range []string{"WARPDRIVE_WSGI_APPLICATION", "APP_MODULE"} {
		if v := value(r, name, ""); v != "" {
			ep, err := ParseEntryPoint(v)
			if err != nil {
				return Config{}, EntrySettingError{Setting: name, Err: err}
			}
			c.Entry, c.EntrySource = &ep, name
			break
		}
	}
	c.FlaskApp, c.FlaskAppSource = flaskApp(r, src.Home)
	c.WebScript = value(r, "WARPDRIVE_WEB_SCRIPT", "")
	return c, nil
}

// flaskApp is FLASK_APP with Flask's precedence: the environment wins over
// .env, which wins over .flaskenv.
func flaskApp(r Resolver, home string) (value, source string) {
	if v, _ := r.Resolve("FLASK_APP"); strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v), "the build's environment"
	}
	for _, file := range []string{".env", ".flaskenv"} {
		if v := dotenvValue(filepath.Join(home, file), "FLASK_APP"); v != "" {
			return v, file
		}
	}
	return "", ""
}

// dotenvValue is name's value in a dotenv file, "" when the file or the
// name is absent. Lines it cannot read are skipped, as python-dotenv does.
func dotenvValue(path, name string) string {
	src, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	value := ""
	for _, line := range strings.Split(string(src), "\n") {
		line = strings.TrimPrefix(strings.TrimSpace(line), "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) != name {
			continue
		}
		v, quoted := unquote(strings.TrimSpace(v))
		if i := strings.Index(v, " #"); !quoted && i >= 0 {
			v = strings.TrimSpace(v[:i])
		}
		value = v
	}
	return value
}

// rootRequirements is the requirements file to look for: requirements.txt
// in the home, or, for a home below the root that has no dependency file of
// its own, the root's requirements.txt (where Heroku-style repositories keep
// it, beside a project made by `django-admin startproject` in a
// subdirectory). pip reads it from the home as ../requirements.txt.
func rootRequirements(src Source) string {
	if src.Home == src.Root || !FileExists(filepath.Join(src.Root, "requirements.txt")) {
		return "requirements.txt"
	}
	for _, f := range dependencyFiles {
		if FileExists(filepath.Join(src.Home, f)) {
			return "requirements.txt"
		}
	}
	rel, err := filepath.Rel(src.Home, filepath.Join(src.Root, "requirements.txt"))
	if err != nil {
		return "requirements.txt"
	}
	return filepath.ToSlash(rel)
}

// value is a setting's trimmed value, else the resolver's default, else def.
func value(r Resolver, name, def string) string {
	if v, _ := r.Resolve(name); strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return def
}

// setting resolves a warpdrive choice: the `.warpdrive/<file>` wins, then the
// variable, then the default; the value must be one of valid.
func setting(root string, r Resolver, file, env, def string, valid []string) (string, string, error) {
	value, source := def, "the default"
	if v, ok := r.Resolve(env); ok && strings.TrimSpace(v) != "" {
		value, source = strings.TrimSpace(v), env
	}
	if v, ok, err := firstLine(filepath.Join(root, ".warpdrive", file)); err != nil {
		return "", "", err
	} else if ok {
		value, source = v, ".warpdrive/"+file
	}
	for _, v := range valid {
		if v == value {
			return value, source, nil
		}
	}
	return "", "", ChoiceError{Setting: strings.ReplaceAll(file, "_", " "), Source: source, Value: value, Valid: valid}
}

// ReadEnvironmentFile parses NAME=value lines (blank lines and # comments
// ignored, an optional "export " prefix and surrounding quotes removed).
func ReadEnvironmentFile(path string) ([]EnvVar, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("unable to read %s\n%w", path, err)
	}
	defer f.Close()
	var vars []EnvVar
	s := bufio.NewScanner(f)
	for n := 1; s.Scan(); n++ {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		name, value, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(name) == "" || strings.ContainsAny(strings.TrimSpace(name), " \t") {
			return nil, EnvironmentFileError{Path: path, Line: n, Text: line}
		}
		value, _ = unquote(strings.TrimSpace(value))
		vars = append(vars, EnvVar{Name: strings.TrimSpace(name), Value: value})
	}
	return vars, s.Err()
}

// unquote removes the single or double quotes around an environment
// file's value, and says whether there were any.
func unquote(v string) (string, bool) {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1], true
	}
	return v, false
}
