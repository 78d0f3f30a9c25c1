package layers

import (
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paketo-buildpacks/libpak/v2/log"

	"github.com/warpdrive-buildpack/warpdrive/internal/testpython"
	"github.com/warpdrive-buildpack/warpdrive/reuse"
	"github.com/warpdrive-buildpack/warpdrive/stepcache"
)

// fakeCollectstatic is a manage.py that does what collectstatic with
// WhiteNoise's CompressedManifestStaticFilesStorage does to the files: it
// imports the settings, copies each file of static/ into STATIC_ROOT under
// its name and a hashed name, gzips the hashed copy, writes
// staticfiles.json and reads it back (the storage's post-processing reads
// its own output). It registers the finders Django's collectstatic
// imports, which list static/; skipped.css it does not open, as
// collectstatic skips a source whose copy in STATIC_ROOT is newer.
const fakeCollectstatic = `
import gzip, hashlib, json, os, sys, types
sys.path.insert(0, os.getcwd())
import mysite.settings as settings
class Storage:
    def path(self, name):
        return os.path.join(os.getcwd(), "static", name)
class Finder:
    def list(self, ignore_patterns):
        for name in sorted(os.listdir("static")):
            yield name, Storage()
finders = types.ModuleType("django.contrib.staticfiles.finders")
finders.get_finders = lambda: [Finder()]
sys.modules["django.contrib.staticfiles.finders"] = finders
root = settings.STATIC_ROOT
os.makedirs(os.path.join(root, "css"), mode=0o750, exist_ok=True)
os.chmod(root, 0o750)
manifest = {}
for name in sorted(os.listdir("static")):
    if name == "skipped.css":
        continue
    data = open(os.path.join("static", name), "rb").read()
    base, ext = os.path.splitext(name)
    hashed = "css/%s.%s%s" % (base, hashlib.md5(data).hexdigest()[:12], ext)
    for out in ("css/" + name, hashed):
        with open(os.path.join(root, out), "wb") as f:
            f.write(data)
    with gzip.open(os.path.join(root, hashed + ".gz"), "wb") as f:
        f.write(data)
    manifest["css/" + name] = hashed
with open(os.path.join(root, "staticfiles.json"), "w") as f:
    json.dump({"paths": manifest, "version": "1.1"}, f)
os.chmod(os.path.join(root, "staticfiles.json"), 0o600)
open(os.path.join(root, "staticfiles.json")).read()
print("%d static files copied to '%s', %d post-processed." % (len(manifest), root, len(manifest)))
`

// appStaticSource is the application's source: a view collectstatic never
// imports, a STATIC_ROOT the source already has (holding a README).
func appStaticSource() map[string]string {
	return map[string]string{
		"manage.py":             fakeCollectstatic,
		"mysite/__init__.py":    "",
		"mysite/settings.py":    "import os\nSTATIC_ROOT = os.path.join(os.getcwd(), 'staticfiles')\n",
		"mysite/views.py":       "def index(request):\n    return 'hello'\n",
		"static/site.css":       "body { color: teal }\n",
		"static/skipped.css":    "p { color: red }\n",
		"staticfiles/README.md": "collectstatic's output goes here\n",
	}
}

// appStaticBuild is one build's view of AppStatic: a fresh copy of the
// source (the lifecycle gives every build the source, not the last
// build's application directory), the cache the builds share.
type appStaticBuild struct {
	home   string
	log    bytes.Buffer
	probes *stepcache.Cache
	static AppStatic
	needed int
}

func newAppStaticBuild(t *testing.T, venv string, snaps reuse.Snapshots, source map[string]string, inputs map[string]string) *appStaticBuild {
	t.Helper()
	b := &appStaticBuild{home: t.TempDir(), probes: stepcache.Load(snaps)}
	for rel, src := range source {
		must(t, os.MkdirAll(filepath.Join(b.home, filepath.Dir(rel)), 0o755))
		must(t, os.WriteFile(filepath.Join(b.home, rel), []byte(src), 0o644))
	}
	b.static = AppStatic{Venv: venv, Home: b.home, Root: filepath.Join(b.home, "staticfiles"), Inputs: inputs,
		Probes: b.probes, Snapshots: snaps, Need: func() error { b.needed++; return nil }, Logger: log.NewPaketoLogger(&b.log)}
	return b
}

