package reuse

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/buildpacks/libcnb/v2"
	"github.com/klauspost/compress/zstd"
	"github.com/paketo-buildpacks/libpak/v2/log"
	"golang.org/x/sync/errgroup"
)

// SnapshotsLayer is the cache-only layer that holds a compressed archive of
// each launch layer warpdrive builds (CPython, the venv, mod_wsgi).
//
// Why: a layer that is both cached and launched costs every rebuild twice,
// even when nothing changed: the restorer unpacks it before the build and
// the exporter tars and hashes it again after. Launch-only layers whose
// inputs are unchanged cost nothing: the lifecycle reuses the previous
// image's layer from its metadata alone. So those layers are launch-only,
// and the few builds that need their files (a requirement changed, Django's
// settings changed) unpack them from this layer, which is one compressed
// file per layer and cheap to restore and re-hash.
const SnapshotsLayer = "snapshots"

// snapshotFormat names the archive format; a change invalidates every snapshot.
const snapshotFormat = "tar.zst-1"

// Snapshots is the snapshots layer's directory.
type Snapshots struct {
	Dir string
}

// SnapshotsKey is exactly what empties the snapshots layer.
type SnapshotsKey struct {
	// Format is the archives' format (see snapshotFormat): another one
	// cannot be read.
	Format string
	// Target: the layers archived are built for one OS, architecture and
	// distribution, and are of no use to another.
	Target string
}

// Metadata is the key as layer metadata, one entry per field.
func (k SnapshotsKey) Metadata() Metadata { return Metadata{"format": k.Format, "target": k.Target} }

// ContributeSnapshots returns the snapshots layer, emptied when the target changed.
func ContributeSnapshots(layers *libcnb.Layers, target string, logger log.Logger) (libcnb.Layer, Snapshots, error) {
	layer, err := Contribute(layers, logger, Cached{
		Name:     SnapshotsLayer,
		Title:    "Layer snapshots",
		Metadata: SnapshotsKey{Format: snapshotFormat, Target: target}.Metadata(),
		Types:    libcnb.LayerTypes{Cache: true},
	}, func(layer *libcnb.Layer) error { return os.MkdirAll(layer.Path, 0o755) })
	if err != nil {
		return libcnb.Layer{}, Snapshots{}, err
	}
	return layer, Snapshots{Dir: layer.Path}, nil
}

