package launch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warpdrive-buildpack/warpdrive/server"
)

// The derived process count per server, from the container's CPUs and
// memory: the servers whose processes take many requests at once get one
// process per CPU, the others 2 x CPUs + 1; memory caps both (256 MiB a
// process), and the count stays within 1..12.
func TestDerivedWorkersPerServer(t *testing.T) {
	tests := []struct {
		server string // a server type, or "" for an application warpdrive does not know
		cpus   float64
		mem    int64
		want   int
	}{
		{server.ModWSGI, 1, 1024, 1},
		{server.ModWSGI, 2, 1024, 2},
		{server.ModWSGI, 0.5, 1024, 1},  // a fraction of a CPU rounds up
		{server.ModWSGI, 1.5, 4096, 2},  // so does 1.5
		{server.ModWSGI, 4, 512, 2},     // memory-bound
		{server.ModWSGI, 4, 200, 1},     // never below one
		{server.ModWSGI, 16, 65536, 12}, // capped
		{server.Gunicorn, 1, 1024, 1},
		{server.Gunicorn, 2, 1024, 2},
		{server.Gunicorn, 3, 512, 2},
		{server.Uvicorn, 1, 1024, 1},
		{server.Uvicorn, 2, 24576, 2},
		{server.Hypercorn, 2, 1024, 2},
		{server.UWSGI, 1, 4096, 3}, // not measured: 2 x CPUs + 1
		{server.UWSGI, 2, 1024, 4},
		{"", 1, 512, 2}, // an app.py, app.sh or Procfile: 2 x CPUs + 1
		{"", 1, 4096, 3},
		{"", 2, 24576, 5},
		{"", 16, 65536, 12},
	}
	for _, tt := range tests {
		sizing := server.TwicePerCPUPlusOne
		if tt.server != "" {
			s, ok := server.Lookup(tt.server)
			if !ok {
				t.Fatalf("no server %s", tt.server)
			}
			sizing = s.Concurrency.Sizing
		}
		if got := (Limits{CPUs: tt.cpus, MemoryMiB: tt.mem}).Workers(sizing); got != tt.want {
			t.Errorf("%q: Workers(%g CPUs, %d MiB) = %d, want %d", tt.server, tt.cpus, tt.mem, got, tt.want)
		}
	}
}

// The startup log shows the formula the count came from, with the
// container's numbers and where each was read.
func TestExplain(t *testing.T) {
	l := Limits{CPUs: 1, CPUSource: "cgroup v1 cpuset.effective_cpus", MemoryMiB: 1024, MemorySource: "cgroup v1 memory.limit_in_bytes"}
	tests := []struct {
		sizing server.Sizing
		want   string
	}{
		{server.OnePerCPU, "1 = max(1, min(1 CPUs (cgroup v1 cpuset.effective_cpus), 1024 MiB (cgroup v1 memory.limit_in_bytes) / 256, 12))"},
		{server.TwicePerCPUPlusOne, "3 = max(1, min(2 x 1 CPUs (cgroup v1 cpuset.effective_cpus) + 1, 1024 MiB (cgroup v1 memory.limit_in_bytes) / 256, 12))"},
	}
	for _, tt := range tests {
		if got := l.Explain(tt.sizing); got != tt.want {
			t.Errorf("Explain(%+v)\ngot  %s\nwant %s", tt.sizing, got, tt.want)
		}
	}
}

