// Package detect passes for a Python web application.
package detect

import (
	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/app"
)

// PlanEntry is what warpdrive provides and requires in the build plan.
const PlanEntry = "python-web-app"

// Detector decides whether warpdrive builds the application.
type Detector struct {
	Logger log.Logger
}

// Detect passes when the application has any of the markers (requirements.txt,
// a Django manage.py, wsgi.py, app.py, app.sh, .warpdrive/), else fails, which
// the lifecycle sees as exit 100.
func (d Detector) Detect(ctx libcnb.DetectContext) (libcnb.DetectResult, error) {
	found := app.FoundMarkers(ctx.ApplicationPath)
	if len(found) == 0 {
		d.Logger.Debugf("warpdrive: no Python web application found in %s; looked for %s", ctx.ApplicationPath, app.MarkerPaths())
		return libcnb.DetectResult{Pass: false}, nil
	}
	for _, m := range found {
		d.Logger.Debugf("warpdrive: found %s", m.Describe)
	}
	return libcnb.DetectResult{
		Pass: true,
		Plans: []libcnb.BuildPlan{{
			Provides: []libcnb.BuildPlanProvide{{Name: PlanEntry}},
			Requires: []libcnb.BuildPlanRequire{{Name: PlanEntry}},
		}},
	}, nil
}
