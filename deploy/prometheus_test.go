package deploy_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/retentiond/retentiond/agent/metrics"
)

var metricRe = regexp.MustCompile(`\bretentiond_[a-z0-9_]+\b`)

// checkMetricNames fails for every retentiond_ name in expr that the
// metrics package does not expose, so names cannot drift apart. It
// returns how many names expr uses.
func checkMetricNames(t *testing.T, where, expr string) int {
	t.Helper()
	known := metrics.New().Names()
	names := metricRe.FindAllString(expr, -1)
	for _, n := range names {
		if !slices.Contains(known, n) {
			t.Errorf("%s uses %s, which agent/metrics does not expose", where, n)
		}
	}
	return len(names)
}

type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Expr        string            `yaml:"expr"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

type ruleTests struct {
	Tests []struct {
		AlertRuleTest []struct {
			Alertname string `yaml:"alertname"`
			ExpAlerts []any  `yaml:"exp_alerts"`
		} `yaml:"alert_rule_test"`
	} `yaml:"tests"`
}

// ruleTestFiles are the promtool test files: prometheus/*_test.yml.
func ruleTestFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("prometheus/*_test.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no prometheus/*_test.yml: %v", err)
	}
	return files
}

// runbookBase is what every runbook_url starts with: a section of
// deploy/README.md.
const runbookBase = "https://github.com/retentiond/retentiond/blob/main/deploy/README.md#"

// TestAlertRules checks the rules' metric names and annotations, and that
// the promtool test files test every alert both firing and not firing.
// Every alert names the organisation and the instance in its summary (the
// organisation joined in from retentiond_info) and links its runbook.
func TestAlertRules(t *testing.T) {
	var rf ruleFile
	readYAML(t, "prometheus/alerts.yml", &rf)
	firing, quiet := map[string]bool{}, map[string]bool{}
	for _, f := range ruleTestFiles(t) {
		var rt ruleTests
		readYAML(t, f, &rt)
		for _, tc := range rt.Tests {
			for _, a := range tc.AlertRuleTest {
				if len(a.ExpAlerts) > 0 {
					firing[a.Alertname] = true
				} else {
					quiet[a.Alertname] = true
				}
			}
		}
	}
	n := 0
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			n++
			if checkMetricNames(t, "alert "+r.Alert, r.Expr) == 0 {
				t.Errorf("alert %s uses no retentiond metric", r.Alert)
			}
			if s := r.Labels["severity"]; s != "warning" && s != "critical" {
				t.Errorf("alert %s: severity %q, want warning or critical", r.Alert, s)
			}
			if r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
				t.Errorf("alert %s lacks a summary or description", r.Alert)
			}
			sum := r.Annotations["summary"]
			if !strings.Contains(sum, "$labels.organisation") || !strings.Contains(sum, "$labels.instance") {
				t.Errorf("alert %s: summary %q does not name the organisation and the instance", r.Alert, sum)
			}
			if !strings.Contains(r.Expr, "retentiond_info") {
				t.Errorf("alert %s: no organisation (retentiond_info) in its expression", r.Alert)
			}
			if u := r.Annotations["runbook_url"]; !strings.HasPrefix(u, runbookBase) {
				t.Errorf("alert %s: runbook_url %q, want a section of deploy/README.md (%s…)", r.Alert, u, runbookBase)
			}
			if !firing[r.Alert] || !quiet[r.Alert] {
				t.Errorf("alert %s: the prometheus/*_test.yml files must test it firing (%v) and not firing (%v)", r.Alert, firing[r.Alert], quiet[r.Alert])
			}
		}
	}
	for _, want := range []string{"RetentiondDown", "RetentiondMetricsAbsent", "RetentiondApplyFailing", "RetentiondJobFailing",
		"RetentiondConfigReloadFailed", "RetentiondNotificationsFailing", "RetentiondLockErrors"} {
		found := false
		for _, g := range rf.Groups {
			for _, r := range g.Rules {
				found = found || r.Alert == want
			}
		}
		if !found {
			t.Errorf("no alert %s", want)
		}
	}
	if n < 17 {
		t.Errorf("%d alert rules, want at least 17", n)
	}
	if strings.Contains(fmt.Sprint(rf), "absent(") {
		t.Error("an alert uses absent(), which cannot fire while another target is up: alert per target")
	}
}

// TestRunbooks: every runbook_url is a heading of deploy/README.md's
// "## Runbooks" section (GitHub's anchor: the heading lower-cased), and
// every runbook there belongs to an alert.
func TestRunbooks(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## Runbooks\n")
	if !ok {
		t.Fatal("deploy/README.md has no section ## Runbooks")
	}
	if i := strings.Index(section, "\n## "); i >= 0 {
		section = section[:i]
	}
	anchors := map[string]string{}
	for _, line := range strings.Split(section, "\n") {
		if h, ok := strings.CutPrefix(line, "### "); ok {
			anchors[strings.ToLower(strings.TrimSpace(h))] = h
		}
	}
	var rf ruleFile
	readYAML(t, "prometheus/alerts.yml", &rf)
	used := map[string]bool{}
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			a := strings.TrimPrefix(r.Annotations["runbook_url"], runbookBase)
			if _, ok := anchors[a]; !ok || a != strings.ToLower(r.Alert) {
				t.Errorf("alert %s: runbook #%s, want a heading ### %s under ## Runbooks", r.Alert, a, r.Alert)
			}
			used[a] = true
			body := section[strings.Index(section, "### "+r.Alert):]
			if end := strings.Index(body[4:], "\n### "); end >= 0 {
				body = body[:end+4]
			}
			if len(strings.Fields(body)) < 40 {
				t.Errorf("the runbook of %s is too short to be one (%d words)", r.Alert, len(strings.Fields(body)))
			}
		}
	}
	for a, h := range anchors {
		if !used[a] {
			t.Errorf("runbook ### %s belongs to no alert", h)
		}
	}
}

func TestPromtoolRules(t *testing.T) {
	promtool := tool(t, "promtool", "prometheus")
	if out, ok := run(t, "prometheus", promtool, "check", "rules", "alerts.yml"); !ok {
		t.Errorf("promtool check rules:\n%s", out)
	}
	for _, f := range ruleTestFiles(t) {
		if out, ok := run(t, "prometheus", promtool, "test", "rules", filepath.Base(f)); !ok {
			t.Errorf("promtool test rules %s:\n%s", f, out)
		}
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// writeRecordingRules writes exprs as recording rules, so that promtool
// check rules parses them as PromQL.
func writeRecordingRules(t *testing.T, path string, exprs []string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("groups:\n  - name: parse\n    rules:\n")
	for i, e := range exprs {
		q, _ := yaml.Marshal(e)
		b.WriteString("      - record: parse:expr" + string(rune('a'+i%26)) + strings.Repeat("x", i/26) + "\n        expr: " + strings.TrimSpace(string(q)) + "\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}
