// Command main is the warpdrive buildpack: bin/detect and bin/build link to
// it, and the build copies it into the image as warpdrive-start, the launch
// helper. It dispatches on the name it was run as.
package main

import (
	"os"
	"path/filepath"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"github.com/paketo-buildpacks/libpak/v2/utils"

	"github.com/warpdrive-buildpack/warpdrive/build"
	"github.com/warpdrive-buildpack/warpdrive/detect"
	"github.com/warpdrive-buildpack/warpdrive/launch"
)

func main() {
	if filepath.Base(os.Args[0]) == "warpdrive-start" {
		os.Exit(launch.Main(os.Args[1:], os.Stderr))
	}
	logger := log.NewPaketoLogger(os.Stdout)
	// The log, a failure's message and libcnb's summary line of it all go to
	// standard output: on two streams their order would depend on the run.
	libpak.BuildpackMain(detect.Detector{Logger: logger}.Detect, build.Build{Logger: logger, Out: os.Stdout}.Build,
		libcnb.WithExitHandler(utils.NewExitHandler(utils.WithExitHandlerWriter(os.Stdout))))
}
