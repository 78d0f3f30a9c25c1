package launch

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/warpdrive-buildpack/warpdrive/server"
)

// Limits are the CPU and memory the container may use.
type Limits struct {
	// CPUs is the number of CPUs the container may use: the smallest of its
	// CPU quota (fractional cores), its cpuset and the CPUs this process may
	// run on.
	CPUs float64
	// CPUSource says where CPUs came from.
	CPUSource string
	// MemoryMiB is the memory limit, or the host's memory.
	MemoryMiB int64
	// MemorySource says where MemoryMiB came from.
	MemorySource string
}

// MemoryPerWorkerMiB is the memory budget of one worker process.
const MemoryPerWorkerMiB = 256

// MaxWorkers caps the derived worker count.
const MaxWorkers = 12

// Workers is the derived worker-process count for a server sized by s:
//
//	max(1, min(s.PerCPU × CPUs + s.Plus, memory MiB / 256, 12))
//
// with CPUs rounded up: enough processes to keep the CPUs busy, never more
// than the memory can hold.
func (l Limits) Workers(s server.Sizing) int {
	n := s.PerCPU*l.cpus() + s.Plus
	if byMemory := int(l.MemoryMiB / MemoryPerWorkerMiB); byMemory < n {
		n = byMemory
	}
	if n > MaxWorkers {
		n = MaxWorkers
	}
	if n < 1 {
		n = 1
	}
	return n
}

// cpus is CPUs rounded up, at least 1.
func (l Limits) cpus() int {
	return max(1, int(math.Ceil(l.CPUs)))
}

// Explain shows the formula with this container's numbers, for the startup log.
func (l Limits) Explain(s server.Sizing) string {
	byCPU := fmt.Sprintf("%d CPUs (%s)", l.cpus(), l.CPUSource)
	if s.PerCPU != 1 {
		byCPU = fmt.Sprintf("%d x %s", s.PerCPU, byCPU)
	}
	if s.Plus != 0 {
		byCPU = fmt.Sprintf("%s + %d", byCPU, s.Plus)
	}
	return fmt.Sprintf("%d = max(1, min(%s, %d MiB (%s) / %d, %d))",
		l.Workers(s), byCPU, l.MemoryMiB, l.MemorySource, MemoryPerWorkerMiB, MaxWorkers)
}

// ReadLimits reads the limits of this process's cgroups (v2, else v1; see
// findCgroups), falling back to the host's CPUs and memory.
func ReadLimits() Limits {
	cgroups := findCgroups("/proc/self/cgroup", "/proc/self/mountinfo", "/sys/fs/cgroup")
	return readLimits(cgroups, "/proc/meminfo", onlineCPUs("/sys/devices/system/cpu/online"), runtime.NumCPU())
}

// readLimits: online is the host's CPU count (0 when unknown), usable the
// CPUs this process may run on (its affinity mask, which a cpuset narrows).
//
// The CPU count is the smallest of the CFS quota (cpu.max, cpu.cfs_quota_us:
// `docker run --cpus`, Kubernetes' limits), the cpuset (`--cpuset-cpus`,
// which sets no quota) and the usable CPUs; a cpuset naming every CPU of the
// host is no limit. The quota and the memory limit are the smallest set on
// the process's cgroup or an ancestor.
func readLimits(cg cgroupDirs, meminfo string, online, usable int) Limits {
	l := Limits{CPUs: float64(usable), CPUSource: "host"}
	if online > 0 && usable < online {
		l.CPUSource = "CPU affinity"
	}
	if n, source, ok := cgroupCPUSet(cg); ok && (online == 0 || n < online) && float64(n) <= l.CPUs {
		l.CPUs, l.CPUSource = float64(n), source
	}
	if cpus, ok := smallest(cg.v2, cgroupV2CPU); ok && cpus <= l.CPUs {
		l.CPUs, l.CPUSource = cpus, "cgroup v2 cpu.max"
	} else if cpus, ok := smallest(cg.cpu, cgroupV1CPU); ok && cpus <= l.CPUs {
		l.CPUs, l.CPUSource = cpus, "cgroup v1 cpu.cfs_quota_us"
	}
	if mib, ok := smallest(cg.v2, memoryLimit("memory.max")); ok {
		l.MemoryMiB, l.MemorySource = int64(mib), "cgroup v2 memory.max"
	} else if mib, ok := smallest(cg.memory, memoryLimit("memory.limit_in_bytes")); ok {
		l.MemoryMiB, l.MemorySource = int64(mib), "cgroup v1 memory.limit_in_bytes"
	} else {
		l.MemoryMiB, l.MemorySource = hostMemoryMiB(meminfo), "host"
	}
	return l
}

