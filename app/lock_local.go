package app

import (
	"os"
)

// LocalSource is a file or directory on this machine that a lock installs
// a package from, with a digest of its content.
type LocalSource struct {
	// Package is the pin's name; Path is Pin.Ref, relative to the
	// application directory unless absolute.
	Package, Path string
	// Digest is the TreeHash of a directory (.git and __pycache__ left
	// out), the sha256 of a file, or "<missing>".
	Digest string
}

// LockLocalSources are the lock's pins from local paths (uv workspace
// members and path, directory or editable sources, Poetry path
// dependencies, Pipfile path entries, pylock.toml directories and
// archives), each with a digest of what it holds now. pip builds and copies
// each into the venv (warpdrive installs none of them editable), so an edit
// to one must rebuild the venv, or the image would run the old copy.
func LockLocalSources(home string, lock Lock) ([]LocalSource, error) {
	var out []LocalSource
	for _, pin := range lock.Pins {
		if pin.Source != SourcePath {
			continue
		}
		digest, err := localSourceDigest(inDir(home, pin.Ref))
		if err != nil {
			return nil, err
		}
		out = append(out, LocalSource{Package: pin.Name, Path: pin.Ref, Digest: digest})
	}
	return out, nil
}

// localSourceDigest is pathDigest, leaving a directory's .git out: a
// member's history is not what pip builds.
func localSourceDigest(path string) (string, error) {
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return TreeHash(path, ".git")
	}
	return pathDigest(path)
}
