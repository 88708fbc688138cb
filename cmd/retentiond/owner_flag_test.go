package main

import "testing"

// TestConfigFlag reads --config as the flag package does.
func TestConfigFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--config", "a.yaml", "--plan", "p"}, "a.yaml"},
		{[]string{"--plan", "p", "-config", "b.yaml"}, "b.yaml"},
		{[]string{"--config=c.yaml"}, "c.yaml"},
		{[]string{"-config=d.yaml", "--by", "x"}, "d.yaml"},
		{[]string{"add", "--config", "e.yaml"}, "e.yaml"},
		{[]string{"--by", "--config"}, ""},
		{[]string{"--", "--config", "f.yaml"}, ""},
		{[]string{"--configs", "g.yaml"}, ""},
		{[]string{"config", "h.yaml"}, ""},
	} {
		if got := configFlag(tc.args); got != tc.want {
			t.Errorf("configFlag(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
}