// smallest is the smallest limit read from dirs, false when none sets one.
func smallest(dirs []string, read func(dir string) (float64, bool)) (float64, bool) {
	var min float64
	found := false
	for _, dir := range dirs {
		if v, ok := read(dir); ok && (!found || v < min) {
			min, found = v, true
		}
	}
	return min, found
}

// cgroupCPUSet counts the CPUs of the process's cpuset: cgroup v2's
// cpuset.cpus.effective, else v1's cpuset.effective_cpus or cpuset.cpus.
func cgroupCPUSet(cg cgroupDirs) (int, string, bool) {
	type file struct{ path, source string }
	var files []file
	if len(cg.v2) > 0 { // the effective set already is what the ancestors allow
		files = append(files, file{filepath.Join(cg.v2[0], "cpuset.cpus.effective"), "cgroup v2 cpuset.cpus.effective"})
	}
	for _, dir := range cg.cpuset {
		files = append(files, file{filepath.Join(dir, "cpuset.effective_cpus"), "cgroup v1 cpuset.effective_cpus"},
			file{filepath.Join(dir, "cpuset.cpus"), "cgroup v1 cpuset.cpus"})
	}
	for _, f := range files {
		if n, ok := countCPUList(readTrimmed(f.path)); ok {
			return n, f.source, true
		}
	}
	return 0, "", false
}

// onlineCPUs counts the host's CPUs from a list file such as
// /sys/devices/system/cpu/online; 0 when it cannot be read.
func onlineCPUs(path string) int {
	n, _ := countCPUList(readTrimmed(path))
	return n
}

// countCPUList counts a kernel CPU list such as "0-3,6,8-9"; false for an
// empty or malformed list.
func countCPUList(list string) (int, bool) {
	if list == "" {
		return 0, false
	}
	n := 0
	for _, part := range strings.Split(list, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 {
			return 0, false
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return 0, false
			}
		}
		n += b - a + 1
	}
	return n, n > 0
}

// cgroupV2CPU reads a cgroup v2 directory's cpu.max ("max 100000": none).
func cgroupV2CPU(dir string) (float64, bool) {
	fields := strings.Fields(readTrimmed(filepath.Join(dir, "cpu.max")))
	if len(fields) != 2 || fields[0] == "max" {
		return 0, false
	}
	return ratio(fields[0], fields[1])
}

// cgroupV1CPU reads a cgroup v1 cpu directory's quota and period (a quota
// of -1: none).
func cgroupV1CPU(dir string) (float64, bool) {
	quota := readTrimmed(filepath.Join(dir, "cpu.cfs_quota_us"))
	period := readTrimmed(filepath.Join(dir, "cpu.cfs_period_us"))
	if quota == "" || strings.HasPrefix(quota, "-") {
		return 0, false
	}
	return ratio(quota, period)
}

func ratio(quota, period string) (float64, bool) {
	q, err1 := strconv.ParseFloat(quota, 64)
	p, err2 := strconv.ParseFloat(period, 64)
	if err1 != nil || err2 != nil || q <= 0 || p <= 0 {
		return 0, false
	}
	return q / p, true
}

// memoryLimit reads a directory's limit file, in bytes, as MiB; "max" and
// the huge v1 "unlimited" value mean no limit.
func memoryLimit(name string) func(dir string) (float64, bool) {
	return func(dir string) (float64, bool) {
		bytes, err := strconv.ParseInt(readTrimmed(filepath.Join(dir, name)), 10, 64)
		if err != nil || bytes <= 0 || bytes >= 1<<60 {
			return 0, false
		}
		return float64(bytes / (1 << 20)), true
	}
}

func hostMemoryMiB(meminfo string) int64 {
	f, err := os.Open(meminfo)
	if err != nil {
		return 1024
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if fields := strings.Fields(s.Text()); len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, _ := strconv.ParseInt(fields[1], 10, 64)
			return kb / 1024
		}
	}
	return 1024
}

