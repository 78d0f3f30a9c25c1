package app

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// alwaysSkipped are directories TreeHash never reads. Python writes bytecode
// caches next to the sources it imports or compiles, also while building
// (pip compiling a local package, Django's collectstatic importing the app),
// and a .pyc embeds its source's mtime: hashing them would make the same
// sources hash differently before and after a build, and across checkouts.
var alwaysSkipped = []string{"__pycache__"}

// TreeHash is a content hash of the tree under root: every entry's path
// relative to root, a regular file's permission bits and contents, a
// symlink's target (not followed, so a link to something outside root counts
// as its text only). Directories whose name is in skip, or is __pycache__,
// are skipped wherever they are; empty directories do not count. It decides
// whether work derived from the files can be reused, so every error is
// returned rather than hashed around. A root that is a symlink is resolved.
func TreeHash(root string, skip ...string) (string, error) {
	return walkTree(root, skip, describeEntry)
}

// TreeNames is a hash of the names in the tree under root (each entry's path
// and kind, not its content), skipping as TreeHash does: what changes when
// a file is added, removed or renamed, and not when one is edited. Python's
// imports depend on it (a new module can shadow another).
func TreeNames(root string, skip ...string) (string, error) {
	return walkTree(root, skip, func(_ fs.FS, _ string, d fs.DirEntry) (string, error) {
		return d.Type().String(), nil
	})
}

// walkTree hashes the tree under root (resolved if a symlink), each entry
// as describe says, skipping the directories named in skip and __pycache__.
func walkTree(root string, skip []string, describe func(fs.FS, string, fs.DirEntry) (string, error)) (string, error) {
	resolved, err := filepath.EvalSymlinks(root)
	if err != nil {
		// EvalSymlinks names only the part of the path that failed.
		return "", fmt.Errorf("unable to hash %s\n%w", root, err)
	}
	skipped := map[string]bool{}
	for _, names := range [][]string{skip, alwaysSkipped} {
		for _, name := range names {
			skipped[name] = true
		}
	}
	sum, err := hashTree(os.DirFS(resolved), skipped, describe)
	if err != nil {
		return "", fmt.Errorf("unable to hash %s\n%w", root, err)
	}
	return sum, nil
}

// hashTree is TreeHash over any file system, so tests can make reads fail.
// fs.WalkDir visits entries in lexical order, so the hash is deterministic.
func hashTree(fsys fs.FS, skipped map[string]bool, describe func(fs.FS, string, fs.DirEntry) (string, error)) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && skipped[d.Name()] {
				return fs.SkipDir
			}
			return nil
		}
		entry, err := describe(fsys, path, d)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(h, "%s\x00%s\n", path, entry)
		return err
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// describeEntry is what the tree hash records for one non-directory entry.
func describeEntry(fsys fs.FS, path string, d fs.DirEntry) (string, error) {
	switch {
	case d.Type().IsRegular():
		info, err := d.Info()
		if err != nil {
			return "", err
		}
		sum, err := fsDigest(fsys, path)
		if err != nil {
			return "", err
		}
		// The permission bits count: a build copies or installs an
		// executable script differently from a plain file.
		return fmt.Sprintf("file %o %s", info.Mode().Perm(), sum), nil
	case d.Type()&fs.ModeSymlink != 0:
		target, err := fs.ReadLink(fsys, path)
		if err != nil {
			return "", err
		}
		return "symlink " + target, nil
	default:
		// FIFOs, sockets and devices count by their presence only: reading a
		// FIFO would block.
		return "special " + d.Type().String(), nil
	}
}

// fsDigest streams one file into a sha256, hex encoded.
func fsDigest(fsys fs.FS, path string) (string, error) {
	f, err := fsys.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return readerDigest(f, path)
}

// FileDigest is the hex SHA-256 of a file's contents, streamed.
func FileDigest(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return readerDigest(f, path)
}

func readerDigest(r io.Reader, name string) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", fmt.Errorf("unable to read %s\n%w", name, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Digest is a sha256 of text, hex encoded.
func Digest(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}
