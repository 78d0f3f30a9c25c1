package launch

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/server"
)

// mod_wsgi-express start-server writes its Apache configuration and an
// `apachectl` shell script into the server root (under /tmp) and then
// executes that script. A hardened container mounts /tmp noexec (docker's
// --tmpfs does by default) on a read-only root, where executing the script
// fails with EACCES. So warpdrive-start splits the start in two: the same
// command with --setup-only writes the files, and the script's own shell
// then reads it: reading a file needs no exec permission, and the script
// execs Apache from /usr/sbin as before.

// modWSGIStart is a mod_wsgi-express start-server command, split.
type modWSGIStart struct {
	// Setup writes the configuration and returns.
	Setup []string
	// ServerRoot is where the configuration and apachectl are written.
	ServerRoot string
}

// splitModWSGIStart recognises `mod_wsgi-express start-server ...`; the server
// root is the last --server-root given (optparse keeps the last), else
// warpdrive's.
func splitModWSGIStart(argv []string) (modWSGIStart, bool) {
	if len(argv) < 2 || filepath.Base(argv[0]) != "mod_wsgi-express" || argv[1] != "start-server" {
		return modWSGIStart{}, false
	}
	root := server.ModWSGIServerRoot
	for i, a := range argv {
		if v, ok := strings.CutPrefix(a, "--server-root="); ok {
			root = v
		} else if a == "--server-root" && i+1 < len(argv) {
			root = argv[i+1]
		}
	}
	setup := append(append([]string{}, argv...), "--setup-only")
	return modWSGIStart{Setup: setup, ServerRoot: root}, true
}

// ApacheArgv is the command that starts Apache in the foreground through the
// generated apachectl, run by the interpreter its #! line names.
func (m modWSGIStart) ApacheArgv() ([]string, error) {
	script := filepath.Join(m.ServerRoot, "apachectl")
	f, err := os.Open(script)
	if err != nil {
		return nil, fmt.Errorf("mod_wsgi-express wrote no control script: %w", err)
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	interpreter, ok := strings.CutPrefix(strings.TrimSpace(line), "#!")
	if !ok || strings.TrimSpace(interpreter) == "" {
		return nil, fmt.Errorf("%s does not start with a #! line", script)
	}
	return append(strings.Fields(interpreter), script, "start", "-DFOREGROUND"), nil
}