func readTrimmed(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// workerPlan is how concurrency reaches one server: flags, or variables the
// server reads itself (so the user's own GUNICORN_CMD_ARGS / UWSGI_* still win).
type workerPlan struct {
	flags []string
	notes []string
}

// words are the parts of a command line the user wrote, each with where it
// came from for the startup log.
type words struct {
	from  string
	words []string
	// procfile: a Procfile's command line, which names its server.
	procfile bool
}

// userWords are the user's own words in the command: a Procfile's command
// line, .warpdrive/server_args, the `docker run` arguments.
func userWords(p StartPlan, serverArgs, user []string) []words {
	var out []words
	if p.Shell && len(p.Command) >= 3 {
		out = append(out, words{"the Procfile's", CommandWords(p.Command[2]), true})
	}
	if len(serverArgs) > 0 {
		out = append(out, words{".warpdrive/server_args'", serverArgs, false})
	}
	if len(user) > 0 {
		out = append(out, words{"the container's arguments'", user, false})
	}
	return out
}

// userCount is the worker count the user's words set with the server's own
// option, if they do: the server takes that, so that is what is reported,
// and warpdrive adds no count of its own.
func userCount(srv server.Server, given []words) (string, bool) {
	found := ""
	for _, w := range given {
		if option, value, ok := srv.Concurrency.CountIn(w.words); ok {
			found = fmt.Sprintf("Concurrency: %s %s (%s %s %s; WEB_CONCURRENCY and the derived count are not used)",
				value, srv.Concurrency.Unit, w.from, option, value)
		}
	}
	return found, found != ""
}

// concurrency applies WEB_CONCURRENCY, or the count derived from the
// container's limits, the way the server table says the server takes it; a
// python or shell app gets WEB_CONCURRENCY to read. A count the user's words
// set with the server's option (a Procfile's `gunicorn --workers 3`) wins.
func concurrency(mode string, env MapEnv, limits func() Limits, given []words) (workerPlan, error) {
	srv, known := server.Lookup(mode)
	if !known && len(given) > 0 && given[0].procfile {
		if named, ok := server.Named(given[0].words); ok {
			if note, ok := userCount(named, given); ok {
				return workerPlan{notes: []string{note}}, nil
			}
		}
	}
	if known {
		if note, ok := userCount(srv, given); ok {
			return workerPlan{notes: []string{note}}, nil
		}
	}
	sizing := server.TwicePerCPUPlusOne
	if known {
		sizing = srv.Concurrency.Sizing
	}
	n, why, chosen, err := workerCount(env, limits, sizing)
	if err != nil || n == 0 {
		return workerPlan{}, err
	}
	count := strconv.Itoa(n)
	if !known {
		env["WEB_CONCURRENCY"] = count
		return workerPlan{notes: []string{fmt.Sprintf("Concurrency: WEB_CONCURRENCY=%d for the application (%s)", n, why)}}, nil
	}
	c := srv.Concurrency
	if c.OneProcess {
		note := fmt.Sprintf("Concurrency: 1 %s (%s runs no worker processes: run more containers to scale", c.Unit, srv.Name)
		if chosen {
			note += "; WEB_CONCURRENCY is not used"
		}
		return workerPlan{notes: []string{note + ")"}}, nil
	}
	if v := env[c.UserSetting]; c.UserSetting != "" && v != "" {
		return workerPlan{notes: []string{fmt.Sprintf("Concurrency: %s=%s (WEB_CONCURRENCY and the derived count are not used)", c.UserSetting, v)}}, nil
	}
	if c.OnlyWhenChosen && !chosen {
		return workerPlan{}, nil
	}
	if c.Env != "" {
		env[c.Env] = count
	}
	what := fmt.Sprintf("%d %s", n, c.Unit)
	if c.ThreadsSetting != "" {
		threads := strconv.Itoa(c.Threads)
		if v := strings.TrimSpace(env[c.ThreadsSetting]); v != "" {
			threads = v
		}
		what += " x " + threads + " threads"
	}
	return workerPlan{flags: c.Args(count), notes: []string{fmt.Sprintf("Concurrency: %s (%s)", what, why)}}, nil
}

// workerCount is WEB_CONCURRENCY when given (chosen), else the count derived
// from the container's limits by sizing; 0 when neither is known.
func workerCount(env MapEnv, limits func() Limits, sizing server.Sizing) (n int, why string, chosen bool, err error) {
	if v, ok := env["WEB_CONCURRENCY"]; ok && strings.TrimSpace(v) != "" {
		if n, err = server.PositiveCount("WEB_CONCURRENCY", v); err != nil {
			return 0, "", false, err
		}
		return n, fmt.Sprintf("%d from WEB_CONCURRENCY", n), true, nil
	}
	if limits == nil {
		return 0, "", false, nil
	}
	l := limits()
	return l.Workers(sizing), "derived: " + l.Explain(sizing) + "; set WEB_CONCURRENCY to choose", false, nil
}
