//go:build integration

// Package integration builds real applications into images with `pack build`
// (through scripts/pack-build.sh and the offline builder), runs them with
// `docker run`, and checks what a user would see: HTTP responses, the build
// log, `pack inspect`, the container's user and how it stops.
//
// Run with: go test -tags integration ./integration/ (scripts/test.sh does).
package integration

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// repoRoot is the repository, found from this file's location.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

func randomSuffix() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// parallel lets a test run beside the other parallel ones (go test's
// -parallel, 2 in scripts/integration.sh): a build spends much of its time
// waiting on the Docker engine, the index and the server's start, so two at
// once use two cores better than one. Tests that read a shared server's log
// (the package index, the registry) or time the lifecycle stay serial, and go
// test runs all serial tests before the parallel ones start.
// WARPDRIVE_TEST_PARALLEL=1 runs everything one at a time.
func parallel(t *testing.T) {
	if os.Getenv("WARPDRIVE_TEST_PARALLEL") != "1" {
		t.Parallel()
	}
}

// App is one fixture application being built, possibly several times, into
// the same image name with the same caches (so reuse can be observed).
type App struct {
	t     *testing.T
	Name  string
	Dir   string
	Image string
	cache string
	// buildCache is the build cache volume: cache+".build" unless shared.
	buildCache string
	// env is added to scripts/pack-build.sh's environment.
	env []string
}

// NewApp copies testdata/<fixture> to a temp dir (so tests may edit it) and
// registers clean-up of the image and its cache volumes, even on failure.
func NewApp(t *testing.T, fixture string) *App {
	t.Helper()
	dir := filepath.Join(t.TempDir(), fixture)
	copyTree(t, filepath.Join(repoRoot(), "integration", "testdata", fixture), dir)
	name := strings.ToLower(strings.ReplaceAll(fixture, "_", "-")) + "-" + randomSuffix()
	a := &App{t: t, Name: fixture, Dir: dir, Image: "warpdrive-test/" + name, cache: "warpdrive-test-cache-" + name}
	a.buildCache = a.cache + ".build"
	t.Cleanup(func() {
		exec.Command("docker", "rmi", "-f", a.Image).Run()
		exec.Command("docker", "volume", "rm", "-f", a.cache+".build", a.cache+".launch").Run()
	})
	return a
}

// ShareBuildCache makes a build with other's build cache (pip's cache
// among it), so a package compiled from source for one app is not compiled
// again for the other. The layers themselves still follow each app's inputs.
func (a *App) ShareBuildCache(other *App) {
	a.buildCache = other.buildCache
}

// In returns the app for a subtest: its failures and logs belong to t (a
// subtest must not call its parent's Fatal).
func (a *App) In(t *testing.T) *App {
	c := *a
	c.t = t
	return &c
}

// Build runs scripts/pack-build.sh and returns its log and whether it succeeded.
func (a *App) Build(flags ...string) (string, error) {
	a.t.Helper()
	args := append([]string{a.Image, a.Dir,
		"--cache", "type=build;format=volume;name=" + a.buildCache,
		"--cache", "type=launch;format=volume;name=" + a.cache + ".launch"}, flags...)
	cmd := exec.Command(filepath.Join(repoRoot(), "scripts", "pack-build.sh"), args...)
	cmd.Env = append(os.Environ(), a.env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	a.t.Logf("pack build %s: %s (%v)", a.Name, time.Since(start).Round(time.Second), err)
	return stripANSI(out.String()), err
}

// MustBuild builds and fails the test, showing the log, when the build fails.
func (a *App) MustBuild(flags ...string) string {
	a.t.Helper()
	log, err := a.Build(flags...)
	if err != nil {
		a.t.Fatalf("pack build of %s failed: %v\n%s", a.Name, err, log)
	}
	return log
}

// Write replaces a file of the application.
func (a *App) Write(rel, content string) {
	a.t.Helper()
	path := filepath.Join(a.Dir, rel)
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		a.t.Fatal(err)
	}
}

// Container is a running image.
type Container struct {
	t    *testing.T
	ID   string
	Port int
}

