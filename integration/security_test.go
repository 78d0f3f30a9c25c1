//go:build integration

package integration

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// privateIndex is the local package index behind HTTP basic auth, as a
// private index (Artifactory, GitLab, a cloud's) would be: requests without
// the token are refused.
type privateIndex struct {
	URL                 string // with the token, as a user would write it
	authorized, refused atomic.Int64
}

func startPrivateIndex(t *testing.T, token string) *privateIndex {
	t.Helper()
	upstream, _ := url.Parse(strings.TrimSuffix(indexURL(), "/simple"))
	proxy := httputil.NewSingleHostReverseProxy(upstream)
	// The build reaches it over the host's loopback (pack build --network host).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &privateIndex{URL: "http://__token__:" + token + "@" + ln.Addr().String() + "/simple/"}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if user, pass, ok := r.BasicAuth(); !ok || user != "__token__" || pass != token {
			p.refused.Add(1)
			w.Header().Set("WWW-Authenticate", `Basic realm="private index"`)
			http.Error(w, "401 token required", http.StatusUnauthorized)
			return
		}
		p.authorized.Add(1)
		r.Header.Del("Authorization")
		proxy.ServeHTTP(w, r)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return p
}

// writeBinding writes a CNB service binding directory: a file per key, and
// `type`.
func writeBinding(t *testing.T, typ string, keys map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "binding")
	os.MkdirAll(dir, 0o755)
	keys["type"] = typ
	for k, v := range keys {
		if err := os.WriteFile(filepath.Join(dir, k), []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestPipCredentialsFromBinding: a binding of type pip points pip at a
// private index that requires a token; the build installs through it, and
// the token is in no layer of the image, no label, the cache or the build
// log. A new token (rotated) rebuilds nothing.
func TestPipCredentialsFromBinding(t *testing.T) {
	parallel(t)
	const token = "wdTok3n-5b1f0c9e7a"
	index := startPrivateIndex(t, token)
	a := NewApp(t, "main_flask")
	a.env = []string{"WARPDRIVE_PIP_INDEX_ENV=0"} // no PIP_INDEX_URL: only the binding names the index
	binding := writeBinding(t, "pip", map[string]string{"index-url": index.URL + "\n"})
	mount := binding + ":/platform/bindings/private-index"

	log := a.MustBuild("--volume", mount)
	assertContains(t, "build log", log, "pip: a private index from the binding private-index (PIP_INDEX_URL), for pip only",
		"Python packages: Contributing to layer")
	if index.authorized.Load() == 0 {
		t.Fatalf("pip never asked the private index (refused %d)", index.refused.Load())
	}
	t.Logf("private index: %d authorized requests, %d refused", index.authorized.Load(), index.refused.Load())
	assertNotContains(t, "build log", log, token)

	c := a.Run(8080)
	_, body := c.GetOK("/")
	assertContains(t, "page", body, "Hello from main.py")
	assertSecretNotInImage(t, a.Image, token)
	assertSecretNotInVolumes(t, a.Image, token, a.cache+".build", a.cache+".launch")

	// A rotated token changes no layer's inputs.
	rotated := writeBinding(t, "pip", map[string]string{"index-url": strings.Replace(index.URL, token, "another-token", 1)})
	log = a.MustBuild("--volume", rotated+":/platform/bindings/private-index")
	assertContains(t, "rebuild log", log, reusing("Python packages"))

	t.Run("an unusable binding", func(t *testing.T) {
		a := a.In(t)
		bad := writeBinding(t, "pip", map[string]string{"token": token})
		log, err := a.Build("--volume", bad+":/platform/bindings/private-index")
		if err == nil {
			t.Fatalf("the build passed:\n%s", log)
		}
		assertContains(t, "build log", log, "[Error: Unusable pip binding]", `the pip binding "private-index": it has none of the keys warpdrive reads`)
		assertNotContains(t, "build log", log, token)
	})
}

// assertSecretNotInImage searches every file of `docker save IMAGE`: each
// layer's contents (decompressed when gzipped), the image config with its
// labels (the lifecycle's layer metadata) and the manifest.
func assertSecretNotInImage(t *testing.T, image, secret string) {
	t.Helper()
	cmd := exec.Command("docker", "save", image)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	files := 0
	archive := tar.NewReader(bufio.NewReader(out))
	for {
		h, err := archive.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reading docker save: %v", err)
		}
		files++
		found, inner, err := tarContains(archive, secret)
		if err != nil {
			t.Fatalf("%s: %v", h.Name, err)
		}
		if found != "" {
			t.Errorf("the secret is in the image: %s %s", h.Name, inner)
		}
	}
	if files < 5 {
		t.Errorf("docker save gave %d files", files)
	}
}

// tarContains reports where secret occurs in r: r itself, or, when r is a
// (gzipped) tar, the member that holds it.
func tarContains(r io.Reader, secret string) (string, string, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return "", "", err
	}
	if len(data) > 2 && data[0] == 0x1f && data[1] == 0x8b {
		z, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return "", "", err
		}
		if data, err = io.ReadAll(z); err != nil {
			return "", "", err
		}
	}
	if !bytes.Contains(data, []byte(secret)) {
		return "", "", nil
	}
	// Name the member of a layer tar.
	members := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := members.Next()
		if err != nil {
			return "found", "", nil
		}
		if b, _ := io.ReadAll(members); bytes.Contains(b, []byte(secret)) {
			return "found", "(" + h.Name + ")", nil
		}
	}
}

// assertSecretNotInVolumes greps the build's cache volumes.
func assertSecretNotInVolumes(t *testing.T, image, secret string, volumes ...string) {
	t.Helper()
	args := []string{"run", "--rm", "--user", "0", "--entrypoint", "grep"}
	for i, v := range volumes {
		args = append(args, "-v", v+":/cache/"+string(rune('a'+i))+":ro")
	}
	args = append(args, image, "-r", "-l", "-a", secret, "/cache")
	out, err := exec.Command("docker", args...).CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		t.Errorf("the secret is in the cache:\n%s", out)
	case errors.As(err, &exit) && exit.ExitCode() == 1: // grep found nothing
	default:
		t.Errorf("grep of the cache volumes: %v\n%s", err, out)
	}
}
