package debpackages

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"pault.ag/go/debian/deb"
)

// Install downloads each package, checks it against the archive's sha256,
// and unpacks its files into dir (./usr/bin/jq is dir/usr/bin/jq), without
// running its maintainer scripts, as Heroku's buildpacks do: what they do
// (register alternatives, start services) has no place in an image layer.
// Absolute symbolic links to files the layer holds are made to point into
// the layer, and pkg-config files to name the layer as their prefix.
func (a Archive) Install(packages []Package, dir string) error {
	for _, p := range packages {
		body, err := a.get(p.URL)
		if err != nil {
			return err
		}
		if got := sha256Hex(body); got != p.SHA256 {
			return FetchError{URL: p.URL, Err: fmt.Errorf("its sha256 is %s, the archive's package list says %s", got, p.SHA256)}
		}
		if err := unpack(bytes.NewReader(body), p.URL, dir); err != nil {
			return fmt.Errorf("unable to unpack %s %s\n%w", p.Name, p.Version, err)
		}
	}
	return relocate(dir)
}

func unpack(r io.ReaderAt, name, dir string) error {
	d, err := deb.Load(r, name)
	if err != nil {
		return err
	}
	defer d.Close()
	for {
		h, err := d.Data.Next()
		if errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		if err := extract(d.Data, h, dir); err != nil {
			return err
		}
	}
}

// extract writes one entry of a package's data.tar below dir, refusing any
// that would land outside it.
func extract(r io.Reader, h *tar.Header, dir string) error {
	rel := filepath.Clean(strings.TrimPrefix(h.Name, "./"))
	if rel == "." {
		return nil
	}
	if rel == ".." || strings.HasPrefix(rel, "../") || filepath.IsAbs(rel) {
		return fmt.Errorf("the package has a file outside its root: %s", h.Name)
	}
	path := filepath.Join(dir, rel)
	switch h.Typeflag {
	case tar.TypeDir:
		return os.MkdirAll(path, 0o755)
	case tar.TypeSymlink:
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		os.Remove(path)
		return os.Symlink(h.Linkname, path)
	case tar.TypeLink:
		target := filepath.Join(dir, filepath.Clean(strings.TrimPrefix(h.Linkname, "./")))
		os.Remove(path)
		return os.Link(target, path)
	case tar.TypeReg:
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, os.FileMode(h.Mode)&0o755|0o644)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, r); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	return nil
}

// relocate points absolute symbolic links whose target the layer holds
// into the layer (libfoo.so -> /usr/lib/x86_64-linux-gnu/libfoo.so.1), and
// rewrites pkg-config files' /usr prefix to the layer's.
func relocate(dir string) error {
	return filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		switch {
		case info.Mode()&os.ModeSymlink != 0:
			target, err := os.Readlink(path)
			if err != nil || !filepath.IsAbs(target) || strings.HasPrefix(target, dir) {
				return err
			}
			if _, err := os.Lstat(filepath.Join(dir, target)); err != nil {
				return nil // a file of the run image's own
			}
			os.Remove(path)
			return os.Symlink(filepath.Join(dir, target), path)
		case info.Mode().IsRegular() && strings.HasSuffix(path, ".pc"):
			return relocatePkgConfig(path, dir)
		}
		return nil
	})
}

func relocatePkgConfig(path, dir string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	lines := strings.Split(string(src), "\n")
	for i, line := range lines {
		if v, ok := strings.CutPrefix(line, "prefix="); ok && strings.HasPrefix(v, "/usr") {
			lines[i] = "prefix=" + filepath.Join(dir, v)
		}
	}
	return os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644)
}