// Key identifies a layer's content: its metadata, as sorted name=value lines.
func (md Metadata) Key() string {
	h := sha256.New()
	for _, k := range slices.Sorted(maps.Keys(md)) {
		fmt.Fprintf(h, "%s=%s\n", k, md[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (s Snapshots) archive(name string) string { return filepath.Join(s.Dir, name+".tar.zst") }
func (s Snapshots) keyFile(name string) string { return filepath.Join(s.Dir, name+".key") }

// Has reports whether the snapshot of layer name was taken with this key.
func (s Snapshots) Has(name, key string) bool {
	if s.Dir == "" {
		return false
	}
	stored, err := os.ReadFile(s.keyFile(name))
	if err != nil || strings.TrimSpace(string(stored)) != key {
		return false
	}
	_, err = os.Stat(s.archive(name))
	return err == nil
}

// Remove forgets layer name's snapshot.
func (s Snapshots) Remove(name string) {
	os.Remove(s.keyFile(name))
	os.Remove(s.archive(name))
}

// Save archives dir as layer name's snapshot, with key. The key is written
// last, so a build that dies half-way leaves no snapshot that looks valid.
func (s Snapshots) Save(name, key, dir string) error {
	s.Remove(name)
	tmp, err := os.CreateTemp(s.Dir, name+".*.partial")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	enc, err := zstd.NewWriter(tmp, zstd.WithEncoderLevel(zstd.SpeedFastest))
	if err != nil {
		tmp.Close()
		return err
	}
	if err := writeTar(enc, dir); err != nil {
		enc.Close()
		tmp.Close()
		return fmt.Errorf("unable to archive %s\n%w", dir, err)
	}
	if err := enc.Close(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), s.archive(name)); err != nil {
		return err
	}
	return os.WriteFile(s.keyFile(name), []byte(key+"\n"), 0o644)
}

// Restore unpacks layer name's snapshot into dir. A snapshot that cannot be
// read (truncated, corrupt) is a CorruptSnapshotError: the caller builds the
// layer again instead.
func (s Snapshots) Restore(name, dir string) error {
	f, err := os.Open(s.archive(name))
	if err != nil {
		return err
	}
	defer f.Close()
	// The window is bounded so that a corrupt frame header cannot ask for
	// more memory than the encoder ever uses (SpeedFastest: 4 MiB).
	dec, err := zstd.NewReader(f, zstd.WithDecoderMaxWindow(maxSnapshotWindow))
	if err != nil {
		return err
	}
	defer dec.Close()
	if err := readTar(dec, dir); err != nil {
		var corrupt CorruptSnapshotError
		if errors.As(err, &corrupt) {
			corrupt.Name = name
			return corrupt
		}
		return SnapshotRestoreError{Name: name, Dir: dir, Err: err}
	}
	return nil
}

// SnapshotRestoreError says a readable snapshot could not be unpacked: the
// files could not be written (a full disk, a read-only layers directory).
type SnapshotRestoreError struct {
	Name, Dir string
	Err       error
}

func (e SnapshotRestoreError) Error() string {
	return fmt.Sprintf("unable to unpack the snapshot of %s into %s: %s", e.Name, e.Dir, e.Err)
}

func (e SnapshotRestoreError) Unwrap() error { return e.Err }

// maxSnapshotWindow is the largest zstd window a snapshot may use.
const maxSnapshotWindow = 64 << 20

// CorruptSnapshotError says a snapshot in the cache cannot be read: the
// archive is truncated or damaged (a full disk when it was saved, a cache
// copied badly). It is a cache miss, not a failure.
type CorruptSnapshotError struct {
	Name string
	Err  error
}

func (e CorruptSnapshotError) Error() string {
	return fmt.Sprintf("the snapshot of %s in the cache cannot be read: %s", e.Name, e.Err)
}

func (e CorruptSnapshotError) Unwrap() error { return e.Err }

// Size is the snapshot's size in bytes (0 when absent).
func (s Snapshots) Size(name string) int64 {
	fi, err := os.Stat(s.archive(name))
	if err != nil {
		return 0
	}
	return fi.Size()
}

// writeTar writes the tree under dir: directories, regular files and
// symlinks, with their modes and modification times (a .pyc records its
// source's mtime), in lexical order.
func writeTar(w io.Writer, dir string) error {
	tw := tar.NewWriter(w)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil || rel == "." {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		link := ""
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			if link, err = os.Readlink(path); err != nil {
				return err
			}
		case fi.IsDir(), fi.Mode().IsRegular():
		default:
			return nil // sockets, fifos: nothing a layer needs
		}
		hdr, err := tar.FileInfoHeader(fi, link)
		if err != nil {
			return err
		}
		hdr.Name = filepath.ToSlash(rel)
		hdr.Uname, hdr.Gname = "", ""
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(tw, f)
		return err
	})
	if err != nil {
		return err
	}
	return tw.Close()
}

// readTar unpacks what writeTar wrote. Creating a file is the slow part (a
// few hundred microseconds of metadata work each, for thousands of files),
// so small files are written by a pool of workers while the archive is
// decoded in order; a larger file is copied straight from the archive into
// its file, so memory stays bounded whatever the files' sizes (a venv with
// torch holds files of hundreds of MiB). Directories are made first, and
// their modes and times set last: creating entries changes a directory's
// time, and a read-only directory could not be filled. What cannot be read
// from the archive is a CorruptSnapshotError; what cannot be written is
// returned as it is.
func readTar(r io.Reader, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// The first worker that fails cancels ctx: decoding stops, and that
	// failure is what Wait returns.
	workers, ctx := errgroup.WithContext(context.Background())
	files := make(chan smallFile, restoreQueue)
	for range restoreWorkers {
		workers.Go(func() error {
			for f := range files {
				if err := writeSmallFile(f); err != nil {
					return err
				}
			}
			return nil
		})
	}
	var dirs []*tar.Header
	var dirPaths []string
	err := func() error {
		defer close(files)
		tr := tar.NewReader(r)
		for ctx.Err() == nil {
			hdr, err := tr.Next()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return CorruptSnapshotError{Err: err}
			}
			name := filepath.FromSlash(hdr.Name)
			if !filepath.IsLocal(name) {
				return CorruptSnapshotError{Err: fmt.Errorf("the archive holds %q, outside its root", hdr.Name)}
			}
			path := filepath.Join(dir, name)
			switch hdr.Typeflag {
			case tar.TypeDir:
				if err := os.MkdirAll(path, 0o755); err != nil {
					return err
				}
				dirs, dirPaths = append(dirs, hdr), append(dirPaths, path)
			case tar.TypeSymlink:
				if err := os.Symlink(hdr.Linkname, path); err != nil {
					return err
				}
			case tar.TypeReg:
				if hdr.Size > smallFileSize {
					if err := streamFile(path, hdr, tr); err != nil {
						return err
					}
					continue
				}
				data := make([]byte, hdr.Size)
				if _, err := io.ReadFull(tr, data); err != nil {
					return CorruptSnapshotError{Err: fmt.Errorf("%s: %w", hdr.Name, err)}
				}
				select {
				case files <- smallFile{path: path, hdr: hdr, data: data}:
				case <-ctx.Done():
				}
			}
		}
		return nil
	}()
	if werr := workers.Wait(); err == nil {
		err = werr
	}
	if err != nil {
		return err
	}
	return setDirModesAndTimes(dirs, dirPaths)
}

