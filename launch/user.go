package launch

import "errors"

// AllowRootVariable lets a process run as root, for the rare image that must.
const AllowRootVariable = "WARPDRIVE_ALLOW_ROOT"

// checkUser refuses to start a process as root: the run image's user (or
// docker run --user, or the pod's securityContext) should be a numeric
// non-root user, and a server running as root turns any flaw of the app
// into one of the whole container (mod_wsgi-express even refuses to start
// without --user and --group).
func checkUser(uid int, env MapEnv) error {
	if uid != 0 || env[AllowRootVariable] == "1" {
		return nil
	}
	return errors.New("[Running as root] the container runs as uid 0 (root). " +
		"Run it as a numeric non-root user: the run image's USER (warpdrive's run image has USER 1001:1000), " +
		"`docker run --user 1001:0`, or a pod's securityContext.runAsUser; " +
		"set " + AllowRootVariable + "=1 to run as root anyway")
}