// collect runs Collect and saves the probe record, as a build's end does.
func (b *appStaticBuild) collect(t *testing.T) bool {
	t.Helper()
	reused, err := b.static.Collect()
	if err != nil {
		t.Fatalf("Collect: %v\n%s", err, b.log.String())
	}
	must(t, b.probes.Save())
	if reused == (b.needed > 0) {
		t.Errorf("reused = %t, but the interpreter was unpacked %d times", reused, b.needed)
	}
	return reused
}

// treeState describes every entry under root: mode, modification time,
// content (root's own time is left out: creating entries changes it; a
// snapshot keeps times rounded to the second: archive/tar).
func treeState(t *testing.T, root string) map[string]string {
	t.Helper()
	state := map[string]string{}
	must(t, filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		desc := fi.Mode().String()
		if rel != "." {
			desc += " " + fi.ModTime().UTC().Round(time.Second).String()
		}
		if fi.Mode().IsRegular() {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			desc += fmt.Sprintf(" %q", data)
		}
		state[rel] = desc
		return nil
	}))
	return state
}

// The output is reused exactly while collectstatic's inputs are unchanged:
// each input's change runs it again, an edit it never read does not.
func TestAppStaticReusedWhileItsInputsAreUnchanged(t *testing.T) {
	python := testpython.Path(t)
	baseInputs := map[string]string{"python": "3.13.5", "packages": "venv-key-1", "application file names": "names-1", "settings module": "mysite.settings"}
	tests := []struct {
		name  string
		edit  map[string]string
		input map[string]string
		env   map[string]string
		// reused: the second build restores the first one's output.
		reused bool
		// why is the reason the log gives for running again.
		why string
	}{
		{name: "unchanged", reused: true},
		{name: "a view edited (code-only)", edit: map[string]string{"mysite/views.py": "def index(request):\n    return 'bye'\n"}, reused: true},
		{name: "a static file edited", edit: map[string]string{"static/site.css": "body { color: navy }\n"}, why: "static/site.css changed"},
		{name: "a static file collectstatic skipped edited", edit: map[string]string{"static/skipped.css": "p { color: blue }\n"}, why: "static/skipped.css changed"},
		{name: "the settings edited", edit: map[string]string{"mysite/settings.py": "import os\nSTATIC_ROOT = os.path.join(os.getcwd(), 'staticfiles')\nDEBUG = False\n"}, why: "mysite/settings.py changed"},
		{name: "what STATIC_ROOT held in the source changed", edit: map[string]string{"staticfiles/README.md": "changed\n"}, why: "STATIC_ROOT before collectstatic changed"},
		{name: "the packages changed (the venv's key)", input: map[string]string{"packages": "venv-key-2"}, why: "packages changed"},
		{name: "another Python", input: map[string]string{"python": "3.11.2"}, why: "python changed"},
		{name: "a file added (names)", input: map[string]string{"application file names": "names-2"}, why: "application file names changed"},
		{name: "another settings module", input: map[string]string{"settings module": "mysite.prod"}, why: "settings module changed"},
		{name: "a build variable set", env: map[string]string{"WARPDRIVE_TEST_SETTING": "on"}, why: "the variable WARPDRIVE_TEST_SETTING is new"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			venv, snaps := fakeVenv(t, python), reuse.Snapshots{Dir: t.TempDir()}
			first := newAppStaticBuild(t, venv, snaps, appStaticSource(), baseInputs)
			if first.collect(t) {
				t.Fatal("the first build reused an output")
			}
			source, inputs := appStaticSource(), maps.Clone(baseInputs)
			maps.Copy(source, tt.edit)
			maps.Copy(inputs, tt.input)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			second := newAppStaticBuild(t, venv, snaps, source, inputs)
			if got := second.collect(t); got != tt.reused {
				t.Fatalf("reused = %t, want %t; log:\n%s", got, tt.reused, second.log.String())
			}
			if tt.reused {
				assertLogHas(t, &second.log, "reusing the previous build's collectstatic output in the application's STATIC_ROOT")
				return
			}
			assertLogHas(t, &second.log, "Running collectstatic again ("+tt.why+")")
			// The third build reuses what the second collected.
			third := newAppStaticBuild(t, venv, snaps, source, inputs)
			if !third.collect(t) {
				t.Errorf("the build after a changed one did not reuse its output:\n%s", third.log.String())
			}
		})
	}
}

