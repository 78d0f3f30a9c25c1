//go:build integration

package integration

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Registry is the loopback OCI registry of scripts/harness/registry.sh, with
// the builder, build image and run image published to it.
type Registry struct {
	Host    string // 127.0.0.1:<port>
	Builder string // <host>/warpdrive/builder:bookworm
	Log     string // the registry's log file, with its access log
}

// startRegistry starts the registry (installing it on first use) and
// publishes the builder to it, as a platform operator would before kpack or
// Tekton can use it.
func startRegistry(t *testing.T) *Registry {
	t.Helper()
	script := filepath.Join(repoRoot(), "scripts", "harness", "registry.sh")
	start := time.Now()
	out, err := exec.Command(script, "builder").Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("registry.sh builder: %v\n%s", err, stderr)
	}
	builder := strings.TrimSpace(string(out))
	// The daemon may hold an older builder under the same name: the lifecycle
	// runs (docker run) from the one just published.
	run(t, "docker", "pull", "-q", builder)
	logPath, err := exec.Command(script, "logfile").Output()
	if err != nil {
		t.Fatalf("registry.sh logfile: %v", err)
	}
	t.Logf("registry and builder %s ready in %s", builder, time.Since(start).Round(time.Second))
	return &Registry{Host: strings.SplitN(builder, "/", 2)[0], Builder: builder, Log: strings.TrimSpace(string(logPath))}
}

// blobUploads are the digests of the blobs the access log shows uploaded
// (the PUT that completes an upload names the digest) to repository repo.
func blobUploads(accessLog, repo string) []string {
	re := regexp.MustCompile(`"PUT /v2/` + regexp.QuoteMeta(repo) + `/blobs/uploads/[^" ]*[?&]digest=sha256%3A([0-9a-f]{64})`)
	var digests []string
	for _, m := range re.FindAllStringSubmatch(accessLog, -1) {
		digests = append(digests, "sha256:"+m[1])
	}
	return digests
}

// manifestLayers are the layer digests of the manifest repo:tag in the registry.
func (r *Registry) manifestLayers(t *testing.T, repo, tag string) map[string]bool {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "http://"+r.Host+"/v2/"+repo+"/manifests/"+tag, nil)
	req.Header.Set("Accept", "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var manifest struct {
		Layers []struct{ Digest string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&manifest); err != nil || len(manifest.Layers) == 0 {
		t.Fatalf("the manifest of %s:%s (status %d): %v", repo, tag, resp.StatusCode, err)
	}
	layers := map[string]bool{}
	for _, l := range manifest.Layers {
		layers[l.Digest] = true
	}
	return layers
}

// run runs a command and returns its combined output, failing the test
// (showing that output) when it fails.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := runErr(name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func runErr(name string, args ...string) (string, error) {
	var buf bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	return stripANSI(buf.String()), err
}

// timed runs f and logs how long it took under what; it returns the time.
func timed(t *testing.T, what string, f func()) time.Duration {
	t.Helper()
	start := time.Now()
	f()
	took := time.Since(start)
	t.Logf("TIMING %s: %s", what, took.Round(100*time.Millisecond))
	return took
}

// pulled makes app an App for an image in the registry: pulled into the
// daemon (a published image is not there), so App.Run serves it.
func pulled(t *testing.T, a *App, ref string) *App {
	t.Helper()
	run(t, "docker", "pull", "-q", ref)
	c := a.In(t)
	c.Image = ref
	t.Cleanup(func() { exec.Command("docker", "rmi", "-f", ref).Run() })
	return c
}

