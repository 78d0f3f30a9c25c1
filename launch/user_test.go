package launch

import (
	"strings"
	"testing"
)

func TestCheckUserRefusesRoot(t *testing.T) {
	tests := []struct {
		uid     int
		env     MapEnv
		refused bool
	}{
		{1001, MapEnv{}, false},
		{123456, MapEnv{}, false},
		{0, MapEnv{}, true},
		{0, MapEnv{AllowRootVariable: "1"}, false},
		{0, MapEnv{AllowRootVariable: "yes"}, true},
	}
	for _, tt := range tests {
		err := checkUser(tt.uid, tt.env)
		if (err != nil) != tt.refused {
			t.Errorf("uid %d, %v: err = %v, want refused %v", tt.uid, tt.env, err, tt.refused)
		}
		if err != nil && !strings.Contains(err.Error(), "[Running as root]") {
			t.Errorf("the message has no title: %v", err)
		}
	}
}
