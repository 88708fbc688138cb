package deploy_test

import (
	"os"
	"os/exec"
	"testing"
)

// tool returns the path of an external checker. Under CI (the CI
// environment variable set) a missing tool fails the test, so that a CI
// machine without it cannot pass by skipping; elsewhere the test is
// skipped with the Debian package that provides it.
func tool(t *testing.T, name, apt string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	msg := name + " not found; install it with: apt-get install -y --no-install-recommends " + apt
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// run runs a command and returns its combined output and whether it
// exited 0; it fails the test if the command could not be started.
func run(t *testing.T, dir, name string, args ...string) (string, bool) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("running %s: %v", name, err)
		}
		return string(out), false
	}
	return string(out), true
}