// TestRegistryPublishRebaseAndLifecycle proves warpdrive on registry-based
// platforms, against a real registry on loopback: `pack build --publish` with
// a cache image (and a republish that uploads no layer), `pack rebase` onto an
// updated run image, and the lifecycle run without pack, as kpack, Tekton and
// Cloud Build run it: the creator, and the five phases one by one.
func TestRegistryPublishRebaseAndLifecycle(t *testing.T) {
	reg := startRegistry(t)
	a := NewApp(t, "django_startproject")
	sfx := randomSuffix()
	repo := "warpdrive-test/" + strings.TrimPrefix(a.Image, "warpdrive-test/")
	image := reg.Host + "/" + repo
	cacheImage := image + "-cache"

	// The app is built on its own copy of the run image, so this test can
	// update it as a security update would and not touch the builder's.
	runImage := reg.Host + "/warpdrive-test/run-" + sfx + ":bookworm"
	run(t, "docker", "tag", "warpdrive/run:bookworm", runImage)
	run(t, "docker", "push", "-q", runImage)
	t.Cleanup(func() { exec.Command("docker", "rmi", "-f", runImage).Run() })

	publish := func(t *testing.T) string {
		t.Helper()
		out, err := runErr(filepath.Join(repoRoot(), "scripts", "pack.sh"), "build", image,
			"--path", a.Dir, "--builder", reg.Builder, "--run-image", runImage,
			"--publish", "--cache-image", cacheImage, "--pull-policy", "always",
			"--trust-builder", "--network", "host", "--env", "PIP_INDEX_URL="+indexURL()+"/")
		if err != nil {
			t.Fatalf("pack build --publish: %v\n%s", err, out)
		}
		return out
	}

	var firstDigest string
	t.Run("publish", func(t *testing.T) {
		var log string
		timed(t, "pack build --publish (cold, cache image)", func() { log = publish(t) })
		firstDigest = imageDigest(log)
		assertContains(t, "publish log", log, "Python packages: Contributing to layer", "mod_wsgi",
			"Django static files: Contributing to layer", "Saving "+image, "*** Images (sha256:")
		if out, _ := runErr("docker", "image", "inspect", image); !strings.Contains(out, "No such image") {
			t.Errorf("pack build --publish put %s into the daemon; it must only be in the registry", image)
		}
		c := pulled(t, a, image).Run(8080)
		assertServesDjango(t, c)
		assertModWSGI(t, c, "3.13")
		assertNonRoot(t, c)
	})

	t.Run("republish uploads no layer", func(t *testing.T) {
		offset := logSize(t, reg.Log)
		var log string
		timed(t, "pack build --publish (unchanged, cache image)", func() { log = publish(t) })
		for _, title := range reusedTitles {
			assertContains(t, "republish log", log, reusing(title))
		}
		for _, layer := range []string{"python", "venv", "mod_wsgi", "static", "start"} {
			assertContains(t, "republish log", log, "Reusing layer 'warpdrive:"+layer+"'")
		}
		// No layer of the image or of the cache image is uploaded again. (The
		// cache image's small config is: lifecycle 0.20 writes each reused
		// cache layer into it twice, buildpacks/lifecycle#1720.)
		if digest := imageDigest(log); digest == "" || digest != firstDigest {
			t.Errorf("the republish of unchanged source changed the image's digest from %s to %s", firstDigest, digest)
		}
		access := logSince(t, reg.Log, offset)
		for _, r := range []string{repo, repo + "-cache"} {
			layers := reg.manifestLayers(t, r, "latest")
			for _, digest := range blobUploads(access, r) {
				if layers[digest] {
					t.Errorf("the republish uploaded the layer %s of %s again", digest, r)
				}
			}
			t.Logf("republish: %d blob(s) uploaded to %s, none of them a layer", len(blobUploads(access, r)), r)
		}
		if ups := blobUploads(access, repo); len(ups) > 0 {
			t.Errorf("the republish of unchanged source uploaded %v to %s: the image should be the same, with nothing to push", ups, repo)
		}
		if !strings.Contains(access, "/v2/"+repo+"/manifests/") {
			t.Errorf("the registry's access log has no request for %s's manifest after the republish: is it the registry pack used?", repo)
		}
	})

	t.Run("rebase onto an updated run image", func(t *testing.T) {
		// A security update of the run image: the same image with one more
		// layer (a marker file, as an OS package update would add files),
		// pushed under the same name.
		user := strings.TrimSpace(run(t, "docker", "image", "inspect", "--format", "{{.Config.User}}", "warpdrive/run:bookworm"))
		dockerfile := fmt.Sprintf("FROM warpdrive/run:bookworm\nUSER 0:0\nRUN echo 'security update %s' > /etc/warpdrive-run-update\nUSER %s\n", sfx, user)
		cmd := exec.Command("docker", "build", "-q", "-t", runImage, "-")
		cmd.Stdin = strings.NewReader(dockerfile)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("docker build of the updated run image: %v\n%s", err, out)
		}
		run(t, "docker", "push", "-q", runImage)
		layers := strings.Fields(strings.Trim(run(t, "docker", "image", "inspect", "--format", "{{range .RootFS.Layers}}{{.}} {{end}}", runImage), " \n"))
		topLayer := layers[len(layers)-1]

		var log string
		took := timed(t, "pack rebase --publish", func() {
			log = run(t, filepath.Join(repoRoot(), "scripts", "pack.sh"), "rebase", image, "--publish", "--pull-policy", "always")
		})
		assertContains(t, "rebase log", log, "Rebasing '"+image+"' on run image '"+runImage+"'", "Successfully rebased image")
		if took > time.Minute {
			t.Errorf("pack rebase took %s; a rebase swaps layers in the registry and should take seconds", took)
		}
		inspect := run(t, filepath.Join(repoRoot(), "scripts", "pack.sh"), "inspect", image)
		assertContains(t, "pack inspect after the rebase", inspect, "Top Layer:", topLayer, runImage)

		c := pulled(t, a, image).Run(8080)
		assertContains(t, "the rebased image", c.Exec("cat", "/etc/warpdrive-run-update"), "security update "+sfx)
		assertServesDjango(t, c)
		assertModWSGI(t, c, "3.13")
	})

	// The lifecycle without pack: a workspace owned by the CNB user, the
	// configuration as files under /platform/env, the builder's own run image.
	builderEnv := run(t, "docker", "image", "inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", reg.Builder)
	uid, gid := envValue(builderEnv, "CNB_USER_ID"), envValue(builderEnv, "CNB_GROUP_ID")
	if uid == "" || gid == "" {
		t.Fatalf("the builder %s has no CNB_USER_ID/CNB_GROUP_ID:\n%s", reg.Builder, builderEnv)
	}
	workspace := filepath.Join(t.TempDir(), "workspace")
	copyTree(t, a.Dir, workspace)
	platform := filepath.Join(t.TempDir(), "platform")
	if err := os.MkdirAll(filepath.Join(platform, "env"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(platform, "env", "PIP_INDEX_URL"), []byte(indexURL()+"/"), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, "chown", "-R", uid+":"+gid, workspace)
	lifecycle := func(t *testing.T, extra []string, phase string, args ...string) string {
		t.Helper()
		dockerArgs := append([]string{"run", "--rm", "--network", "host", "--user", uid + ":" + gid,
			"-e", "CNB_PLATFORM_API=0.13", "-v", workspace + ":/workspace", "-v", platform + ":/platform:ro"}, extra...)
		dockerArgs = append(append(dockerArgs, reg.Builder, "/cnb/lifecycle/"+phase, "-log-level", "info"), args...)
		return run(t, "docker", dockerArgs...)
	}
	creatorImage := image + "-creator"
	creatorCache := creatorImage + "-cache"

	t.Run("lifecycle creator", func(t *testing.T) {
		var log string
		timed(t, "lifecycle creator (cold, cache image)", func() {
			log = lifecycle(t, nil, "creator", "-app", "/workspace", "-cache-image", creatorCache, creatorImage)
		})
		assertContains(t, "creator log", log, "Python packages: Contributing to layer", "Saving "+creatorImage)
		timed(t, "lifecycle creator (unchanged, cache image)", func() {
			log = lifecycle(t, nil, "creator", "-app", "/workspace", "-cache-image", creatorCache, creatorImage)
		})
		for _, title := range reusedTitles {
			assertContains(t, "second creator log", log, reusing(title))
		}
		c := pulled(t, a, creatorImage).Run(8080)
		assertServesDjango(t, c)
		assertModWSGI(t, c, "3.13")
	})

	t.Run("lifecycle phases one by one", func(t *testing.T) {
		// kpack's order, each phase its own container sharing /layers.
		layers := "warpdrive-test-layers-" + sfx
		run(t, "docker", "volume", "create", layers)
		t.Cleanup(func() { exec.Command("docker", "volume", "rm", "-f", layers).Run() })
		vol := []string{"-v", layers + ":/layers"}
		phases := []struct {
			name string
			args []string
		}{
			{"analyzer", []string{"-cache-image", creatorCache, creatorImage}},
			{"detector", []string{"-app", "/workspace"}},
			{"restorer", []string{"-cache-image", creatorCache}},
			{"builder", []string{"-app", "/workspace"}},
			{"exporter", []string{"-app", "/workspace", "-cache-image", creatorCache, creatorImage}},
		}
		logs := map[string]string{}
		start := time.Now()
		for _, p := range phases {
			timed(t, "lifecycle "+p.name, func() { logs[p.name] = lifecycle(t, vol, p.name, p.args...) })
		}
		t.Logf("TIMING lifecycle phases one by one (warm, cache image): %s", time.Since(start).Round(100*time.Millisecond))
		assertContains(t, "detector log", logs["detector"], "warpdrive")
		for _, title := range reusedTitles {
			assertContains(t, "builder log", logs["builder"], reusing(title))
		}
		assertContains(t, "exporter log", logs["exporter"], "Saving "+creatorImage)
		c := pulled(t, a, creatorImage).Run(8080)
		assertServesDjango(t, c)
	})
}

// imageDigest is the digest the exporter printed ("*** Images (sha256:...)").
func imageDigest(log string) string {
	m := regexp.MustCompile(`\*\*\* Images \((sha256:[0-9a-f]{64})\)`).FindStringSubmatch(log)
	if m == nil {
		return ""
	}
	return m[1]
}

// reusedTitles are the layers an unchanged rebuild of django_startproject
// reuses, as the build log titles them.
var reusedTitles = []string{"CPython 3.13.5", "Python packages", "mod_wsgi 5.0.2", "Django static files"}

// envValue is NAME's value in a list of NAME=value lines.
func envValue(env, name string) string {
	for _, line := range strings.Split(env, "\n") {
		if v, ok := strings.CutPrefix(line, name+"="); ok {
			return v
		}
	}
	return ""
}