// setDirModesAndTimes gives the directories unpacked (at paths) the
// archive's modes and times, the deepest first: a read-only parent could not
// be changed below, and setting a time before the last entry inside was
// made would not keep it.
func setDirModesAndTimes(dirs []*tar.Header, paths []string) error {
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := os.Chmod(paths[i], fs.FileMode(dirs[i].Mode).Perm()); err != nil {
			return err
		}
		if err := os.Chtimes(paths[i], dirs[i].ModTime, dirs[i].ModTime); err != nil {
			return err
		}
	}
	return nil
}

// restoreWorkers write small files in parallel: the time goes into waiting
// on the file system, not the CPU.
const restoreWorkers = 8

// smallFileSize is the largest file held in memory on its way to a worker;
// with restoreQueue files queued, at most (restoreQueue + restoreWorkers) x
// smallFileSize bytes (4.5 MiB) are in memory at once.
const (
	smallFileSize = 64 << 10
	restoreQueue  = 64
)

// smallFile is a file read whole from the archive, for a worker to write.
type smallFile struct {
	path string
	hdr  *tar.Header
	data []byte
}

func writeSmallFile(f smallFile) error {
	mode := fs.FileMode(f.hdr.Mode).Perm()
	if err := os.WriteFile(f.path, f.data, mode); err != nil {
		return err
	}
	return setModeAndTime(f.path, f.hdr)
}

// streamFile streams a file's contents from the archive into path.
func streamFile(path string, hdr *tar.Header, archive io.Reader) error {
	out, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, fs.FileMode(hdr.Mode).Perm())
	if err != nil {
		return err
	}
	n, err := io.Copy(out, archive)
	if cerr := out.Close(); err == nil && cerr != nil {
		return cerr
	}
	if err != nil {
		var pathErr *fs.PathError
		if errors.As(err, &pathErr) && pathErr.Path == path {
			return err // writing failed (a full disk): not the archive's fault
		}
		return CorruptSnapshotError{Err: fmt.Errorf("%s: %w", hdr.Name, err)}
	}
	if n != hdr.Size {
		return CorruptSnapshotError{Err: fmt.Errorf("%s: %d of %d bytes", hdr.Name, n, hdr.Size)}
	}
	return setModeAndTime(path, hdr)
}

// setModeAndTime gives a written file the archive's mode (the one it was
// created with passed through the umask) and modification time (a .pyc
// records its source's).
func setModeAndTime(path string, hdr *tar.Header) error {
	if err := os.Chmod(path, fs.FileMode(hdr.Mode).Perm()); err != nil {
		return err
	}
	return os.Chtimes(path, hdr.ModTime, hdr.ModTime)
}
