package debpackages

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/warpdrive-buildpack/warpdrive/internal/debtest"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReadRequests(t *testing.T) {
	tests := []struct {
		name, aptfile, project string
		want                   []Request
		wantErr                string
	}{
		{"an Aptfile with comments", "# tools\njq\n\nlibpango-1.0-0  # for WeasyPrint\nffmpeg poppler-utils\n", "",
			[]Request{{Name: "jq", Source: "Aptfile line 2"}, {Name: "libpango-1.0-0", Source: "Aptfile line 4"},
				{Name: "ffmpeg", Source: "Aptfile line 5"}, {Name: "poppler-utils", Source: "Aptfile line 5"}}, ""},
		{"project.toml after the Aptfile, a repeat once", "jq\n",
			"[_]\nschema-version = \"0.2\"\n[com.heroku.buildpacks.deb-packages]\ninstall = [\"jq\", { name = \"libgwenhywfar79\", skip_dependencies = true, force = true }]\n",
			[]Request{{Name: "jq", Source: "Aptfile line 1"},
				{Name: "libgwenhywfar79", SkipDependencies: true, Force: true, Source: "project.toml [com.heroku.buildpacks.deb-packages] install[1]"}}, ""},
		{"nothing asked", "", "[_]\nschema-version = \"0.2\"\n", nil, ""},
		{"a .deb URL", "https://example.com/x.deb\n", "", nil, `Aptfile line 1: "https://example.com/x.deb" is a .deb file or URL`},
		{"a :repo: line", ":repo:deb http://example.com stable main\n", "", nil, `adds an apt repository`},
		{"not a package name", "LibFoo\n", "", nil, `"LibFoo" is not a Debian package name`},
		{"an unknown setting", "", "[com.heroku.buildpacks.deb-packages]\ninstall = [{ name = \"jq\", env = { A = \"1\" } }]\n", nil, `"env" is not a setting warpdrive knows`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.aptfile != "" {
				write(t, filepath.Join(dir, "Aptfile"), tt.aptfile)
			}
			if tt.project != "" {
				write(t, filepath.Join(dir, "project.toml"), tt.project)
			}
			got, err := ReadRequests(dir)
			if tt.wantErr != "" {
				var re RequestError
				if !errors.As(err, &re) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want a RequestError saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, %v\nwant %+v", got, err, tt.want)
			}
		})
	}
}

// index makes an Index from "name version <- depends ; provides" lines.
func index(lines ...string) Index {
	idx := Index{Packages: map[string]Package{}, Providers: map[string][]string{}}
	for _, l := range lines {
		l, provides, _ := strings.Cut(l, ";")
		l, depends, _ := strings.Cut(l, "<-")
		nv := strings.Fields(l)
		idx.add(Package{Name: nv[0], Version: nv[1], Depends: strings.TrimSpace(depends), Provides: strings.TrimSpace(provides)})
	}
	return idx
}

func TestResolve(t *testing.T) {
	idx := index(
		"jq 1.6-2.1 <- libjq1 (= 1.6-2.1), libc6 (>= 2.34)",
		"libjq1 1.6-2.1 <- libonig5 (>= 6.1.3), libc6",
		"libonig5 6.9.8-1 <- libc6",
		"libc6 2.36-9",
		"weasy 1 <- libpango-1.0-0, fonts-dejavu-core | ttf-font",
		"libpango-1.0-0 1.50 <- libfontconfig1",
		"libfontconfig1 2.14 <- fontconfig-config",
		"fontconfig-config 2.14 <- fonts-dejavu-core | ttf-font",
		"fonts-dejavu-core 2.37 ; ttf-font",
		"fonts-liberation 1.07 ; ttf-font",
		"mta-user 1 <- mail-transport-agent",
		"exim4 4.96 ; mail-transport-agent",
	)
	installed := Installed{Packages: map[string]string{"libc6": "2.36-9", "libfontconfig1": "2.14"}, Providers: map[string]bool{}}
	names := func(ps []Package) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Name+"="+p.Version)
		}
		return out
	}
	tests := []struct {
		name     string
		requests []Request
		want     []string
		skipped  []string
	}{
		{"dependencies the run image lacks", []Request{{Name: "jq"}}, []string{"jq=1.6-2.1", "libjq1=1.6-2.1", "libonig5=6.9.8-1"}, nil},
		{"skip_dependencies", []Request{{Name: "jq", SkipDependencies: true}}, []string{"jq=1.6-2.1"}, nil},
		{"a requested package the run image has", []Request{{Name: "libc6"}}, nil, []string{"libc6"}},
		{"forced", []Request{{Name: "libc6", Force: true}}, []string{"libc6=2.36-9"}, nil},
		// libfontconfig1 is installed, so its fontconfig-config is not
		// followed; the virtual ttf-font is satisfied by fonts-dejavu-core,
		// already chosen.
		{"installed and virtual", []Request{{Name: "weasy"}}, []string{"fonts-dejavu-core=2.37", "libpango-1.0-0=1.50", "weasy=1"}, nil},
		{"a virtual package's provider", []Request{{Name: "mta-user"}}, []string{"exim4=4.96", "mta-user=1"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, skipped, err := Resolve(tt.requests, idx, installed, []string{"bookworm"})
			if err != nil || !reflect.DeepEqual(names(got), tt.want) || !reflect.DeepEqual(skipped, tt.skipped) {
				t.Errorf("got %v skipped %v (%v), want %v skipped %v", names(got), skipped, err, tt.want, tt.skipped)
			}
		})
	}
	_, _, err := Resolve([]Request{{Name: "pango", Source: "Aptfile line 1"}}, idx, installed, []string{"bookworm"})
	var ue UnknownPackageError
	if !errors.As(err, &ue) || !reflect.DeepEqual(ue.Similar, []string{"libpango-1.0-0"}) {
		t.Errorf("err = %#v, want an UnknownPackageError suggesting libpango-1.0-0", err)
	}
}