func TestReadLimits(t *testing.T) {
	write := func(root string, files map[string]string) {
		for rel, v := range files {
			os.MkdirAll(filepath.Join(root, filepath.Dir(rel)), 0o755)
			os.WriteFile(filepath.Join(root, rel), []byte(v+"\n"), 0o644)
		}
	}
	meminfo := filepath.Join(t.TempDir(), "meminfo")
	os.WriteFile(meminfo, []byte("MemTotal:       2097152 kB\n"), 0o644)
	tests := []struct {
		name           string
		files          map[string]string
		online, usable int // the host's CPUs, and those this process may run on
		cpus           float64
		memMiB         int64
		source         string
	}{
		{"cgroup v2 limits", map[string]string{"cpu.max": "150000 100000", "memory.max": "536870912", "cpuset.cpus.effective": "0-3"}, 4, 4,
			1.5, 512, "cgroup v2 cpu.max"},
		{"cgroup v2 unlimited", map[string]string{"cpu.max": "max 100000", "memory.max": "max", "cpuset.cpus.effective": "0-1"}, 2, 2,
			2, 2048, "host"},
		// docker run --cpuset-cpus 1: no quota, and the cpuset is what limits.
		{"cgroup v2 cpuset", map[string]string{"cpu.max": "max 100000", "cpuset.cpus.effective": "1"}, 2, 1,
			1, 2048, "cgroup v2 cpuset.cpus.effective"},
		{"cgroup v2 cpuset smaller than the quota", map[string]string{"cpu.max": "300000 100000", "cpuset.cpus.effective": "2,5"}, 8, 2,
			2, 2048, "cgroup v2 cpuset.cpus.effective"},
		{"cgroup v2 quota smaller than the cpuset", map[string]string{"cpu.max": "50000 100000", "cpuset.cpus.effective": "0-3,8-11"}, 16, 8,
			0.5, 2048, "cgroup v2 cpu.max"},
		{"a quota above the host's CPUs", map[string]string{"cpu.max": "800000 100000"}, 2, 2,
			2, 2048, "host"},
		{"cgroup v1 limits", map[string]string{"cpu/cpu.cfs_quota_us": "100000", "cpu/cpu.cfs_period_us": "100000",
			"memory/memory.limit_in_bytes": "536870912", "cpuset/cpuset.effective_cpus": "0-1"}, 2, 2,
			1, 512, "cgroup v1 cpu.cfs_quota_us"},
		{"cgroup v1 unlimited", map[string]string{"cpu/cpu.cfs_quota_us": "-1", "cpu/cpu.cfs_period_us": "100000",
			"memory/memory.limit_in_bytes": "9223372036854771712", "cpuset/cpuset.effective_cpus": "0-1"}, 2, 2,
			2, 2048, "host"},
		{"cgroup v1 cpuset", map[string]string{"cpu,cpuacct/cpu.cfs_quota_us": "-1", "cpu,cpuacct/cpu.cfs_period_us": "100000",
			"cpuset/cpuset.effective_cpus": "1"}, 2, 1,
			1, 2048, "cgroup v1 cpuset.effective_cpus"},
		{"cgroup v1 cpuset.cpus only", map[string]string{"cpuset/cpuset.cpus": "0-2"}, 8, 3,
			3, 2048, "cgroup v1 cpuset.cpus"},
		{"no cgroup files, restricted affinity (taskset)", nil, 4, 2, 2, 2048, "CPU affinity"},
		{"no cgroup files, host CPUs unknown", nil, 0, 3, 3, 2048, "host"},
		{"a malformed cpuset is ignored", map[string]string{"cpuset.cpus.effective": "0-x"}, 4, 4, 4, 2048, "host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			write(root, tt.files)
			// Without /proc's files: the layout of a private cgroup namespace.
			l := readLimits(findCgroups("/nonexistent/cgroup", "/nonexistent/mountinfo", root), meminfo, tt.online, tt.usable)
			if l.CPUs != tt.cpus || l.MemoryMiB != tt.memMiB || l.CPUSource != tt.source {
				t.Errorf("got %+v, want %g CPUs (%s), %d MiB", l, tt.cpus, tt.source, tt.memMiB)
			}
		})
	}
}

