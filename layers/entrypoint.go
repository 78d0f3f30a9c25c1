package layers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/warpdrive-buildpack/warpdrive/app"
	"github.com/warpdrive-buildpack/warpdrive/internal/command"
	"github.com/warpdrive-buildpack/warpdrive/internal/lines"
	"github.com/warpdrive-buildpack/warpdrive/stepcache"
)

// EntryProbe is what importing a WSGI entry point's module found.
type EntryProbe struct {
	// Found is true when the attribute exists and is callable.
	Found bool `json:"found"`
	// Kind is "wsgi" or "asgi" for an application, "unknown" for a factory
	// (what it returns is only known by calling it), "" when not Found.
	Kind string `json:"kind"`
	// Candidates are the module's attributes that look like an application,
	// in definition order, to suggest when Found is false.
	Candidates []string `json:"candidates"`
	// ImportError is the end of the traceback when the import failed.
	ImportError string `json:"import_error"`
	// TimedOut is true when the import did not finish in time.
	TimedOut bool `json:"-"`
	// Reads are the application's files the import read (relative to home).
	Reads []string `json:"reads,omitempty"`
}

// EntryProbeError: the probe itself could not run (no interpreter, or it
// printed no result), as opposed to the application failing to import.
type EntryProbeError struct {
	EntryPoint string
	Tail       []string
	Err        error
}

func (e EntryProbeError) Error() string {
	return fmt.Sprintf("probing the WSGI entry point %s failed: %s", e.EntryPoint, e.Err)
}

func (e EntryProbeError) Unwrap() error { return e.Err }

// The probe prints a marker before importing, so a process that dies without a
// result (a crashing C extension, os._exit) is told apart from an interpreter
// that could not run the probe at all; then one JSON line after a second marker.
const (
	entryImportMarker = "WARPDRIVE-ENTRYPOINT-IMPORT"
	entryResultMarker = "WARPDRIVE-ENTRYPOINT-RESULT "
)

// importErrorLines is how much of a traceback ImportError keeps: the end is
// where the exception is.
const importErrorLines = 12

// entryProbeScript imports the module and looks at the attribute without
// calling anything: a factory may need configuration that only exists at run
// time, and calling an application would need a request.
const entryProbeScript = stepcache.ReadsTracker + `
import inspect, json, os, sys, traceback

module_name, attr, call = sys.argv[1], sys.argv[2], sys.argv[3] == "true"
# The application sees no command line of ours (some parse sys.argv at import).
sys.argv = sys.argv[:1]
sys.path.insert(0, os.getcwd())

NAMES = ("app", "application", "api", "server")
FACTORIES = ("create_app", "make_app")
FRAMEWORKS = ("flask", "django", "pyramid", "bottle", "falcon")

def emit(line):
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    # The application may have replaced sys.stdout; the original is the pipe.
    sys.__stdout__.write("\n" + line + "\n")
    sys.__stdout__.flush()

def looks_like_app(name, value):
    if inspect.ismodule(value) or not callable(value):
        return False
    if name in NAMES or name in FACTORIES:
        return True
    if inspect.isclass(value) or inspect.isroutine(value):
        return False  # Flask itself, or a helper function: not an application
    owner = getattr(type(value), "__module__", None) or ""
    return owner.split(".")[0] in FRAMEWORKS

result = {"found": False, "kind": "", "candidates": [], "import_error": ""}
emit("` + entryImportMarker + `")
try:
    import importlib
    module = importlib.import_module(module_name)
except BaseException:  # SystemExit at import is a failed import too
    result["import_error"] = traceback.format_exc()
else:
    obj = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except Exception:
            obj = None
            break
    if obj is not None and callable(obj):
        result["found"] = True
        if call:
            result["kind"] = "unknown"
        elif inspect.iscoroutinefunction(obj) or inspect.iscoroutinefunction(getattr(type(obj), "__call__", None)):
            result["kind"] = "asgi"
        else:
            result["kind"] = "wsgi"
    result["candidates"] = [n for n, v in list(vars(module).items()) if looks_like_app(n, v)]
result["reads"] = wd_reads()
emit("` + entryResultMarker + `" + json.dumps(result))
# Threads or atexit handlers the application started must not keep the build waiting.
os._exit(0)
`

// EntryProbeDigest identifies the entry point probe's script: a record of
// what an earlier buildpack's script found is not this one's result.
func EntryProbeDigest() string { return app.Digest(entryProbeScript) }

// ProbeEntryPoint imports ep's module with the venv's interpreter, in home,
// and reports whether the attribute is there. The import runs at most timeout
// (0: no limit); extraEnv is added to the environment (settings an import may
// need). A failed or slow import is a result, not an error: the error is for
// a probe that could not run.
func ProbeEntryPoint(python, home string, ep app.EntryPoint, timeout time.Duration, extraEnv map[string]string) (EntryProbe, error) {
	ctx := context.Background()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}

	cmd := exec.CommandContext(ctx, python, "-c", entryProbeScript, ep.Module, ep.Attr, strconv.FormatBool(ep.Call), ep.Args)
	cmd.Dir = home
	cmd.Env = os.Environ()
	for _, k := range slices.Sorted(maps.Keys(extraEnv)) {
		cmd.Env = append(cmd.Env, k+"="+extraEnv[k])
	}
	// Last, so it wins: the probe only reads, and must not leave __pycache__ in
	// the application, whose tree is hashed to decide what is reusable.
	cmd.Env = append(cmd.Env, "PYTHONDONTWRITEBYTECODE=1")
	out := &command.Output{}
	cmd.Stdout, cmd.Stderr = out, out
	// The import may start processes of its own (a server, a worker); they
	// share the output pipe, so the whole group is killed, not just python.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second

	if err := cmd.Start(); err != nil {
		return EntryProbe{}, EntryProbeError{EntryPoint: ep.String(), Err: err}
	}
	runErr := cmd.Wait()
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // ESRCH: nothing was left behind

	text := out.String()
	if i := strings.LastIndex(text, "\n"+entryResultMarker); i >= 0 {
		line, _, _ := strings.Cut(text[i+1+len(entryResultMarker):], "\n")
		var p EntryProbe
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			return EntryProbe{}, EntryProbeError{EntryPoint: ep.String(), Tail: out.Tail(importErrorLines),
				Err: fmt.Errorf("unable to read the probe's output %q: %w", line, err)}
		}
		p.ImportError = lastLines(p.ImportError, importErrorLines)
		return p, nil
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return EntryProbe{TimedOut: true}, nil
	}
	if _, during, ok := strings.Cut(text, entryImportMarker+"\n"); ok {
		// The interpreter ran the probe and died importing the application.
		status := "exit status 0"
		if runErr != nil {
			status = runErr.Error()
		}
		tail := lastLines(during, importErrorLines-1)
		return EntryProbe{ImportError: strings.TrimLeft(tail+"\n", "\n") + "python exited while importing " + ep.Module + ": " + status}, nil
	}
	if runErr == nil {
		runErr = errors.New("the probe printed no result")
	}
	return EntryProbe{}, EntryProbeError{EntryPoint: ep.String(), Tail: out.Tail(importErrorLines), Err: runErr}
}

// lastLines is lines.Last as one text, without a trailing newline.
func lastLines(s string, n int) string {
	return strings.Join(lines.Last(s, n), "\n")
}