func TestNewerVersionsWinAcrossSuites(t *testing.T) {
	idx := index("jq 1.6-2.1+deb12u1", "jq 1.6-2.1", "jq 1.6-2.1+deb12u3", "jq 1:0.9")
	if got := idx.Packages["jq"].Version; got != "1:0.9" {
		t.Errorf("jq = %s, want 1:0.9 (the epoch wins)", got)
	}
}

func TestReadInstalled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "status")
	write(t, path, "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9\nProvides: libc6-abi\nDescription: GNU C Library\n continued line\n\n"+
		"Package: gone\nStatus: deinstall ok config-files\nVersion: 1\n\nPackage: mawk\nStatus: install ok installed\nVersion: 1.3.4\nProvides: awk\n")
	in, err := ReadInstalled(path)
	if err != nil {
		t.Fatal(err)
	}
	if !in.has("libc6") || !in.has("awk") || !in.has("libc6-abi") || in.has("gone") {
		t.Errorf("installed = %+v", in)
	}
}

// A fake archive: one suite, signed with a key of the test's own, serving a
// package list and one package; Release, Read and Install against it.
func TestArchiveVerifiesAndInstalls(t *testing.T) {
	dir := t.TempDir()
	srv := debtest.New(t, debtest.Package{Name: "tool", Version: "1.0-1", Depends: "libc6", Files: map[string]string{
		"./usr/bin/tool": "#!/bin/sh\necho tool\n",
		"./usr/lib/x86_64-linux-gnu/libtool.so.1":      "ELF",
		"./usr/lib/x86_64-linux-gnu/libtool.so":        "->/usr/lib/x86_64-linux-gnu/libtool.so.1",
		"./usr/lib/x86_64-linux-gnu/libc.so.6":         "->/lib/x86_64-linux-gnu/libc.so.6",
		"./usr/lib/x86_64-linux-gnu/pkgconfig/tool.pc": "prefix=/usr\nlibdir=${prefix}/lib\n",
	}})
	files := srv.Files
	files["/dists/tampered/InRelease"] = bytes.Replace(files["/dists/stable/InRelease"], []byte("Origin: Test"), []byte("Origin: Evil"), 1)
	a := Archive{Suites: []Suite{{srv.URL, "stable"}}, Arch: "amd64", Keyring: srv.Keyring, Cache: filepath.Join(dir, "cache"), Client: srv.Client}
	rel, err := a.Release()
	if err != nil {
		t.Fatal(err)
	}
	idx, err := a.Read(rel)
	if err != nil {
		t.Fatal(err)
	}
	if p := idx.Packages["tool"]; p.Version != "1.0-1" || p.URL != srv.URL+"/pool/main/tool_1.0-1_amd64.deb" || p.Depends != "libc6" {
		t.Fatalf("index: %+v", idx.Packages)
	}
	root := filepath.Join(dir, "layer")
	if err := a.Install([]Package{idx.Packages["tool"]}, root); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "usr/bin/tool")); string(b) != "#!/bin/sh\necho tool\n" {
		t.Errorf("usr/bin/tool = %q", b)
	}
	if target, _ := os.Readlink(filepath.Join(root, "usr/lib/x86_64-linux-gnu/libtool.so")); target != filepath.Join(root, "usr/lib/x86_64-linux-gnu/libtool.so.1") {
		t.Errorf("libtool.so -> %s, want the layer's libtool.so.1", target)
	}
	if target, _ := os.Readlink(filepath.Join(root, "usr/lib/x86_64-linux-gnu/libc.so.6")); target != "/lib/x86_64-linux-gnu/libc.so.6" {
		t.Errorf("libc.so.6 -> %s, want the run image's", target)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "usr/lib/x86_64-linux-gnu/pkgconfig/tool.pc")); !strings.HasPrefix(string(b), "prefix="+root+"/usr\n") {
		t.Errorf("tool.pc = %q, want the layer as its prefix", b)
	}
	// The package list was cached by its digest: a second read needs no server.
	files["/dists/stable/main/binary-amd64/Packages.xz"] = nil
	if _, err := a.Read(rel); err != nil {
		t.Errorf("reading again from the cache: %v", err)
	}

	// A release file changed after signing, a package that is not what the
	// list says, and a missing suite are errors naming the URL.
	tampered := a
	tampered.Suites = []Suite{{srv.URL, "tampered"}}
	bad := idx.Packages["tool"]
	bad.SHA256 = strings.Repeat("0", 64)
	missing := a
	missing.Suites = []Suite{{srv.URL, "nosuch"}}
	for name, err := range map[string]error{
		"tampered": func() error { _, err := tampered.Release(); return err }(),
		"checksum": a.Install([]Package{bad}, filepath.Join(dir, "other")),
		"missing":  func() error { _, err := missing.Release(); return err }(),
	} {
		var fe FetchError
		if !errors.As(err, &fe) || !strings.HasPrefix(fe.URL, srv.URL) {
			t.Errorf("%s: err = %v, want a FetchError naming the URL", name, err)
		}
	}
}