// Run starts the image with `docker run -d -p 127.0.0.1:<free>:<containerPort>`
// and waits until it answers HTTP; it is removed when the test ends.
func (a *App) Run(containerPort int, dockerArgs ...string) *Container {
	a.t.Helper()
	return a.RunWithArgs(containerPort, dockerArgs)
}

// RunWithArgs is Run with arguments after the image name (`docker run IMAGE ARGS...`).
func (a *App) RunWithArgs(containerPort int, dockerArgs []string, imageArgs ...string) *Container {
	a.t.Helper()
	port := freePort(a.t)
	args := append([]string{"run", "-d", "-p", fmt.Sprintf("127.0.0.1:%d:%d", port, containerPort)}, dockerArgs...)
	args = append(append(args, a.Image), imageArgs...)
	out, err := exec.Command("docker", args...).CombinedOutput()
	if err != nil {
		a.t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	c := &Container{t: a.t, ID: strings.TrimSpace(string(out)), Port: port}
	a.t.Cleanup(func() { exec.Command("docker", "rm", "-f", c.ID).Run() })
	c.WaitReady(90 * time.Second)
	return c
}

// WaitReady polls until the server answers any HTTP response.
func (c *Container) WaitReady(timeout time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	client := http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		if resp, err := client.Get(c.URL("/")); err == nil {
			resp.Body.Close()
			return
		}
		if state := c.State(); state != "running" {
			c.t.Fatalf("container exited (%s) before answering; its log:\n%s", state, c.Logs())
		}
		time.Sleep(500 * time.Millisecond)
	}
	c.t.Fatalf("no HTTP answer on port %d within %s; container log:\n%s", c.Port, timeout, c.Logs())
}

// URL is the address of path on the container's published port.
func (c *Container) URL(path string) string {
	return fmt.Sprintf("http://127.0.0.1:%d%s", c.Port, path)
}

// Get requests path and returns the response with its body read.
func (c *Container) Get(path string) (*http.Response, string) {
	c.t.Helper()
	client := http.Client{Timeout: 20 * time.Second}
	resp, err := client.Get(c.URL(path))
	if err != nil {
		c.t.Fatalf("GET %s: %v\ncontainer log:\n%s", path, err, c.Logs())
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// GetOK is Get that fails the test, showing the body and the container's
// log, unless the answer is 200 OK.
func (c *Container) GetOK(path string) (*http.Response, string) {
	c.t.Helper()
	resp, body := c.Get(path)
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("GET %s = %d\n%s\ncontainer log:\n%s", path, resp.StatusCode, body, c.Logs())
	}
	return resp, body
}

// Logs is the container's output so far.
func (c *Container) Logs() string {
	out, _ := exec.Command("docker", "logs", c.ID).CombinedOutput()
	return string(out)
}

// State is the container's status (running, exited ...).
func (c *Container) State() string {
	out, _ := exec.Command("docker", "inspect", "--format", "{{.State.Status}}", c.ID).Output()
	return strings.TrimSpace(string(out))
}

// Exec runs a command inside the container as its default user.
func (c *Container) Exec(args ...string) string {
	c.t.Helper()
	out, err := exec.Command("docker", append([]string{"exec", c.ID}, args...)...).CombinedOutput()
	if err != nil {
		c.t.Fatalf("docker exec %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// Stop runs `docker stop` (10 s grace) and returns how long it took and the exit code.
func (c *Container) Stop() (time.Duration, string) {
	c.t.Helper()
	start := time.Now()
	if out, err := exec.Command("docker", "stop", "--time", "10", c.ID).CombinedOutput(); err != nil {
		c.t.Fatalf("docker stop: %v\n%s", err, out)
	}
	code, _ := exec.Command("docker", "inspect", "--format", "{{.State.ExitCode}}", c.ID).Output()
	return time.Since(start), strings.TrimSpace(string(code))
}

// PackInspect returns `pack inspect` output for the image.
func (a *App) PackInspect() string {
	a.t.Helper()
	out, err := exec.Command(filepath.Join(repoRoot(), "scripts", "pack.sh"), "inspect", a.Image).CombinedOutput()
	if err != nil {
		a.t.Fatalf("pack inspect: %v\n%s", err, out)
	}
	return string(out)
}

// RunOnce runs the image to completion (`docker run --rm DOCKERARGS IMAGE
// COMMAND...`) and returns its combined output and exit code.
func (a *App) RunOnce(dockerArgs []string, command ...string) (string, int) {
	a.t.Helper()
	args := append(append(append([]string{"run", "--rm"}, dockerArgs...), a.Image), command...)
	cmd := exec.Command("docker", args...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		a.t.Fatalf("docker %v: %v", args, err)
	}
	return string(out), code
}

// logSize is a server log's size now: logSince(path, logSize(path)) later
// is what the server logged in between.
func logSize(t *testing.T, path string) int64 {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("a server's log: %v", err)
	}
	return info.Size()
}

// logSince is what the log at path holds after offset.
func logSince(t *testing.T, path string, offset int64) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("a server's log: %v", err)
	}
	return string(data[offset:])
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(path string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if fi.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, fi.Mode().Perm())
	})
	if err != nil {
		t.Fatalf("copying fixture %s: %v", src, err)
	}
}