func assertLogHas(t *testing.T, log *bytes.Buffer, want string) {
	t.Helper()
	if !strings.Contains(log.String(), want) {
		t.Errorf("log lacks %q:\n%s", want, log.String())
	}
}

// A restore writes STATIC_ROOT as collectstatic wrote it: every file
// (hashed names, .gz, the manifest, the source's own), their modes and
// times, STATIC_ROOT's mode; a snapshot that cannot be read runs
// collectstatic again, over no half-restored files.
func TestAppStaticRestoresWhatCollectstaticWrote(t *testing.T) {
	python := testpython.Path(t)
	inputs := map[string]string{"python": "3.13.5", "packages": "venv-key-1"}
	venv, snaps := fakeVenv(t, python), reuse.Snapshots{Dir: t.TempDir()}
	first := newAppStaticBuild(t, venv, snaps, appStaticSource(), inputs)
	first.collect(t)
	collected := treeState(t, first.static.Root)
	for _, want := range []string{"staticfiles.json", "README.md", "css/site.css"} {
		if _, ok := collected[want]; !ok {
			t.Fatalf("the fake collectstatic wrote no %s: %v", want, collected)
		}
	}
	if collected["."] != "drwxr-x---" || !strings.HasPrefix(collected["staticfiles.json"], "-rw-------") {
		t.Fatalf("modes: STATIC_ROOT %s, staticfiles.json %s", collected["."], collected["staticfiles.json"])
	}

	source := appStaticSource()
	delete(source, "staticfiles/README.md") // STATIC_ROOT absent from the source: restored with its mode
	for _, tt := range []struct {
		name    string
		source  map[string]string
		corrupt bool
	}{
		{"STATIC_ROOT in the source", appStaticSource(), false},
		{"STATIC_ROOT not in the source", source, false},
		{"an unreadable snapshot", appStaticSource(), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			snaps := reuse.Snapshots{Dir: t.TempDir()}
			build := newAppStaticBuild(t, venv, snaps, tt.source, inputs)
			build.collect(t)
			want := treeState(t, build.static.Root)
			if tt.corrupt {
				archive := filepath.Join(snaps.Dir, AppStaticSnapshot+".tar.zst") // the snapshot's archive
				data, err := os.ReadFile(archive)
				must(t, err)
				must(t, os.WriteFile(archive, data[:len(data)/2], 0o644))
			}
			again := newAppStaticBuild(t, venv, snaps, tt.source, inputs)
			if reused := again.collect(t); reused == tt.corrupt {
				t.Fatalf("reused = %t with a corrupt snapshot %t:\n%s", reused, tt.corrupt, again.log.String())
			}
			got := treeState(t, again.static.Root)
			if tt.corrupt {
				assertLogHas(t, &again.log, "Running collectstatic again (the snapshot of app-static in the cache cannot be read: ")
				// Collected again: the same files, written now.
				if len(got) != len(want) {
					t.Errorf("after a corrupt snapshot STATIC_ROOT holds %v, want the entries of %v", got, want)
				}
				return
			}
			for rel, w := range want {
				if got[rel] != w {
					t.Errorf("%s restored as %s, collectstatic wrote %s", rel, got[rel], w)
				}
			}
			for rel := range got {
				if _, ok := want[rel]; !ok {
					t.Errorf("the restore wrote %s, which collectstatic did not", rel)
				}
			}
		})
	}
}
