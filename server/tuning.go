package server

import (
	"fmt"
	"strconv"
	"strings"
)

// modWSGIFlag maps one MOD_WSGI_* variable to its mod_wsgi-express flag.
// mod_wsgi-express reads no options from the environment itself; warpdrive
// translates these at every start, so a `docker run -e` changes them without a
// rebuild.
type modWSGIFlag struct {
	Env  string
	Flag string
	// Switch flags take no value: a value SwitchOn accepts turns them on.
	Switch bool
	// Extra flags that come with a switch.
	Extra []string
	// Count values must be positive integers.
	Count bool
}

var modWSGIFlags = []modWSGIFlag{
	{Env: "MOD_WSGI_PROCESSES", Flag: "--processes", Count: true},
	{Env: "MOD_WSGI_THREADS", Flag: "--threads", Count: true},
	{Env: "MOD_WSGI_MAX_CLIENTS", Flag: "--max-clients", Count: true},
	{Env: "MOD_WSGI_INITIAL_WORKERS", Flag: "--initial-workers"},
	{Env: "MOD_WSGI_MINIMUM_SPARE_WORKERS", Flag: "--minimum-spare-workers"},
	{Env: "MOD_WSGI_MAXIMUM_SPARE_WORKERS", Flag: "--maximum-spare-workers"},
	{Env: "MOD_WSGI_LIMIT_REQUEST_BODY", Flag: "--limit-request-body"},
	{Env: "MOD_WSGI_MAXIMUM_REQUESTS", Flag: "--maximum-requests"},
	{Env: "MOD_WSGI_INACTIVITY_TIMEOUT", Flag: "--inactivity-timeout"},
	{Env: "MOD_WSGI_REQUEST_TIMEOUT", Flag: "--request-timeout"},
	{Env: "MOD_WSGI_CONNECT_TIMEOUT", Flag: "--connect-timeout"},
	{Env: "MOD_WSGI_SOCKET_TIMEOUT", Flag: "--socket-timeout"},
	{Env: "MOD_WSGI_QUEUE_TIMEOUT", Flag: "--queue-timeout"},
	{Env: "MOD_WSGI_HEADER_TIMEOUT", Flag: "--header-timeout"},
	{Env: "MOD_WSGI_HEADER_MAX_TIMEOUT", Flag: "--header-max-timeout"},
	{Env: "MOD_WSGI_HEADER_MIN_RATE", Flag: "--header-min-rate"},
	{Env: "MOD_WSGI_BODY_TIMEOUT", Flag: "--body-timeout"},
	{Env: "MOD_WSGI_BODY_MAX_TIMEOUT", Flag: "--body-max-timeout"},
	{Env: "MOD_WSGI_BODY_MIN_RATE", Flag: "--body-min-rate"},
	{Env: "MOD_WSGI_SERVER_BACKLOG", Flag: "--server-backlog"},
	{Env: "MOD_WSGI_DAEMON_BACKLOG", Flag: "--daemon-backlog"},
	{Env: "MOD_WSGI_SERVER_MPM", Flag: "--server-mpm"},
	{Env: "MOD_WSGI_LOG_LEVEL", Flag: "--log-level"},
	{Env: "MOD_WSGI_ACCESS_LOG", Flag: "--access-log", Switch: true},
	{Env: "MOD_WSGI_RELOAD_ON_CHANGES", Flag: "--reload-on-changes", Switch: true},
	{Env: "MOD_WSGI_ENABLE_DEBUGGER", Flag: "--debug-mode", Switch: true, Extra: []string{"--enable-debugger"}},
	{Env: "MOD_WSGI_WORKING_DIRECTORY", Flag: "--working-directory"},
	{Env: "MOD_WSGI_APPLICATION_TYPE", Flag: "--application-type"},
	{Env: "MOD_WSGI_ENTRY_POINT", Flag: "--entry-point"},
	{Env: "MOD_WSGI_CALLABLE_OBJECT", Flag: "--callable-object"},
	{Env: "MOD_WSGI_SERVER_STATUS", Flag: "--server-status", Switch: true},
}

// SettingError says a tuning variable holds a value the server cannot use.
type SettingError struct {
	Name, Value, Want string
}

func (e SettingError) Error() string {
	return fmt.Sprintf("%s=%q is not valid: %s", e.Name, e.Value, e.Want)
}

// PositiveCount parses a worker or thread count (a whole number of 1 or more).
func PositiveCount(name, value string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(value))
	if err != nil || n < 1 {
		return 0, SettingError{Name: name, Value: value, Want: "it must be a whole number of 1 or more"}
	}
	return n, nil
}

// SwitchOn is what a switch variable's value means, at build
// (DISABLE_COLLECTSTATIC) and at launch (MOD_WSGI_ACCESS_LOG ...): anything
// but empty, "0", "false", "no" or "off" (any case) turns it on.
func SwitchOn(value string) bool {
	switch strings.ToLower(strings.TrimSpace(value)) {
	case "", "0", "false", "no", "off":
		return false
	}
	return true
}

