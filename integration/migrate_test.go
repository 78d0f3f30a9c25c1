//go:build integration

package integration

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// postgres is a PostgreSQL server of Debian's, started for one test on a free
// loopback port, with the database "app"; containers reach it with
// --network host.
type postgres struct {
	t    *testing.T
	bin  string
	dir  string
	port int
	// runAs prefixes the server's commands: PostgreSQL refuses to run as root.
	runAs []string
}

// startPostgres starts the server (scripts/test.sh installs Debian's
// postgresql where it is missing) and stops it when the test ends.
func startPostgres(t *testing.T) *postgres {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		t.Fatal("PostgreSQL's server is not installed (Debian's postgresql: scripts/test.sh installs it when it runs as root)")
	}
	dir, err := os.MkdirTemp("", "warpdrive-postgres-")
	if err != nil {
		t.Fatal(err)
	}
	p := &postgres{t: t, bin: filepath.Dir(bins[len(bins)-1]), dir: dir, port: freePort(t)}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("PostgreSQL refuses to run as root, and there is no postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		p.runAs = []string{"runuser", "-u", "postgres", "--"}
	}
	t.Cleanup(func() {
		p.command("pg_ctl", "-D", filepath.Join(dir, "data"), "-m", "immediate", "stop").Run()
		os.RemoveAll(dir)
	})
	p.must("initdb", "-D", filepath.Join(dir, "data"), "-A", "trust", "-U", "postgres")
	p.must("pg_ctl", "-D", filepath.Join(dir, "data"), "-w", "-l", filepath.Join(dir, "log"), "-o",
		fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1", p.port, dir), "start")
	p.must("createdb", "-h", "127.0.0.1", "-p", strconv.Itoa(p.port), "-U", "postgres", "app")
	return p
}

func (p *postgres) command(name string, args ...string) *exec.Cmd {
	argv := append(append(append([]string{}, p.runAs...), filepath.Join(p.bin, name)), args...)
	return exec.Command(argv[0], argv[1:]...)
}

func (p *postgres) must(name string, args ...string) string {
	p.t.Helper()
	out, err := p.command(name, args...).CombinedOutput()
	if err != nil {
		p.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// URL is the database's URL, as dj-database-url reads it.
func (p *postgres) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/app", p.port)
}

// Query runs one SQL query and returns its rows, unaligned.
func (p *postgres) Query(sql string) string {
	p.t.Helper()
	return strings.TrimSpace(p.must("psql", "-h", "127.0.0.1", "-p", strconv.Itoa(p.port), "-U", "postgres", "-d", "app", "-Atc", sql))
}

// runTogether starts the same command in n containers at once and returns
// each one's output and exit code.
func runTogether(a *App, n int, dockerArgs []string, command ...string) ([]string, []int) {
	outs, codes := make([]string, n), make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], codes[i] = a.RunOnce(dockerArgs, command...)
		}()
	}
	wg.Wait()
	return outs, codes
}

// TestConcurrentMigrateRunsApplyEachMigrationOnce: a Django app's migrate
// process holds a lock on the database while it migrates, so two started
// together (a retried Job, two deploys) against one PostgreSQL database
// both exit 0 and apply each migration once; on SQLite, a lock file beside
// the database does the same. The data migration takes a few seconds, so
// the two runs overlap, and adds a row, so applying it twice would show.
func TestConcurrentMigrateRunsApplyEachMigrationOnce(t *testing.T) {
	parallel(t)
	db := startPostgres(t)
	a := NewApp(t, "django_migrations")
	a.MustBuild()
	assertMatches(t, "pack inspect", a.PackInspect(), `migrate\s+warpdrive-start\s+--exec python -m warpdrive_migrate --noinput`)

	check := func(what string, outs []string, codes []int) {
		t.Helper()
		waited, applied := 0, 0
		for i, out := range outs {
			if codes[i] != 0 {
				t.Fatalf("%s: migrate run %d exited %d:\n%s", what, i+1, codes[i], out)
			}
			if strings.Contains(out, "waiting for it to finish") {
				waited++
			}
			applied += strings.Count(out, "Applying ledger.0002_opening_entry... OK")
		}
		if waited != 1 || applied != 1 {
			t.Errorf("%s: %d runs waited for the lock and 0002 was applied %d times, want 1 and 1:\n%s", what, waited, applied, strings.Join(outs, "\n----\n"))
		}
	}
	slow := []string{"-e", "SLOW_MIGRATION_SECONDS=6"}
	outs, codes := runTogether(a, 2, append(slow, "--network", "host", "-e", "DATABASE_URL="+db.URL(), "--entrypoint", "migrate"))
	check("PostgreSQL", outs, codes)
	if got := db.Query("SELECT count(*) FROM ledger_entry"); got != "1" {
		t.Errorf("ledger_entry has %s rows, want 1 (the data migration ran once)", got)
	}
	if got := db.Query("SELECT count(*) FROM (SELECT app, name FROM django_migrations GROUP BY 1, 2 HAVING count(*) > 1) AS twice"); got != "0" {
		t.Errorf("%s migrations are recorded twice", got)
	}

	volume := t.TempDir()
	if err := os.Chmod(volume, 0o777); err != nil {
		t.Fatal(err)
	}
	outs, codes = runTogether(a, 2, append(slow, "-v", volume+":/data", "-e", "DATABASE_PATH=/data/db.sqlite3", "--entrypoint", "migrate"))
	check("SQLite", outs, codes)
	start := time.Now()
	out, code := a.RunOnce([]string{"-v", volume + ":/data", "-e", "DATABASE_PATH=/data/db.sqlite3", "--entrypoint", "migrate"})
	if code != 0 || !strings.Contains(out, "No migrations to apply.") {
		t.Errorf("a third migrate (%s) exited %d:\n%s", time.Since(start), code, out)
	}
}
