// Package build turns a Python web application into layers and processes:
// CPython, pip's cache, the packages venv, mod_wsgi, Django's static files,
// the launch helper and the launch environment, each reused while its inputs
// are unchanged. This file only sequences the steps; each lives in its own file.
package build

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/launch"
	"github.com/warpdrive-buildpack/warpdrive/layers"
	"github.com/warpdrive-buildpack/warpdrive/pip"
	"github.com/warpdrive-buildpack/warpdrive/reuse"
	"github.com/warpdrive-buildpack/warpdrive/server"
	"github.com/warpdrive-buildpack/warpdrive/stepcache"
)

// Build is warpdrive's build phase.
type Build struct {
	Logger log.Logger
	// Out is the stream Logger writes to (nil: standard output). A failure's
	// message goes there too, so it follows the log in order; cmd/main has
	// libcnb print the error's summary line there as well.
	Out io.Writer
}

// Build runs the build; every failure is reported once, as a titled message
// saying what happened and how to fix it.
func (b Build) Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	start := time.Now()
	b.Logger.Title(ctx.Buildpack.Info.Name, ctx.Buildpack.Info.Version, ctx.Buildpack.Info.Homepage)
	result, s, err := b.build(ctx)
	if err != nil {
		msg := Explain(err)
		msg.Fix = append(msg.Fix, s.keptLine()...)
		fmt.Fprint(b.out(), msg.Format())
		return libcnb.BuildResult{}, errors.New(msg.Title)
	}
	b.Logger.Headerf("warpdrive finished in %s", time.Since(start).Round(100*time.Millisecond))
	return result, nil
}

func (b Build) out() io.Writer {
	if b.Out == nil {
		return os.Stdout
	}
	return b.Out
}

// keptLine says what the next build reuses after this one failed: a failed
// build exports nothing, so the cache stays as the last successful build
// left it, and only what this build restored from it is there again.
// Nothing is promised when this build restored nothing (a first build).
func (s *step) keptLine() []string {
	if s == nil {
		return nil
	}
	var kept []string
	if s.python.FromCache() {
		kept = append(kept, "the Python runtime")
	}
	if s.pipCacheRestored {
		kept = append(kept, "pip's download cache")
	}
	if s.venvLayer.FromCache() {
		kept = append(kept, "the installed packages")
	}
	if len(kept) == 0 {
		return nil
	}
	return []string{fmt.Sprintf("A failed build changes no cache: the next build reuses %s from the earlier build.", joinAnd(kept))}
}

// joinAnd is "a", "a and b", "a, b and c".
func joinAnd(items []string) string {
	if len(items) == 1 {
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// step carries what later steps need from earlier ones.
type step struct {
	ctx      libcnb.BuildContext
	metadata libpak.BuildModuleMetadata
	resolver libpak.ConfigurationResolver
	target   string
	source   app.Source
	runtime  layers.Runtime
	// pipCache is the pip-cache layer's path; pipCacheRestored says an
	// earlier build left it (with what pip downloaded and built then).
	pipCache         string
	pipCacheRestored bool
	// systemPackages identifies the Debian packages the app asked for
	// (layers.DebPackagesKey.Digest), "" when none.
	systemPackages string
	// pipCredentials come from a binding of type pip, for pip's runs only.
	pipCredentials pip.Credentials
	// snapshots keeps the snapshot-backed layers' files and probes the record of
	// the build's Python steps, in the cache.
	snapshots reuse.Snapshots
	probes    *stepcache.Cache
	// keepAppStatic: this build used the snapshot of collectstatic's output
	// in the application's STATIC_ROOT (restored it or saved it).
	keepAppStatic bool
	// python, venvLayer and snapshotBacked are the snapshot-backed launch
	// layers, in the order they are unpacked when a step needs them.
	python         *reuse.SnapshotBackedLayer
	venvLayer      *reuse.SnapshotBackedLayer
	snapshotBacked []*reuse.SnapshotBackedLayer
	// sourceTree lists the application directory's entries before any
	// step ran, so the build's own output can be made writable at run time.
	sourceTree sourceTree
	// appNames is the hash of the application's file names (see
	// app.TreeNames), taken when a step first needs it.
	appNames string
	// config is resolved once, after `.warpdrive/environment` and build-env.
	config app.Config
	launch app.Launch
	// server is the WSGI server the web process runs, if any.
	server    server.Server
	hasServer bool
	// requirementFiles are the files pip reads, nested ones included.
	requirementFiles []app.RequirementFile
	// dependencies is the input the packages layer installs from.
	dependencies app.DependencyPlan
	// protocol is how the server calls the application (wsgi mode).
	protocol server.Protocol
	// venv is the packages layer, once contributed, and its metadata.
	venv       string
	packagesMD reuse.Metadata
	// entry is what the web process serves: entry point and static files.
	entry server.Entry
	// entryModule, when set, is the entry point (a factory or a dotted
	// attribute) the generated entry module serves as a plain name.
	entryModule *app.EntryPoint
	// env are launch variables the build found (DJANGO_SETTINGS_MODULE).
	env libcnb.Environment
	// plans are the start plans of the web process and the Procfile's.
	plans  launch.StartPlans
	result libcnb.BuildResult
}

// build runs the steps; the step state is returned even on failure, to
// say what the failed build found in the cache.
func (b Build) build(ctx libcnb.BuildContext) (libcnb.BuildResult, *step, error) {
	s, err := b.begin(ctx)
	if err != nil {
		return libcnb.BuildResult{}, nil, err
	}
	for _, run := range []func(*step) error{
		b.python,
		b.pipCache,
		b.preBuildHooks,
		b.resolveConfiguration,
		b.djangoSettingsModule,
		b.debPackages,
		b.packages,
		b.modWSGI,
		b.buildHook,
		b.application,
		b.launchLayers,
		b.processes,
		b.runtimeWritable,
		b.finishLayers,
	} {
		if err := run(s); err != nil {
			return libcnb.BuildResult{}, s, err
		}
	}
	return s.result, s, nil
}

// begin reads the buildpack's metadata and the application's source, applies
// `.warpdrive/environment` and checks the environment.
func (b Build) begin(ctx libcnb.BuildContext) (*step, error) {
	md, err := libpak.NewBuildModuleMetadata(ctx.Buildpack.Metadata)
	if err != nil {
		return nil, fmt.Errorf("unable to read buildpack metadata\n%w", err)
	}
	cr, err := libpak.NewConfigurationResolver(md)
	if err != nil {
		return nil, err
	}
	s := &step{ctx: ctx, metadata: md, resolver: cr, target: target(ctx), env: libcnb.Environment{}, result: libcnb.NewBuildResult(),
		protocol: server.WSGI}
	if s.source, err = app.ReadSource(ctx.ApplicationPath); err != nil {
		return nil, err
	}
	// Before any hook or step writes into the application directory.
	if s.sourceTree, err = readSourceTree(ctx.ApplicationPath); err != nil {
		return nil, err
	}
	if err := app.FindCommittedVirtualenvs(s.source); err != nil {
		return nil, err
	}
	if s.source.HomeFound != "" {
		rel, _ := filepath.Rel(s.source.Root, s.source.Home)
		b.Logger.Headerf("Application home: %s/ (%s; .warpdrive/home chooses another)", rel, s.source.HomeFound)
	}
	applyEnvironmentFile(s.source.Environment, b.Logger)
	if err := b.checkBuildVariables(); err != nil {
		return nil, err
	}
	if s.pipCredentials, err = readPipCredentials(ctx.Platform.Bindings, b.Logger); err != nil {
		return nil, err
	}
	return s, nil
}
