package server

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestDerived(t *testing.T) {
	django := Entry{Home: "/workspace", Module: "mysite.wsgi", Callable: "application",
		StaticURL: "/static/", StaticDir: "/layers/warpdrive/static/django_static_root"}
	plain := Entry{Home: "/workspace", Module: "wsgi", Callable: "app"}
	wrapped := django
	wrapped.Wrapped = true
	asgi := Entry{Home: "/workspace", Module: "main", Callable: "app", ASGI: true}
	asgiWrapped := asgi
	asgiWrapped.Wrapped = true

	tests := []struct {
		name   string
		server string
		entry  Entry
		want   string
	}{
		{"mod_wsgi with static files (the alias gets the URL's trailing slash)", ModWSGI, django,
			"--application-type module --entry-point mysite.wsgi --callable-object application " +
				"--url-alias /static/ /layers/warpdrive/static/django_static_root/ --working-directory /workspace"},
		{"mod_wsgi without static files", ModWSGI, plain,
			"--application-type module --entry-point wsgi --callable-object app --working-directory /workspace"},
		{"gunicorn", Gunicorn, plain, "--chdir /workspace wsgi:app"},
		{"gunicorn through the WhiteNoise wrapper", Gunicorn, wrapped, "--chdir /workspace warpdrive_whitenoise:application"},
		{"uwsgi with a static map", UWSGI, django,
			"--chdir /workspace --module mysite.wsgi --callable application --static-map /static/=/layers/warpdrive/static/django_static_root/"},
		{"waitress", Waitress, plain, "wsgi:app"},
		{"waitress through the wrapper", Waitress, wrapped, "warpdrive_whitenoise:application"},
		{"uvicorn", Uvicorn, asgi, "--app-dir /workspace main:app"},
		{"uvicorn through the Starlette wrapper", Uvicorn, asgiWrapped, "--app-dir /workspace warpdrive_asgi_static:application"},
		{"hypercorn", Hypercorn, asgi, "main:app"},
		{"daphne through the Starlette wrapper", Daphne, asgiWrapped, "warpdrive_asgi_static:application"},
		{"gunicorn with uvicorn's worker for ASGI", Gunicorn, asgiWrapped,
			"--worker-class uvicorn.workers.UvicornWorker --chdir /workspace warpdrive_asgi_static:application"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ok := Lookup(tt.server)
			if !ok {
				t.Fatalf("no server %s", tt.server)
			}
			if got := strings.Join(s.Derived(tt.entry), " "); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestPasteDerived(t *testing.T) {
	e := Entry{Home: "/workspace", StaticURL: "/static/", StaticDir: "/workspace/static"}
	want := "--application-type paste --entry-point /workspace/paste.ini --url-alias /static/ /workspace/static/ --working-directory /workspace"
	if got := strings.Join(PasteDerived(e, "/workspace/paste.ini"), " "); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// Every server listens on $PORT, and a server that cannot serve static files
// itself has WhiteNoise among the packages it brings.
func TestTableIsComplete(t *testing.T) {
	if Names()[0] != Default {
		t.Errorf("Names() = %v, the default %s must come first", Names(), Default)
	}
	for _, name := range Names() {
		s, _ := Lookup(name)
		if !strings.Contains(strings.Join(s.Command(), " "), Port) {
			t.Errorf("%s's base command %v does not listen on %s", name, s.Command(), Port)
		}
		if s.Static == StaticByWrapper && s.Speaks(WSGI) && !slices.Contains(s.Packages, "whitenoise") {
			t.Errorf("%s serves static files through WhiteNoise but does not install it: %v", name, s.Packages)
		}
		if s.Static == StaticByWrapper && s.Speaks(ASGI) && !slices.Contains(s.PackagesFor(ASGI), "starlette") {
			t.Errorf("%s serves an ASGI app's static files through Starlette but does not install it: %v", name, s.PackagesFor(ASGI))
		}
		if !s.CompiledModule && !slices.Contains(s.Packages, name) {
			t.Errorf("%s is not installed: packages %v", name, s.Packages)
		}
		if c := s.Concurrency; c.Unit == "" || (c.Flag == "" && c.Env == "" && !c.OneProcess) {
			t.Errorf("%s has no way to receive the worker count: %+v", name, s.Concurrency)
		}
	}
	if _, ok := Lookup("nginx"); ok {
		t.Error("Lookup(nginx) found a server")
	}
}

func TestConcurrencyArgs(t *testing.T) {
	tests := []struct {
		c    Concurrency
		want []string
	}{
		{Concurrency{Flag: "--processes"}, []string{"--processes", "3"}},
		{Concurrency{Flag: "--threads="}, []string{"--threads=3"}},
		{Concurrency{Env: "WEB_CONCURRENCY"}, nil},
	}
	for _, tt := range tests {
		if got := tt.c.Args("3"); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%+v.Args(3) = %v, want %v", tt.c, got, tt.want)
		}
	}
}

func TestProtocols(t *testing.T) {
	if got := strings.Join(NamesFor(ASGI), ", "); got != "uvicorn, hypercorn, daphne, gunicorn (with uvicorn's worker)" {
		t.Errorf("NamesFor(ASGI) = %s", got)
	}
	if got := strings.Join(NamesFor(WSGI), ", "); got != "mod_wsgi, gunicorn, uwsgi, waitress" {
		t.Errorf("NamesFor(WSGI) = %s", got)
	}
	if s, _ := Lookup(DefaultASGI); !s.Speaks(ASGI) || s.Speaks(WSGI) {
		t.Errorf("the default ASGI server %s speaks %v", DefaultASGI, s.Protocols)
	}
	g, _ := Lookup(Gunicorn)
	if !slices.Contains(g.PackagesFor(ASGI), "uvicorn") || slices.Contains(g.PackagesFor(WSGI), "uvicorn") {
		t.Errorf("gunicorn's packages: WSGI %v, ASGI %v", g.PackagesFor(WSGI), g.PackagesFor(ASGI))
	}
}

func TestSwitchOn(t *testing.T) {
	tests := map[string]bool{"": false, "0": false, "false": false, " No ": false, "OFF": false,
		"1": true, "true": true, "yes": true, "on": true, "anything": true}
	for in, want := range tests {
		if got := SwitchOn(in); got != want {
			t.Errorf("SwitchOn(%q) = %v, want %v", in, got, want)
		}
	}
}
