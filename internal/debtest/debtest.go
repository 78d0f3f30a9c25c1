// Package debtest serves a fake Debian archive for tests: one suite,
// "stable", whose InRelease is signed with a key of the test's own, listing
// packages built as real .deb files.
package debtest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"github.com/ulikunitz/xz"
)

// Package is one package of the archive; a file whose content starts with
// "->" is a symbolic link to the rest.
type Package struct {
	Name, Version, Depends string
	Files                  map[string]string
}

// Server is the archive, at URL, signed by the key in the Keyring file.
// Files are what it serves, by path: a test may change or remove them.
type Server struct {
	URL, Keyring string
	Files        map[string][]byte
	Client       *http.Client
}

// New starts the archive for the test (stopped when it ends).
func New(t testing.TB, pkgs ...Package) *Server {
	t.Helper()
	entity, err := openpgp.NewEntity("test archive", "", "archive@example.com", nil)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Keyring: filepath.Join(t.TempDir(), "keyring.gpg"), Files: map[string][]byte{}}
	var keyring bytes.Buffer
	if err := entity.Serialize(&keyring); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.Keyring, keyring.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var list strings.Builder
	for _, p := range pkgs {
		deb := Deb(p.Files)
		path := fmt.Sprintf("pool/main/%s_%s_amd64.deb", p.Name, p.Version)
		s.Files["/"+path] = deb
		fmt.Fprintf(&list, "Package: %s\nVersion: %s\nArchitecture: amd64\n", p.Name, p.Version)
		if p.Depends != "" {
			fmt.Fprintf(&list, "Depends: %s\n", p.Depends)
		}
		fmt.Fprintf(&list, "Filename: %s\nSHA256: %s\n\n", path, SHA256(deb))
	}
	var compressed bytes.Buffer
	xw, err := xz.NewWriter(&compressed)
	if err != nil {
		t.Fatal(err)
	}
	xw.Write([]byte(list.String()))
	xw.Close()
	release := fmt.Sprintf("Origin: Test\nSuite: stable\nSHA256:\n %s %d main/binary-amd64/Packages.xz\n", SHA256(compressed.Bytes()), compressed.Len())
	var signed bytes.Buffer
	w, err := clearsign.Encode(&signed, entity.PrivateKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(release))
	w.Close()
	s.Files["/dists/stable/InRelease"] = signed.Bytes()
	s.Files["/dists/stable/main/binary-amd64/Packages.xz"] = compressed.Bytes()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b, ok := s.Files[r.URL.Path]; ok && b != nil {
			w.Write(b)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	s.URL, s.Client = srv.URL, srv.Client()
	return s
}

// Deb is a .deb: an ar archive of debian-binary, control.tar.gz and
// data.tar.gz holding files.
func Deb(files map[string]string) []byte {
	var ar bytes.Buffer
	ar.WriteString("!<arch>\n")
	member := func(name string, body []byte) {
		fmt.Fprintf(&ar, "%-16s%-12d%-6d%-6d%-8s%-10d`\n", name, 0, 0, 0, "100644", len(body))
		ar.Write(body)
		if len(body)%2 == 1 {
			ar.WriteByte('\n')
		}
	}
	member("debian-binary", []byte("2.0\n"))
	member("control.tar.gz", tarGz(map[string]string{"./control": "Package: x\nVersion: 1\nArchitecture: amd64\n"}))
	member("data.tar.gz", tarGz(files))
	return ar.Bytes()
}

func tarGz(entries map[string]string) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	names := make([]string, 0, len(entries))
	for name := range entries {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		content := entries[name]
		if target, ok := strings.CutPrefix(content, "->"); ok {
			tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeSymlink, Linkname: target, Mode: 0o777})
			continue
		}
		tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Size: int64(len(content)), Mode: 0o755})
		tw.Write([]byte(content))
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

// SHA256 is b's digest, in hex.
func SHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
