package launch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The limits are those of the process's own cgroup, found from
// /proc/self/cgroup and /proc/self/mountinfo: with `docker run
// --cgroupns=host` /sys/fs/cgroup is the host's whole hierarchy, and with
// cgroup v1 each controller is a hierarchy of its own. {root} in the fake
// files is the test's directory, where the cgroup file systems are "mounted".
func TestReadLimitsOfTheProcesssCgroup(t *testing.T) {
	const v2Mount = "30 23 0:26 / {root}/sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n"
	v1Mounts := func(root string) string {
		return "31 23 0:28 / {root}/sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n" +
			"32 31 0:29 " + root + " {root}/sys/fs/cgroup/cpu,cpuacct rw,relatime master:1 - cgroup cgroup rw,cpu,cpuacct\n" +
			"34 31 0:31 " + root + " {root}/sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n" +
			"35 31 0:32 " + root + " {root}/sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n" +
			"40 31 0:37 " + root + " {root}/sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
	}
	const v1Cgroup = "12:memory:/docker/abc\n11:cpuset:/docker/abc\n4:cpu,cpuacct:/docker/abc\n1:name=systemd:/docker/abc\n"
	tests := []struct {
		name       string
		procCgroup string
		mountinfo  string
		files      map[string]string // under {root}/sys/fs/cgroup
		cpus       float64
		cpuSource  string
		memMiB     int64
		memSource  string
	}{
		{"cgroup v2, a private namespace", "0::/\n", v2Mount,
			map[string]string{"cpu.max": "150000 100000", "memory.max": "536870912"},
			1.5, "cgroup v2 cpu.max", 512, "cgroup v2 memory.max"},
		{"cgroup v2, --cgroupns=host: the container's cgroup, not the host's root", "0::/system.slice/docker-abc.scope\n", v2Mount,
			map[string]string{"cpu.max": "max 100000", "system.slice/docker-abc.scope/cpu.max": "50000 100000",
				"system.slice/docker-abc.scope/memory.max": "268435456", "system.slice/docker-abc.scope/cpuset.cpus.effective": "0-3"},
			0.5, "cgroup v2 cpu.max", 256, "cgroup v2 memory.max"},
		{"cgroup v2, limits on a parent (a pod's)", "0::/kubepods/pod1/ctr\n", v2Mount,
			map[string]string{"kubepods/pod1/ctr/cpu.max": "max 100000", "kubepods/pod1/cpu.max": "200000 100000", "kubepods/cpu.max": "300000 100000",
				"kubepods/pod1/ctr/memory.max": "max", "kubepods/pod1/memory.max": "1073741824"},
			2, "cgroup v2 cpu.max", 1024, "cgroup v2 memory.max"},
		{"cgroup v2, the tighter of the process's and its parent's", "0::/a/b\n", v2Mount,
			map[string]string{"a/b/cpu.max": "100000 100000", "a/cpu.max": "300000 100000", "a/b/memory.max": "2147483648", "a/memory.max": "805306368"},
			1, "cgroup v2 cpu.max", 768, "cgroup v2 memory.max"},
		{"cgroup v1, --cgroupns=host", v1Cgroup, v1Mounts("/"),
			map[string]string{"cpu,cpuacct/docker/abc/cpu.cfs_quota_us": "200000", "cpu,cpuacct/docker/abc/cpu.cfs_period_us": "100000",
				"cpu,cpuacct/cpu.cfs_quota_us": "-1", "cpu,cpuacct/cpu.cfs_period_us": "100000",
				"memory/docker/abc/memory.limit_in_bytes": "402653184", "memory/memory.limit_in_bytes": "9223372036854771712"},
			2, "cgroup v1 cpu.cfs_quota_us", 384, "cgroup v1 memory.limit_in_bytes"},
		{"cgroup v1, the mount shows the container's cgroup", v1Cgroup, v1Mounts("/docker/abc"),
			map[string]string{"cpu,cpuacct/cpu.cfs_quota_us": "50000", "cpu,cpuacct/cpu.cfs_period_us": "100000",
				"cpuset/cpuset.effective_cpus": "1", "memory/memory.limit_in_bytes": "536870912"},
			0.5, "cgroup v1 cpu.cfs_quota_us", 512, "cgroup v1 memory.limit_in_bytes"},
		{"cgroup v1, a cpuset and no quota", v1Cgroup, v1Mounts("/"),
			map[string]string{"cpu,cpuacct/docker/abc/cpu.cfs_quota_us": "-1", "cpu,cpuacct/docker/abc/cpu.cfs_period_us": "100000",
				"cpuset/docker/abc/cpuset.effective_cpus": "2", "cpuset/cpuset.effective_cpus": "0-3"},
			1, "cgroup v1 cpuset.effective_cpus", 2048, "host"},
		{"v1 controllers beside an empty v2 hierarchy (hybrid)", "4:memory:/process_api/x\n1:cpu:/\n0::/\n",
			"41 31 0:38 / {root}/sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n" +
				"35 31 0:32 / {root}/sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n" +
				"32 31 0:29 / {root}/sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n",
			map[string]string{"memory/process_api/x/memory.limit_in_bytes": "1073741824", "memory/memory.limit_in_bytes": "9223372036854771712",
				"cpu/cpu.cfs_quota_us": "100000", "cpu/cpu.cfs_period_us": "100000"},
			1, "cgroup v1 cpu.cfs_quota_us", 1024, "cgroup v1 memory.limit_in_bytes"},
		{"a mount point with a space (escaped in mountinfo)", "0::/\n",
			`30 23 0:26 / {root}/sys/fs/cgroup/with\040space rw - cgroup2 cgroup2 rw` + "\n",
			map[string]string{"with space/cpu.max": "100000 100000"},
			1, "cgroup v2 cpu.max", 2048, "host"},
		{"no cgroup file system mounted", "0::/\n", "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n",
			map[string]string{"cpu.max": "100000 100000"},
			4, "host", 2048, "host"},
	}
	meminfo := filepath.Join(t.TempDir(), "meminfo")
	must(t, os.WriteFile(meminfo, []byte("MemTotal:       2097152 kB\n"), 0o644))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			for rel, v := range tt.files {
				path := filepath.Join(root, "sys", "fs", "cgroup", rel)
				must(t, os.MkdirAll(filepath.Dir(path), 0o755))
				must(t, os.WriteFile(path, []byte(v+"\n"), 0o644))
			}
			procCgroup, mountinfo := filepath.Join(root, "cgroup"), filepath.Join(root, "mountinfo")
			must(t, os.WriteFile(procCgroup, []byte(tt.procCgroup), 0o644))
			must(t, os.WriteFile(mountinfo, []byte(strings.ReplaceAll(tt.mountinfo, "{root}", root)), 0o644))

			cg := findCgroups(procCgroup, mountinfo, filepath.Join(root, "unused"))
			l := readLimits(cg, meminfo, 4, 4)
			if l.CPUs != tt.cpus || l.CPUSource != tt.cpuSource || l.MemoryMiB != tt.memMiB || l.MemorySource != tt.memSource {
				t.Errorf("got %+v\nwant %g CPUs (%s), %d MiB (%s)\ncgroups %+v", l, tt.cpus, tt.cpuSource, tt.memMiB, tt.memSource, cg)
			}
		})
	}
}
