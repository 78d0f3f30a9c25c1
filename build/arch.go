package build

import "runtime"

// hostArch is the architecture the build runs on, as buildpack.toml names it.
func hostArch() string { return runtime.GOARCH }
