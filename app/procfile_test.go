package app

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseProcfile(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []ProcessType
		// wantErr is the failing line and a fragment of the reason.
		wantLine int
		wantWhy  string
	}{
		{name: "blank file", text: "", want: nil},
		{name: "only blank lines and comments", text: "\n# web: gunicorn old:app\n   \n", want: nil},
		{name: "two process types", text: "web: gunicorn server:app\nworker: celery -A tasks worker\n",
			want: []ProcessType{{"web", "gunicorn server:app", 1}, {"worker", "celery -A tasks worker", 2}}},
		{name: "comments and blank lines keep line numbers", text: "# the site\n\nweb: gunicorn server:app\n  # indented comment: not a process\n",
			want: []ProcessType{{"web", "gunicorn server:app", 3}}},
		{name: "colons in the command", text: "web: gunicorn server:app --bind 0.0.0.0:$PORT\n",
			want: []ProcessType{{"web", "gunicorn server:app --bind 0.0.0.0:$PORT", 1}}},
		{name: "no space after the colon, whitespace around the command", text: "web:gunicorn server:app   \t\n",
			want: []ProcessType{{"web", "gunicorn server:app", 1}}},
		{name: "name characters", text: "release-task_2: python manage.py migrate\n",
			want: []ProcessType{{"release-task_2", "python manage.py migrate", 1}}},
		{name: "CRLF", text: "web: gunicorn server:app\r\nworker: rq worker\r\n",
			want: []ProcessType{{"web", "gunicorn server:app", 1}, {"worker", "rq worker", 2}}},
		{name: "BOM", text: "\uFEFFweb: gunicorn server:app\n",
			want: []ProcessType{{"web", "gunicorn server:app", 1}}},
		{name: "no final newline", text: "web: gunicorn server:app",
			want: []ProcessType{{"web", "gunicorn server:app", 1}}},

		{name: "colon only in the command", text: "web gunicorn server:app\n", wantLine: 1, wantWhy: `expected "name: command"`},
		{name: "no colon at all", text: "# ok\nweb gunicorn\n", wantLine: 2, wantWhy: `expected "name: command"`},
		{name: "empty command", text: "web:   \n", wantLine: 1, wantWhy: `"web" has no command`},
		{name: "invalid name", text: "web.1: gunicorn server:app\n", wantLine: 1, wantWhy: `"web.1" may only contain`},
		{name: "name with a space", text: "web app: gunicorn server:app\n", wantLine: 1, wantWhy: `expected "name: command"`},
		{name: "space before the colon", text: "web : gunicorn server:app\n", wantLine: 1, wantWhy: `"web " may only contain`},
		{name: "empty name", text: ": gunicorn server:app\n", wantLine: 1, wantWhy: `"" may only contain`},
		{name: "duplicate name", text: "web: gunicorn a:app\nworker: rq worker\nweb: gunicorn b:app\n", wantLine: 3, wantWhy: "already defined on line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseProcfile(tt.text)
			if tt.wantWhy != "" {
				var pe ProcfileError
				if !errors.As(err, &pe) || pe.Line != tt.wantLine || !strings.Contains(pe.Error(), tt.wantWhy) {
					t.Fatalf("err = %v, want a ProcfileError on line %d containing %q", err, tt.wantLine, tt.wantWhy)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Processes, tt.want) {
				t.Errorf("got %+v\nwant %+v", got.Processes, tt.want)
			}
		})
	}
}

func TestProcfileErrorNamesBothLines(t *testing.T) {
	_, err := parseProcfile("web: gunicorn a:app\n\nweb: gunicorn b:app\n")
	msg := err.Error()
	for _, want := range []string{"line 3", "line 1", "gunicorn b:app"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q does not mention %q", msg, want)
		}
	}
}

func TestReadProcfile(t *testing.T) {
	dir := t.TempDir()
	if _, ok, err := ReadProcfile(dir); ok || err != nil {
		t.Fatalf("no Procfile: ok = %v, err = %v", ok, err)
	}

	os.WriteFile(filepath.Join(dir, "Procfile"), []byte("web: gunicorn server:app\nworker: rq worker\n"), 0o644)
	p, ok, err := ReadProcfile(dir)
	if !ok || err != nil {
		t.Fatalf("ok = %v, err = %v", ok, err)
	}
	if web, ok := p.Get("web"); !ok || web.Command != "gunicorn server:app" || web.Line != 1 {
		t.Errorf("Get(web) = %+v, %v", web, ok)
	}
	if _, ok := p.Get("release"); ok {
		t.Error("Get(release) found a process type the Procfile does not have")
	}

	os.WriteFile(filepath.Join(dir, "Procfile"), nil, 0o644)
	if p, ok, err := ReadProcfile(dir); !ok || err != nil || len(p.Processes) != 0 {
		t.Errorf("empty Procfile: %+v, ok = %v, err = %v", p, ok, err)
	}

	// A broken Procfile exists (ok) and says why it is unusable.
	os.WriteFile(filepath.Join(dir, "Procfile"), []byte("web gunicorn\n"), 0o644)
	var pe ProcfileError
	if _, ok, err := ReadProcfile(dir); !ok || !errors.As(err, &pe) {
		t.Errorf("broken Procfile: ok = %v, err = %v", ok, err)
	}
}
