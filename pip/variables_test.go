package pip

import (
	"errors"
	"reflect"
	"testing"
)

func TestExpandIndexVariables(t *testing.T) {
	env := map[string]string{"USER": "ana", "TOKEN": "s3cr$t", "EMPTY": ""}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	tests := []struct {
		name    string
		arg     string
		want    string
		missing string
	}{
		{"braces and bare names", "https://${USER}:$TOKEN@pypi.example/simple", "https://ana:s3cr$t@pypi.example/simple", ""},
		{"a value is not expanded again", "$TOKEN", "s3cr$t", ""},
		{"a set empty variable", "https://pypi.example/${EMPTY}simple", "https://pypi.example/simple", ""},
		{"no variable", "https://pypi.example/simple", "https://pypi.example/simple", ""},
		{"a lone dollar is kept", "https://pypi.example/$/simple", "https://pypi.example/$/simple", ""},
		{"an unset variable", "https://${NOPE}@pypi.example/simple", "", "NOPE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := expandIndexVariables([]string{"--index-url", tt.arg}, "Pipfile.lock", lookup)
			var unset IndexVariableError
			switch {
			case tt.missing != "":
				if !errors.As(err, &unset) || unset.Variable != tt.missing || unset.URL != tt.arg {
					t.Errorf("err = %v, want the unset %s in %s", err, tt.missing, tt.arg)
				}
			case err != nil:
				t.Fatal(err)
			case !reflect.DeepEqual(got, []string{"--index-url", tt.want}):
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