func TestCountCPUList(t *testing.T) {
	tests := map[string]int{"0": 1, "1": 1, "0-1": 2, "0-3,6,8-9": 7, " 2,4 ": 2, "": 0, "3-1": 0, "a": 0, "0-": 0, "-1": 0}
	for in, want := range tests {
		got, ok := countCPUList(strings.TrimSpace(in))
		if got != want || ok != (want > 0) {
			t.Errorf("countCPUList(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
}

// mod_wsgi gets Apache sized for many more connections than request
// threads, unless the user set a variable: theirs then stands alone.
func TestModWSGIConnectionSizing(t *testing.T) {
	apache := "--server-mpm worker --max-clients 300 --daemon-backlog 500 --initial-workers 1 --minimum-spare-workers 0.1 --maximum-spare-workers 1"
	tests := []struct {
		name string
		env  MapEnv
		want string
	}{
		{"defaults", MapEnv{}, "mod_wsgi-express start-server --port 8080 " + apache + " --processes 1 --entry-point mysite.wsgi"},
		{"the user's client limit, and a backlog to match", MapEnv{"MOD_WSGI_MAX_CLIENTS": "800"},
			"mod_wsgi-express start-server --port 8080 --max-clients 800 --server-mpm worker --daemon-backlog 800 --initial-workers 1 " +
				"--minimum-spare-workers 0.1 --maximum-spare-workers 1 --processes 1 --entry-point mysite.wsgi"},
		{"the user's every setting", MapEnv{"MOD_WSGI_SERVER_MPM": "event", "MOD_WSGI_MAX_CLIENTS": "40", "MOD_WSGI_DAEMON_BACKLOG": "100", "MOD_WSGI_INITIAL_WORKERS": "0.2",
			"MOD_WSGI_MINIMUM_SPARE_WORKERS": "0.2", "MOD_WSGI_MAXIMUM_SPARE_WORKERS": "0.6", "MOD_WSGI_PROCESSES": "3", "MOD_WSGI_THREADS": "2"},
			"mod_wsgi-express start-server --port 8080 --processes 3 --threads 2 --max-clients 40 --initial-workers 0.2 " +
				"--minimum-spare-workers 0.2 --maximum-spare-workers 0.6 --daemon-backlog 100 --server-mpm event --entry-point mysite.wsgi"},
	}
	limits := func() Limits { return Limits{CPUs: 1, CPUSource: "test", MemoryMiB: 1024, MemorySource: "test"} }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := Prepare(modWSGI, nil, Options{Env: tt.env, Limits: limits})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(plan.Argv, " "); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestConcurrencyPerServer(t *testing.T) {
	limits := func() Limits { return Limits{CPUs: 1, CPUSource: "test", MemoryMiB: 512, MemorySource: "test"} }
	mw := "mod_wsgi-express start-server --port 8080 " + strings.Join(apacheSizing, " ")
	tests := []struct {
		name     string
		plan     StartPlan
		env      MapEnv
		argv     string
		envWant  map[string]string
		noteWant string
	}{
		{"mod_wsgi derived", modWSGI, MapEnv{}, mw + " --processes 1 --entry-point mysite.wsgi", nil,
			"Concurrency: 1 mod_wsgi processes x 5 threads (derived: 1 = max(1, min(1 CPUs (test), 512 MiB (test) / 256, 12)); set WEB_CONCURRENCY to choose)"},
		{"mod_wsgi derived, the user's threads", modWSGI, MapEnv{"MOD_WSGI_THREADS": "8"},
			"mod_wsgi-express start-server --port 8080 --threads 8 " + strings.Join(apacheSizing, " ") + " --processes 1 --entry-point mysite.wsgi", nil,
			"Concurrency: 1 mod_wsgi processes x 8 threads (derived: 1 = "},
		{"mod_wsgi WEB_CONCURRENCY", modWSGI, MapEnv{"WEB_CONCURRENCY": "4"}, mw + " --processes 4 --entry-point mysite.wsgi", nil,
			"Concurrency: 4 mod_wsgi processes x 5 threads (4 from WEB_CONCURRENCY)"},
		{"MOD_WSGI_PROCESSES wins", modWSGI, MapEnv{"WEB_CONCURRENCY": "4", "MOD_WSGI_PROCESSES": "3"},
			"mod_wsgi-express start-server --port 8080 --processes 3 " + strings.Join(apacheSizing, " ") + " --entry-point mysite.wsgi", nil, "MOD_WSGI_PROCESSES=3"},
		{"gunicorn reads WEB_CONCURRENCY", startPlan("gunicorn", "gunicorn", "--bind", ":$PORT"), MapEnv{}, "gunicorn --bind :8080", map[string]string{"WEB_CONCURRENCY": "1"},
			"Concurrency: 1 gunicorn workers (derived: 1 = max(1, min(1 CPUs (test), 512 MiB (test) / 256, 12))"},
		{"uvicorn reads WEB_CONCURRENCY", startPlan("uvicorn", "uvicorn", "--port", "$PORT"), MapEnv{}, "uvicorn --port 8080", map[string]string{"WEB_CONCURRENCY": "1"}, "1 uvicorn workers"},
		{"hypercorn gets --workers", startPlan("hypercorn", "hypercorn", "--bind", "0.0.0.0:$PORT"), MapEnv{}, "hypercorn --bind 0.0.0.0:8080 --workers 1", nil, "1 hypercorn workers"},
		{"daphne is one process", startPlan("daphne", "daphne", "--port", "$PORT"), MapEnv{}, "daphne --port 8080", nil,
			"Concurrency: 1 daphne process (daphne runs no worker processes: run more containers to scale)"},
		{"daphne ignores WEB_CONCURRENCY and says so", startPlan("daphne", "daphne", "--port", "$PORT"), MapEnv{"WEB_CONCURRENCY": "4"}, "daphne --port 8080",
			map[string]string{"WEB_CONCURRENCY": "4"}, "run more containers to scale; WEB_CONCURRENCY is not used)"},
		{"uwsgi reads UWSGI_PROCESSES", startPlan("uwsgi", "uwsgi", "--http-socket", ":$PORT"), MapEnv{}, "uwsgi --http-socket :8080", map[string]string{"UWSGI_PROCESSES": "2"},
			"2 uwsgi processes (derived: 2 = max(1, min(2 x 1 CPUs (test) + 1, 512 MiB (test) / 256, 12))"},
		{"user's UWSGI_PROCESSES kept", startPlan("uwsgi", "uwsgi"), MapEnv{"UWSGI_PROCESSES": "7"}, "uwsgi", map[string]string{"UWSGI_PROCESSES": "7"}, "UWSGI_PROCESSES=7"},
		{"waitress threads from WEB_CONCURRENCY", startPlan("waitress", "waitress-serve", "--port=$PORT", "--threads=5", "--", "wsgi:application"), MapEnv{"WEB_CONCURRENCY": "8"},
			"waitress-serve --port=8080 --threads=5 --threads=8 wsgi:application", nil, "8 waitress threads"},
		{"waitress keeps its threads when nothing is chosen", startPlan("waitress", "waitress-serve", "--threads=5"), MapEnv{},
			"waitress-serve --threads=5", nil, ""},
		{"a Procfile's --workers is the count", procfile("gunicorn --workers 3 app:app"), MapEnv{}, "bash -c gunicorn --workers 3 app:app web", nil,
			"Concurrency: 3 gunicorn workers (the Procfile's --workers 3; WEB_CONCURRENCY and the derived count are not used)"},
		{"a Procfile's -w4 after other commands", procfile("python manage.py migrate && gunicorn -w4 app:app"), MapEnv{},
			"bash -c python manage.py migrate && gunicorn -w4 app:app web", nil, "Concurrency: 4 gunicorn workers (the Procfile's -w 4;"},
		{"a Procfile's quoted count, its commands unspaced", procfile(`migrate&&gunicorn --workers "3" app:app`), MapEnv{},
			`bash -c migrate&&gunicorn --workers "3" app:app web`, nil, "Concurrency: 3 gunicorn workers (the Procfile's --workers 3;"},
		{"a Procfile's server without a count", procfile("gunicorn app:app"), MapEnv{}, "bash -c gunicorn app:app web", map[string]string{"WEB_CONCURRENCY": "2"},
			"Concurrency: WEB_CONCURRENCY=2 for the application (derived:"},
		{"app.py gets WEB_CONCURRENCY", startPlan("python", "python", "app.py"), MapEnv{}, "python app.py", map[string]string{"WEB_CONCURRENCY": "2"},
			"WEB_CONCURRENCY=2 for the application (derived: 2 = max(1, min(2 x 1 CPUs (test) + 1, 512 MiB (test) / 256, 12))"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := Prepare(tt.plan, nil, Options{Env: tt.env, Limits: limits})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(plan.Argv, " "); got != tt.argv {
				t.Errorf("argv = %s\nwant   %s", got, tt.argv)
			}
			for k, v := range tt.envWant {
				if plan.Env[k] != v {
					t.Errorf("env %s = %q, want %q", k, plan.Env[k], v)
				}
			}
			if !strings.Contains(strings.Join(plan.Notes, "\n"), tt.noteWant) {
				t.Errorf("notes %q lack %q", plan.Notes, tt.noteWant)
			}
		})
	}
}

// procfile is a Procfile web process's start plan.
func procfile(command string) StartPlan {
	return StartPlan{Mode: "procfile", Command: []string{"bash", "-c", command, "web"}, Shell: true}
}

// A count in .warpdrive/server_args or the container's arguments is the one
// the server takes: warpdrive adds none and reports that one.
func TestConcurrencyTheUserSets(t *testing.T) {
	limits := func() Limits { return Limits{CPUs: 1, CPUSource: "test", MemoryMiB: 512, MemorySource: "test"} }
	hypercorn := startPlan("hypercorn", "hypercorn", "--bind", "0.0.0.0:$PORT")
	tests := []struct {
		name             string
		serverArgs, user []string
		argv, note       string
	}{
		{"server_args", []string{"--workers", "3"}, nil, "hypercorn --bind 0.0.0.0:8080 --workers 3",
			"Concurrency: 3 hypercorn workers (.warpdrive/server_args' --workers 3; WEB_CONCURRENCY and the derived count are not used)"},
		{"docker run arguments", nil, []string{"--workers=5"}, "hypercorn --bind 0.0.0.0:8080 --workers=5",
			"Concurrency: 5 hypercorn workers (the container's arguments' --workers 5;"},
		{"neither", nil, nil, "hypercorn --bind 0.0.0.0:8080 --workers 1", "Concurrency: 1 hypercorn workers (derived:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := Prepare(hypercorn, tt.user, Options{Env: MapEnv{}, Limits: limits,
				ServerArgs: func(string) ([]string, error) { return tt.serverArgs, nil }})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(plan.Argv, " "); got != tt.argv {
				t.Errorf("argv = %s\nwant   %s", got, tt.argv)
			}
			if !strings.Contains(strings.Join(plan.Notes, "\n"), tt.note) {
				t.Errorf("notes %q lack %q", plan.Notes, tt.note)
			}
		})
	}
}
