package app

import (
	"path/filepath"

	"github.com/BurntSushi/toml"
)

// DependencyInputError says the application declares its dependencies only in
// a file warpdrive does not install from yet.
type DependencyInputError struct {
	// File is the file found; Fix is the command or line that makes a
	// requirements.txt from it.
	File, Fix string
}

func (e DependencyInputError) Error() string {
	return "the application declares its dependencies in " + e.File + ", which warpdrive does not install from yet, and has no requirements.txt"
}

// dependencyInputs are the dependency files other tools write, in the order
// a lock wins over its manifest, with how to turn each into requirements.
var dependencyInputs = []DependencyInputError{
	{"uv.lock", "uv export --format requirements-txt --no-dev --no-emit-project > requirements.txt"},
	{"poetry.lock", "poetry export --format requirements.txt --output requirements.txt (Poetry 2: the poetry-plugin-export plugin)"},
	{"Pipfile.lock", "pipenv requirements > requirements.txt"},
	{"pylock.toml", "pip install --dry-run ... or your locker's export to requirements.txt"},
	{"Pipfile", "pipenv lock && pipenv requirements > requirements.txt"},
	{"pyproject.toml", "a requirements.txt holding the line `.` (pip then installs the project and its [project] dependencies)"},
	{"setup.py", "a requirements.txt holding the line `.` (pip then installs the project and its install_requires)"},
}

// UninstallableInput finds the first dependency file in dir that warpdrive
// cannot install from, for an application with no requirements files.
func UninstallableInput(dir string) (DependencyInputError, bool) {
	for _, in := range dependencyInputs {
		path := filepath.Join(dir, in.File)
		if FileExists(path) && (in.File != "pyproject.toml" || declaresProject(path)) {
			return in, true
		}
	}
	return DependencyInputError{}, false
}

// declaresProject: a pyproject.toml that describes a project (not one that
// only configures tools such as black or ruff).
func declaresProject(path string) bool {
	var doc struct {
		Project     map[string]interface{} `toml:"project"`
		BuildSystem map[string]interface{} `toml:"build-system"`
		Tool        struct {
			Poetry map[string]interface{} `toml:"poetry"`
		} `toml:"tool"`
	}
	if _, err := toml.DecodeFile(path, &doc); err != nil {
		return true // let the install report what is wrong with it
	}
	return doc.Project != nil || doc.BuildSystem != nil || doc.Tool.Poetry != nil
}
