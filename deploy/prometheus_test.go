package deploy_test

import (
	"os"
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

// TestAlertRules checks the rules' metric names and annotations, and that
// alerts_test.yml tests every alert both firing and not firing.
func TestAlertRules(t *testing.T) {
	var rf ruleFile
	readYAML(t, "prometheus/alerts.yml", &rf)
	var rt ruleTests
	readYAML(t, "prometheus/alerts_test.yml", &rt)
	firing, quiet := map[string]bool{}, map[string]bool{}
	for _, tc := range rt.Tests {
		for _, a := range tc.AlertRuleTest {
			if len(a.ExpAlerts) > 0 {
				firing[a.Alertname] = true
			} else {
				quiet[a.Alertname] = true
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
			if !firing[r.Alert] || !quiet[r.Alert] {
				t.Errorf("alert %s: alerts_test.yml must test it firing (%v) and not firing (%v)", r.Alert, firing[r.Alert], quiet[r.Alert])
			}
		}
	}
	if n < 9 {
		t.Errorf("%d alert rules, want at least 9", n)
	}
}

func TestPromtoolRules(t *testing.T) {
	promtool := tool(t, "promtool", "prometheus")
	if out, ok := run(t, "prometheus", promtool, "check", "rules", "alerts.yml"); !ok {
		t.Errorf("promtool check rules:\n%s", out)
	}
	for _, f := range []string{"alerts_test.yml", "requests_test.yml"} {
		if out, ok := run(t, "prometheus", promtool, "test", "rules", f); !ok {
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