// ModWSGIFlags turns the MOD_WSGI_* variables that are set into
// mod_wsgi-express flags, in the table's order.
func ModWSGIFlags(getenv func(string) (string, bool)) ([]string, error) {
	var flags []string
	for _, f := range modWSGIFlags {
		v, ok := getenv(f.Env)
		if !ok || v == "" {
			continue
		}
		switch {
		case f.Switch:
			if SwitchOn(v) {
				flags = append(append(flags, f.Flag), f.Extra...)
			}
		case f.Count:
			n, err := PositiveCount(f.Env, v)
			if err != nil {
				return nil, err
			}
			flags = append(flags, f.Flag, strconv.Itoa(n))
		default:
			flags = append(flags, f.Flag, v)
		}
	}
	return flags, nil
}

// ModWSGIThreads is mod_wsgi-express's own default of request threads per
// process, which warpdrive keeps (MOD_WSGI_THREADS changes it).
const ModWSGIThreads = 5

// ModWSGIMaxClients is the number of client connections Apache holds at once
// when MOD_WSGI_MAX_CLIENTS is not set. mod_wsgi-express's own default is 1.5
// times the request threads plus 10 (20 for 1 process of 5 threads): beyond
// that Apache's event MPM closes waiting keep-alive connections (clients see
// resets, and "server reached MaxRequestWorkers" is logged). Apache's
// threads only pass requests on to the daemon processes, which queue them
// (in the daemon backlog, then for at most --queue-timeout); one Apache child
// holds 18 of them for about 1 MiB.
const ModWSGIMaxClients = 300

// ModWSGIDaemonBacklog is the daemon processes' listen backlog when
// MOD_WSGI_DAEMON_BACKLOG is not set: at least every connection Apache may
// pass on at once, so none waits in mod_wsgi's connect retries (mod_wsgi-express's
// default, 100, made some requests wait seconds behind later ones).
const ModWSGIDaemonBacklog = 500

// modWSGIDefaults are the flags warpdrive adds for Apache's side of
// mod_wsgi-express, each only when its variable is not set.
//
// Apache's worker MPM rather than the event MPM mod_wsgi-express picks: the
// event MPM closes keep-alive connections it holds without a thread when a
// child is busy, and a client that sent its next request on one sees a reset
// (the sample app, 2 CPUs, wrk with 256 connections: 0 to 4 read errors a run;
// 400: 26 to 48, and time-outs). The worker MPM keeps each connection on its
// thread (for at most mod_wsgi-express's 2 s keep-alive timeout, and 100
// requests), so further connections wait in the listen backlog instead: 0
// errors at 256 and 400, the same req/s. Apache's threads only wait for the
// daemon processes, which run the application, so they are cheap. Apache starts
// all its children at once and keeps them (--initial-workers and
// --maximum-spare-workers are fractions of ServerLimit), so a burst of
// connections neither waits for children to be spawned nor meets children
// being stopped (their keep-alive connections closed); the minimum spare
// fraction keeps Apache from logging "reached MaxRequestWorkers" while most
// of its threads are idle.
var modWSGIDefaults = []struct{ Env, Flag, Value string }{
	{"MOD_WSGI_SERVER_MPM", "--server-mpm", "worker"},
	{"MOD_WSGI_MAX_CLIENTS", "--max-clients", strconv.Itoa(ModWSGIMaxClients)},
	{"MOD_WSGI_DAEMON_BACKLOG", "--daemon-backlog", ""}, // at least the client limit
	{"MOD_WSGI_INITIAL_WORKERS", "--initial-workers", "1"},
	{"MOD_WSGI_MINIMUM_SPARE_WORKERS", "--minimum-spare-workers", "0.1"},
	{"MOD_WSGI_MAXIMUM_SPARE_WORKERS", "--maximum-spare-workers", "1"},
}

// ModWSGITuning is mod_wsgi's tuning: the MOD_WSGI_* variables that are set
// (ModWSGIFlags), then warpdrive's sizing of Apache's connection handling for
// each of modWSGIDefaults' variables that is not.
func ModWSGITuning(getenv func(string) (string, bool)) ([]string, error) {
	flags, err := ModWSGIFlags(getenv)
	if err != nil {
		return nil, err
	}
	clients := ModWSGIMaxClients
	if v, ok := getenv("MOD_WSGI_MAX_CLIENTS"); ok && v != "" {
		clients, _ = PositiveCount("MOD_WSGI_MAX_CLIENTS", v) // checked by ModWSGIFlags
	}
	for _, d := range modWSGIDefaults {
		if v, ok := getenv(d.Env); ok && v != "" {
			continue
		}
		value := d.Value
		if d.Env == "MOD_WSGI_DAEMON_BACKLOG" {
			value = strconv.Itoa(max(ModWSGIDaemonBacklog, clients))
		}
		flags = append(flags, d.Flag, value)
	}
	return flags, nil
}
