package metrics

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// promtool returns the path of Prometheus's promtool. Under CI (the CI
// environment variable set) a missing promtool fails the test, so that a
// CI machine without it cannot pass by skipping; elsewhere the test is
// skipped with a note on how to install it.
func promtool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("promtool")
	if err == nil {
		return p
	}
	msg := "promtool not found; install it with: apt-get install -y --no-install-recommends prometheus"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// TestPromtoolCheckMetrics lints the handler's real output, the Go and
// process collectors' included, with promtool check metrics.
func TestPromtoolCheckMetrics(t *testing.T) {
	tool := promtool(t)
	srv := httptest.NewServer(fed().Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %d %v", resp.StatusCode, err)
	}
	for _, want := range []string{"retentiond_items_overdue{", "go_goroutines ", "go_info{"} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("the handler's output lacks %s", want)
		}
	}
	if checkMetrics(t, tool, body) != "" {
		t.Error("promtool check metrics found problems")
	}
	// promtool itself must be able to fail here: a counter without
	// _total is a problem it reports.
	bad := "# HELP retentiond_bad A counter.\n# TYPE retentiond_bad counter\nretentiond_bad 1\n"
	if checkMetrics(t, tool, []byte(bad)) == "" {
		t.Error("promtool check metrics accepted a counter without _total")
	}
}

// checkMetrics runs promtool check metrics on text and returns its
// complaints ("" if none).
func checkMetrics(t *testing.T, tool string, text []byte) string {
	t.Helper()
	cmd := exec.Command(tool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(text)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("running promtool: %v", err)
		}
		t.Logf("promtool check metrics:\n%s", out)
		return strings.TrimSpace(string(out)) + " (" + err.Error() + ")"
	}
	return strings.TrimSpace(string(out))
}
