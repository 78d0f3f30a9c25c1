package launch

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// cgroupDirs are the cgroup directories this process's limits are read
// from, each list the process's own cgroup first, then its ancestors up to
// the cgroup file system's mount point: a limit set on a parent (a
// Kubernetes pod's, a systemd slice's) holds for the process too.
type cgroupDirs struct {
	v2                  []string // the unified hierarchy
	cpu, cpuset, memory []string // cgroup v1, one hierarchy per controller
}

// findCgroups locates this process's cgroups as the kernel describes them
// (as Go's runtime and automaxprocs do): procCgroup (/proc/self/cgroup)
// names the process's cgroup in each hierarchy, mountinfo
// (/proc/self/mountinfo) where each hierarchy is mounted and which of its
// directories the mount shows. So the limits are the container's own with
// `docker run --cgroupns=host` (where /sys/fs/cgroup is the host's whole
// hierarchy) and under cgroup v1. When either file cannot be read, the
// layout a private cgroup namespace gives, under fallback (/sys/fs/cgroup),
// is assumed.
func findCgroups(procCgroup, mountinfo, fallback string) cgroupDirs {
	paths, err1 := readProcCgroup(procCgroup)
	mounts, err2 := readCgroupMounts(mountinfo)
	if err1 != nil || err2 != nil || len(mounts) == 0 {
		return cgroupDirs{
			v2:     []string{fallback},
			cpu:    []string{filepath.Join(fallback, "cpu"), filepath.Join(fallback, "cpu,cpuacct")},
			cpuset: []string{filepath.Join(fallback, "cpuset")},
			memory: []string{filepath.Join(fallback, "memory")},
		}
	}
	cpuset := locate(mounts, paths, "cpuset")
	if len(cpuset) > 1 {
		// The effective set already is what the ancestors allow.
		cpuset = cpuset[:1]
	}
	return cgroupDirs{
		v2:     locate(mounts, paths, ""),
		cpu:    locate(mounts, paths, "cpu"),
		cpuset: cpuset,
		memory: locate(mounts, paths, "memory"),
	}
}

// cgroupMount is a mounted cgroup hierarchy: v2 (controller ""), or v1 with
// its controllers.
type cgroupMount struct {
	root, point string
	controllers []string // nil for cgroup v2
}

// locate returns the directory of the process's cgroup for controller (""
// for cgroup v2) and its ancestors up to the mount point, or nil.
func locate(mounts []cgroupMount, paths map[string]string, controller string) []string {
	path, ok := paths[controller]
	if !ok {
		return nil
	}
	for _, m := range mounts {
		if (controller == "") != (m.controllers == nil) || (controller != "" && !slices.Contains(m.controllers, controller)) {
			continue
		}
		// The mount shows the hierarchy from m.root down; the process's
		// cgroup is below it, unless a cgroup namespace made both "/".
		rel, err := filepath.Rel(m.root, path)
		if err != nil || !filepath.IsLocal(rel) {
			rel = "."
		}
		var dirs []string // leaf first
		for dir := rel; dir != "."; dir = filepath.Dir(dir) {
			dirs = append(dirs, filepath.Join(m.point, dir))
		}
		return append(dirs, m.point)
	}
	return nil
}

// readProcCgroup reads /proc/self/cgroup's `ID:controllers:path` lines
// into each controller's path; "" is cgroup v2's (`0::/path`).
func readProcCgroup(file string) (map[string]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	paths := map[string]string{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.SplitN(s.Text(), ":", 3)
		if len(fields) != 3 {
			continue
		}
		if fields[0] == "0" && fields[1] == "" {
			paths[""] = fields[2]
			continue
		}
		for _, c := range strings.Split(fields[1], ",") {
			if c != "" {
				paths[c] = fields[2]
			}
		}
	}
	return paths, s.Err()
}

// readCgroupMounts reads the cgroup and cgroup2 mounts of mountinfo:
//
//	36 25 0:31 /docker/abc /sys/fs/cgroup/cpu rw,nosuid - cgroup cgroup rw,cpu,cpuacct
//
// the fourth field is the directory of the hierarchy the mount shows, the
// fifth where, and after the optional fields and "-", the file system type
// and (for v1) the controllers among the super options.
func readCgroupMounts(file string) ([]cgroupMount, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var mounts []cgroupMount
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		sep := slices.Index(fields, "-")
		if sep < 6 || len(fields) < sep+4 {
			continue
		}
		m := cgroupMount{root: unescapeMountField(fields[3]), point: unescapeMountField(fields[4])}
		switch fields[sep+1] {
		case "cgroup2":
		case "cgroup":
			for _, opt := range strings.Split(fields[sep+3], ",") {
				if opt != "rw" && opt != "ro" && !strings.Contains(opt, "=") {
					m.controllers = append(m.controllers, opt)
				}
			}
			if m.controllers == nil {
				continue // a named hierarchy (name=systemd) limits nothing
			}
		default:
			continue
		}
		mounts = append(mounts, m)
	}
	return mounts, s.Err()
}

// unescapeMountField undoes mountinfo's octal escapes (`\040` for a space).
func unescapeMountField(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
