// Package pip drives pip for the packages and mod_wsgi layers: the steps a
// dependency plan installs in, the runs themselves (a private index's
// credentials reaching pip only), and pip's failures read into errors that
// name what went wrong (a hash mismatch, a pin the index lacks, a build
// backend that cannot be installed).
package pip

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/paketo-buildpacks/libpak/v2/effect"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/internal/command"
	"github.com/warpdrive-buildpack/warpdrive/pep508"
)

// Installer runs pip in a venv: what it installs from, and where its
// output goes.
type Installer struct {
	// Python is the venv's interpreter, which runs pip.
	Python string
	// PythonVersion is the runtime's (3.13.5), BundledPip the pip it bundles.
	PythonVersion, BundledPip string
	// Home is the application directory pip runs in.
	Home string
	// Plan is what to install; for app.FromRequirements, Files are the
	// requirement files pip reads, nested ones included.
	Plan  app.DependencyPlan
	Files []app.RequirementFile
	// Wheelhouse, when set, is passed as --find-links.
	Wheelhouse string
	// Extra are packages the chosen server needs that the app did not list.
	Extra []string
	// IndexURLSet: PIP_INDEX_URL is given, so it overrides a lock's index.
	IndexURLSet bool
	// Cache is pip's cache directory.
	Cache string
	// Credentials are a private index's, for pip's runs only.
	Credentials Credentials
	Logger      log.Logger
	// Executor runs pip (nil: libpak's).
	Executor effect.Executor
}

// InstallRequirements runs one `pip install -r` of the roots (requirement
// files relative to Home) with the server's extra packages.
func (p Installer) InstallRequirements(roots []string) error {
	args := p.installArgs()
	for _, r := range roots {
		args = append(args, "-r", r)
	}
	args = append(args, p.Extra...)
	if len(roots) == 0 && len(p.Extra) == 0 {
		p.Logger.Body("No requirements file: nothing to install")
		return nil
	}
	p.Logger.Bodyf("Running pip install %s", strings.Join(args[3:], " "))
	out, err := p.run(args)
	if err != nil {
		return p.explain(out, err)
	}
	return nil
}

// installArgs is `python -m pip install` with the flags every install uses.
func (p Installer) installArgs() []string {
	args := []string{"-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--progress-bar", "off"}
	if p.Wheelhouse != "" {
		args = append(args, "--find-links", p.Wheelhouse)
	}
	return args
}

func (p Installer) run(args []string) (*command.Output, error) {
	return command.Command{Path: p.Python, Args: args, Dir: p.Home,
		Env: Env(p.Cache, p.Credentials, nil), Executor: p.Executor}.Run(command.Indent(p.Logger))
}

// InstallPlan runs the plan's pip steps in order, each generated
// requirements file written to a temporary directory.
func (p Installer) InstallPlan() error {
	steps, err := Steps(p.Plan, p.Home, p.Extra, p.IndexURLSet)
	if err != nil {
		return err
	}
	if len(steps) == 0 {
		p.Logger.Body("Nothing to install: an empty venv")
		return nil
	}
	tmp, err := os.MkdirTemp("", "warpdrive-pip-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for i, step := range steps {
		args := append(p.installArgs(), step.Args...)
		shown := strings.Join(args[3:], " ")
		if step.ExpandsVariables {
			if args, err = expandIndexVariables(args, p.Plan.File, os.LookupEnv); err != nil {
				return err
			}
		}
		if step.Requirements != "" {
			file := filepath.Join(tmp, fmt.Sprintf("step-%d.txt", i+1))
			if err := os.WriteFile(file, []byte(step.Requirements), 0o644); err != nil {
				return err
			}
			args = append(args, "-r", file)
			shown += " -r <" + step.What + ">"
		}
		p.Logger.Bodyf("Installing %s: pip install %s", step.What, shown)
		out, err := p.run(args)
		if err != nil && step.ExpandsVariables {
			// Run's error quotes the command line, expanded credentials
			// included: keep only what the log shows.
			err = fmt.Errorf("pip install %s: %w", shown, errors.Unwrap(err))
		}
		if err != nil && step.Optional {
			p.Logger.Bodyf("WARNING: %s; the app runs from its source directory instead.", p.explainPlan(step, out, err))
			p.Logger.Body("  If it is not meant to be a package, set package-mode = false under [tool.poetry] to skip this step.")
			continue
		}
		if err != nil {
			return p.explainPlan(step, out, err)
		}
	}
	if p.Plan.Source == app.FromLock {
		return p.checkLockClosed()
	}
	return nil
}

var wordPattern = regexp.MustCompile(`[A-Za-z0-9][A-Za-z0-9._-]*`)

// explain turns pip's failure into an InstallError naming the requirement
// lines (file and line) of every package pip's error output mentions.
func (p Installer) explain(out *command.Output, err error) error {
	e := p.pipInstallError(out, err)
	e.Files = p.Files
	// Packages named in pip's verdict: its ERROR lines and the "conflict is
	// caused by" list that follows a resolution failure.
	mentioned := map[string]bool{}
	inConflict := false
	for _, line := range strings.Split(out.String(), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "The conflict is caused by"):
			inConflict = true
		case trimmed == "":
			inConflict = false
		}
		if !inConflict && !strings.HasPrefix(trimmed, "ERROR:") {
			continue
		}
		for _, w := range wordPattern.FindAllString(trimmed, -1) {
			mentioned[pep508.NormalizeName(w)] = true
		}
	}
	seen := map[string]bool{}
	for _, f := range p.Files {
		if f.Missing {
			continue
		}
		src, _ := os.ReadFile(filepath.Join(p.Home, f.Path))
		for i, line := range strings.Split(string(src), "\n") {
			name := app.RequirementName(strings.TrimSpace(line))
			key := fmt.Sprintf("%s:%d", f.Path, i+1)
			if name != "" && mentioned[name] && !seen[key] {
				seen[key] = true
				e.Locations = append(e.Locations, app.RequirementLocation{Path: f.Path, Line: i + 1, Text: strings.TrimSpace(line)})
			}
		}
	}
	return e
}
