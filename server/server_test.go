package server

import (
	"reflect"
	"strings"
	"testing"

	"github.com/warpdrive-buildpack/warpdrive/app"
)

func TestCommand(t *testing.T) {
	wsgi := app.Launch{Mode: app.ModeWSGI}
	django := Spec{Launch: wsgi, Home: "/workspace", Module: "mysite.wsgi", Callable: "application",
		StaticURL: "/static/", StaticDir: "/layers/warpdrive/static/django_static_root"}
	plain := Spec{Launch: wsgi, Home: "/workspace", Module: "wsgi", Callable: "application"}
	with := func(s Spec, server string) Spec { s.Server = server; return s }
	wrapped := with(django, app.ServerGunicorn)
	wrapped.WrapperModule = "warpdrive_whitenoise"

	tests := []struct {
		name string
		spec Spec
		want string
	}{
		{"mod_wsgi Django with static files", with(django, app.ServerModWSGI),
			"warpdrive-start mod_wsgi-express start-server --server-root /tmp/mod_wsgi-server --log-to-terminal --startup-log --port $PORT -- " +
				"--application-type module --entry-point mysite.wsgi --callable-object application " +
				"--url-alias /static/ /layers/warpdrive/static/django_static_root/ --working-directory /workspace"},
		{"mod_wsgi plain WSGI without static files", with(plain, app.ServerModWSGI),
			"warpdrive-start mod_wsgi-express start-server --server-root /tmp/mod_wsgi-server --log-to-terminal --startup-log --port $PORT -- " +
				"--application-type module --entry-point wsgi --callable-object application --working-directory /workspace"},
		{"gunicorn", with(plain, app.ServerGunicorn),
			"warpdrive-start gunicorn --log-file - --bind 0.0.0.0:$PORT -- --chdir /workspace wsgi:application"},
		{"gunicorn through the WhiteNoise wrapper", wrapped,
			"warpdrive-start gunicorn --log-file - --bind 0.0.0.0:$PORT -- --chdir /workspace warpdrive_whitenoise:application"},
		{"uwsgi with a static map", with(django, app.ServerUWSGI),
			"warpdrive-start uwsgi --master --http-socket :$PORT --enable-threads --threads=5 --thunder-lock --single-interpreter --die-on-term -- " +
				"--chdir /workspace --module mysite.wsgi --callable application --static-map /static/=/layers/warpdrive/static/django_static_root/"},
		{"waitress", with(plain, app.ServerWaitress),
			"warpdrive-start waitress-serve --port=$PORT --threads=5 -- wsgi:application"},
		{"paste.ini", Spec{Launch: app.Launch{Mode: app.ModePaste}, Home: "/workspace"},
			"warpdrive-start mod_wsgi-express start-server --server-root /tmp/mod_wsgi-server --log-to-terminal --startup-log --port $PORT -- " +
				"--application-type paste --entry-point /workspace/paste.ini --working-directory /workspace"},
		{"paste.ini with a static directory", Spec{Launch: app.Launch{Mode: app.ModePaste}, Home: "/workspace", StaticURL: "/static/", StaticDir: "/workspace/static"},
			"warpdrive-start mod_wsgi-express start-server --server-root /tmp/mod_wsgi-server --log-to-terminal --startup-log --port $PORT -- " +
				"--application-type paste --entry-point /workspace/paste.ini --url-alias /static/ /workspace/static/ --working-directory /workspace"},
		{"app.py", Spec{Launch: app.Launch{Mode: app.ModePython}, Home: "/workspace"}, "warpdrive-start python /workspace/app.py"},
		{"app.sh", Spec{Launch: app.Launch{Mode: app.ModeShell}, Home: "/workspace/src"}, "warpdrive-start /workspace/src/app.sh"},
		{"full control: base arguments only", Spec{Launch: app.Launch{Mode: app.ServerGunicorn}, Home: "/workspace", Module: "ignored"},
			"warpdrive-start gunicorn --log-file - --bind 0.0.0.0:$PORT --"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := strings.Join(Command(tt.spec), " "); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestBaseArgumentsMatchWarpdrive(t *testing.T) {
	// warpdrive's base command lines, port as the placeholder.
	want := map[string][]string{
		app.ServerGunicorn: {"gunicorn", "--log-file", "-", "--bind", "0.0.0.0:$PORT"},
		app.ServerWaitress: {"waitress-serve", "--port=$PORT", "--threads=5"},
	}
	for server, args := range want {
		if got := BaseArguments(server); !reflect.DeepEqual(got, args) {
			t.Errorf("BaseArguments(%s) = %v, want %v", server, got, args)
		}
	}
}
