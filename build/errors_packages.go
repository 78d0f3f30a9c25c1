package build

import (
	"fmt"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/layers"
	"github.com/warpdrive-buildpack/warpdrive/pip"
	"github.com/warpdrive-buildpack/warpdrive/reuse"
)

// Explanations of the errors of installing the application's packages and the server's.

func explainPipBinding(e PipBindingError) Message {
	return Message{Title: "Unusable pip binding",
		Detail: []string{e.Error() + "."},
		Fix: []string{"A binding of type pip holds one file per setting: " + pipBindingHelp() + ",",
			"for example index-url containing https://__token__:TOKEN@pypi.example.com/simple/; give exactly one such binding",
			"(pack build --volume \"$PWD/binding:/platform/bindings/private-index\", the directory holding a file named type containing pip)."}}
}

func explainPip(e pip.InstallError) Message {
	detail := []string{"pip could not install the application's requirements."}
	// pip's ERROR lines are its verdict; those the end of its output does
	// not show (a resolver's report puts them early) are listed first.
	if early := linesNotIn(e.Errors, e.Tail); len(early) > 0 {
		detail = append(detail, early...)
	}
	detail = append(detail, pipTail(e.Tail)...)
	if len(e.Locations) > 0 {
		detail = append(detail, "", "The requirements involved:")
		for _, l := range e.Locations {
			detail = append(detail, fmt.Sprintf("  %s line %d: %s", l.Path, l.Line, l.Text))
		}
	}
	var files []string
	for _, f := range e.Files {
		files = append(files, f.Path)
	}
	var fix []string
	if e.SkippedForPython {
		// The most common cause of "from versions: none" for a package that
		// exists: every release it has declares a Requires-Python that
		// excludes the interpreter the build chose.
		detail = append(detail, "", fmt.Sprintf("pip skipped the versions listed as requiring a different Python: the build uses Python %s.", e.Python))
		fix = append(fix, "Choose a Python those versions support: a .python-version file (e.g. 3.11), runtime.txt, requires-python in pyproject.toml, or BP_PYTHON_VERSION.",
			fmt.Sprintf("Or require a version of the package that supports Python %s.", e.Python))
	}
	if len(files) > 0 {
		fix = append(fix, fmt.Sprintf("Correct the requirement in %s: check the name and that the versions exist and agree.", strings.Join(files, ", ")))
	}
	if len(fix) == 0 {
		fix = append(fix, "Fix what pip reports above; if it could not reach the package index, check PIP_INDEX_URL (or the pip binding) and the builder's network.")
	}
	return Message{Title: "Failed to install the application's Python packages", Detail: detail, Fix: fix}
}

func explainVenv(e layers.VenvError) Message {
	return Message{Title: "Unable to create the virtual environment",
		Detail: append([]string{e.Err.Error() + "; the end of `python -m venv`'s output:"}, indentLines(e.Output)...),
		Fix: []string{"The Python runtime could not create a virtual environment: build again without the cache",
			"(pack build --clear-cache) so the runtime is installed afresh; if it fails again, the buildpack's CPython is broken: report it."}}
}

func explainRequirementFile(e app.RequirementFileError) Message {
	return Message{Title: "Unreadable requirements file",
		Detail: []string{e.Error() + "."},
		Fix: []string{fmt.Sprintf("Make %s a readable file (not a directory; check its permissions),", e.Path),
			"or correct the requirement file name: WARPDRIVE_PIP_PACKAGES, or the -r/-c line that includes it."}}
}

func explainPyproject(e app.PyprojectError) Message {
	return Message{Title: "Unreadable dependency in pyproject.toml",
		Detail: []string{e.Error() + "."},
		Fix: []string{"Correct that entry of pyproject.toml (a PEP 508 string under [project] dependencies,",
			"or a Poetry constraint such as \"^3.0\" or {version = \">=2\", markers = \"...\"} under [tool.poetry.dependencies])."}}
}

func explainProjectBuild(e pip.ProjectBuildError) Message {
	return Message{Title: "The application's own package failed to build",
		Detail: append([]string{e.Error() + ".",
			e.Input + " marks the project as a package, so after its pins warpdrive runs `pip install --no-deps .`; the end of pip's output:"}, indentLines(e.Tail)...),
		Fix: []string{"Fix the packaging error above (for example the package directory pyproject.toml names is missing);",
			"or, if the app is not meant to be a package: Poetry: `package-mode = false` under [tool.poetry];",
			"uv: `[tool.uv] package = false` (or no [build-system]), then `uv lock` again."}}
}

func explainBuildBackend(e pip.BuildBackendError) Message {
	return Message{Title: "Build backend not installable",
		Detail: append([]string{e.Error() + ".", "pip builds the project with the backend pyproject.toml's [build-system] names; the end of its output:"}, indentLines(e.Tail)...),
		Fix: []string{"Check [build-system] requires in pyproject.toml: the package index must have what it lists",
			"(PIP_INDEX_URL names the index); or drop [build-system] to install only the dependencies."}}
}

func explainApacheMissing(e layers.ApacheMissingError) Message {
	return Message{Title: "Apache development files are missing",
		Detail: []string{"The server type is mod_wsgi, which is compiled against the builder's Apache,",
			"but this builder has no apxs (looked for " + strings.Join(e.LookedFor, ", ") + ")."},
		Fix: []string{"Build with a builder that has Apache and its development files (Debian: apache2-dev),",
			"such as this project's warpdrive/builder:bookworm,",
			"or choose another server: .warpdrive/server_type (or WARPDRIVE_SERVER_TYPE) gunicorn, uwsgi or waitress."}}
}

func explainModWSGI(e layers.ModWSGIBuildError) Message {
	return Message{Title: "mod_wsgi failed to build",
		Detail: append([]string{e.Error() + "; the end of pip's output:"}, indentLines(e.Tail)...),
		Fix:    []string{"Set BP_MOD_WSGI_VERSION to a version that builds with this Python, or list mod_wsgi in requirements.txt."}}
}

// explainSnapshotRestore explains the failures of unpacking the launch layers from
// their snapshots in the cache. An unreadable snapshot never gets here (it is
// a cache miss: the layer is built again); this is a snapshot whose files
// could not be written.
func explainSnapshotRestore(restore reuse.SnapshotRestoreError) Message {
	if restore.Name == layers.AppStaticSnapshot {
		return Message{Title: "Unable to unpack a layer from the cache",
			Detail: []string{"The collectstatic output kept in the cache could not be unpacked into STATIC_ROOT " + restore.Dir + ":",
				restore.Err.Error()},
			Fix: []string{"Free space on the disk that holds the application directory (Docker's volumes, a pod's ephemeral storage) and build again:",
				"the failed build kept the cache, and the next one unpacks the output again."}}
	}
	return Message{Title: "Unable to unpack a layer from the cache",
		Detail: []string{"The snapshot of the " + restore.Name + " layer could not be unpacked into " + restore.Dir + ":",
			restore.Err.Error()},
		Fix: []string{"Free space on the disk that holds the build's layers (Docker's volumes, a pod's ephemeral storage) and build again:",
			"the failed build kept the cache, and the next one unpacks the snapshot again."}}
}
