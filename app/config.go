package app

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Deploy modes and server types, as warpdrive names them.
const (
	ModeAuto   = "auto"
	ModeShell  = "shell"
	ModePython = "python"
	ModeWSGI   = "wsgi"
	ModeDjango = "django"

	ServerModWSGI  = "mod_wsgi"
	ServerGunicorn = "gunicorn"
	ServerUWSGI    = "uwsgi"
	ServerWaitress = "waitress"
)

// Servers lists the WSGI servers warpdrive can run.
var Servers = []string{ServerModWSGI, ServerGunicorn, ServerUWSGI, ServerWaitress}

// DeployModes lists every deploy mode, including the server names that mean
// "full control".
var DeployModes = append([]string{ModeAuto, ModeShell, ModePython, ModeWSGI, ModeDjango}, Servers...)

// Config is the application's warpdrive configuration: `.warpdrive/` files,
// which win, else WARPDRIVE_* variables given to the build.
type Config struct {
	// Root is the source directory; `.warpdrive/` lives there.
	Root string
	// Home is the application directory: Root, or the subdirectory `.warpdrive/home` names.
	Home string
	// DeployMode is one of DeployModes.
	DeployMode string
	// DeployModeSource says where DeployMode came from.
	DeployModeSource string
	// ServerType is one of Servers.
	ServerType string
	// ServerTypeSource says where ServerType came from.
	ServerTypeSource string
	// WSGIModule is the module name warpdrive looks for (WARPDRIVE_WSGI_MODULE_NAME, default "wsgi").
	WSGIModule string
	// Environment holds `.warpdrive/environment`'s variables, in file order.
	Environment []EnvVar
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

// HomeError says `.warpdrive/home` names a directory that does not exist.
type HomeError struct{ Home string }

func (e HomeError) Error() string {
	return fmt.Sprintf(".warpdrive/home names %q, which is not a directory in the application", e.Home)
}

// LoadConfig reads the configuration of the application in root.
func LoadConfig(root string, lookupEnv func(string) (string, bool)) (Config, error) {
	c := Config{Root: root, Home: root}

	if home, ok, err := firstLine(filepath.Join(root, ".warpdrive", "home")); err != nil {
		return Config{}, err
	} else if ok {
		c.Home = filepath.Join(root, filepath.Clean("/" + home)[1:])
		if fi, err := os.Stat(c.Home); err != nil || !fi.IsDir() {
			return Config{}, HomeError{Home: home}
		}
	}

	var err error
	if c.DeployMode, c.DeployModeSource, err = setting(root, lookupEnv, "deploy_mode", "WARPDRIVE_DEPLOY_MODE", ModeAuto, DeployModes); err != nil {
		return Config{}, err
	}
	if c.ServerType, c.ServerTypeSource, err = setting(root, lookupEnv, "server_type", "WARPDRIVE_SERVER_TYPE", ServerModWSGI, Servers); err != nil {
		return Config{}, err
	}

	c.WSGIModule = "wsgi"
	if v, ok := lookupEnv("WARPDRIVE_WSGI_MODULE_NAME"); ok && strings.TrimSpace(v) != "" {
		c.WSGIModule = strings.TrimSpace(v)
	}

	if c.Environment, err = ReadEnvironmentFile(filepath.Join(root, ".warpdrive", "environment")); err != nil {
		return Config{}, err
	}
	return c, nil
}

// setting resolves a warpdrive choice: the `.warpdrive/<file>` wins, then the
// environment variable, then the default; the value must be one of valid.
func setting(root string, lookupEnv func(string) (string, bool), file, env, def string, valid []string) (string, string, error) {
	value, source := def, "the default"
	if v, ok := lookupEnv(env); ok && strings.TrimSpace(v) != "" {
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
			return nil, fmt.Errorf("%s line %d: expected NAME=value, found %q", filepath.Base(path), n, line)
		}
		value = strings.TrimSpace(value)
		if len(value) >= 2 && (value[0] == '"' || value[0] == '\'') && value[len(value)-1] == value[0] {
			value = value[1 : len(value)-1]
		}
		vars = append(vars, EnvVar{Name: strings.TrimSpace(name), Value: value})
	}
	return vars, s.Err()
}

// SortedNames returns the names of env, sorted.
func SortedNames(env map[string]string) []string {
	names := make([]string, 0, len(env))
	for n := range env {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
