package layers

import (
	"path/filepath"
	"time"

	"github.com/paketo-buildpacks/libpak/v2/effect"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/internal/command"
)

// CompileBytecode recompiles every module under dirs into unchecked-hash .pyc
// files. The lifecycle normalizes file times when it caches and exports
// layers, so timestamp-checked .pyc files would look stale: Python would
// rewrite them at every build (changing the layer, so it is exported again) and
// recompile them in memory at every start (the app cannot write to layers).
// Unchecked-hash .pyc files are trusted as they are.
func CompileBytecode(python string, logger log.Logger, dirs ...string) {
	compileBytecode(nil, python, logger, dirs...)
}

func compileBytecode(executor effect.Executor, python string, logger log.Logger, dirs ...string) {
	start := time.Now()
	args := append([]string{"-m", "compileall", "-q", "-f", "-j", "0", "--invalidation-mode", "unchecked-hash"}, dirs...)
	// Some files are not valid Python on purpose (test data); compileall reports
	// them and exits 1, which costs nothing but their bytecode.
	if out, err := (command.Command{Path: python, Args: args, Quiet: true, Executor: executor}).Run(nil); err != nil {
		logger.Debugf("compileall: %v\n%s", err, out.String())
	}
	logger.Bodyf("Compiled bytecode (unchecked-hash) in %s", time.Since(start).Round(100*time.Millisecond))
}

// SitePackages is a venv or prefix's site-packages directory for a runtime.
func SitePackages(prefix string, rt Runtime) string {
	return filepath.Join(prefix, "lib", "python"+rt.MinorVersion(), "site-packages")
}