func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < '@' || s[j] > '~') {
				j++
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// assertContains fails for each wanted text missing from got.
func assertContains(t *testing.T, what, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}

// assertStatic: path answers 200 with a stylesheet containing the text.
func assertStatic(t *testing.T, c *Container, path, contains string) {
	t.Helper()
	resp, body := c.Get(path)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("GET %s = %d %q\ncontainer log:\n%s", path, resp.StatusCode, resp.Header.Get("Content-Type"), c.Logs())
	}
	assertContains(t, path, body, contains)
}

// assertNotContains fails for each text present in got.
func assertNotContains(t *testing.T, what, got string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(got, w) {
			t.Errorf("%s has %q, which it must not:\n%s", what, w, got)
		}
	}
}

// assertMatches fails for each pattern that does not match got.
func assertMatches(t *testing.T, what, got string, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		if !regexp.MustCompile(p).MatchString(got) {
			t.Errorf("%s does not match %q:\n%s", what, p, got)
		}
	}
}

// readFile is a file's content; the test fails when it cannot be read.
func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// PackSBOM runs `pack sbom download` and returns each launch layer's
// CycloneDX SBOM, by layer name, and its SPDX SBOM, by layer name + ".spdx".
func (a *App) PackSBOM() map[string]string {
	a.t.Helper()
	dir := a.t.TempDir()
	out, err := exec.Command(filepath.Join(repoRoot(), "scripts", "pack.sh"), "sbom", "download", a.Image, "--output-dir", dir).CombinedOutput()
	if err != nil {
		a.t.Fatalf("pack sbom download: %v\n%s", err, out)
	}
	sboms := map[string]string{}
	for suffix, file := range map[string]string{"": "sbom.cdx.json", ".spdx": "sbom.spdx.json"} {
		files, _ := filepath.Glob(filepath.Join(dir, "layers", "sbom", "launch", "warpdrive", "*", file))
		for _, f := range files {
			sboms[filepath.Base(filepath.Dir(f))+suffix] = readFile(a.t, f)
		}
	}
	return sboms
}

// LayerDigests are the image's warpdrive layers' diff IDs, by layer name,
// from the lifecycle's metadata label.
func (a *App) LayerDigests() map[string]string {
	a.t.Helper()
	out, err := exec.Command("docker", "image", "inspect", "--format", `{{ index .Config.Labels "io.buildpacks.lifecycle.metadata" }}`, a.Image).Output()
	if err != nil {
		a.t.Fatalf("docker image inspect %s: %v", a.Image, err)
	}
	var md struct {
		Buildpacks []struct {
			Key    string `json:"key"`
			Layers map[string]struct {
				SHA string `json:"sha"`
			} `json:"layers"`
		} `json:"buildpacks"`
	}
	if err := json.Unmarshal(out, &md); err != nil {
		a.t.Fatalf("the lifecycle metadata label: %v\n%s", err, out)
	}
	digests := map[string]string{}
	for _, bp := range md.Buildpacks {
		if bp.Key != "warpdrive" {
			continue
		}
		for name, l := range bp.Layers {
			digests[name] = l.SHA
		}
	}
	return digests
}
