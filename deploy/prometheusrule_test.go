package deploy_test

import (
	"bytes"
	"flag"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

var update = flag.Bool("update", false, "rewrite kubernetes/prometheusrule.yaml from prometheus/alerts.yml")

// kubePrometheusStack is the label a default kube-prometheus-stack
// (Helm release kube-prometheus-stack) selects ServiceMonitors and
// PrometheusRules by.
var kubePrometheusStack = map[string]any{"release": "kube-prometheus-stack"}

const prometheusRuleHeader = `# The alert rules of deploy/prometheus/alerts.yml for the Prometheus
# Operator. Made from alerts.yml: do not edit; change alerts.yml and run
#   go test ./deploy -run TestPrometheusRule -update
# The release label is what a default kube-prometheus-stack selects rules
# by: set it to your Helm release's name. The rules cover every
# organisation the Prometheus scrapes: with an overlay per organisation,
# one copy per cluster is enough (copies in several namespaces evaluate
# the same rules again; Alertmanager merges their identical alerts).
`

// TestPrometheusRule: the PrometheusRule holds exactly alerts.yml's
// groups, with the label kube-prometheus-stack selects. -update writes it.
func TestPrometheusRule(t *testing.T) {
	data, err := os.ReadFile("prometheus/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []any `yaml:"groups"`
	}
	if err := yaml.Unmarshal(data, &rules); err != nil {
		t.Fatal(err)
	}
	if *update {
		pr := yaml.MapSlice{
			{Key: "apiVersion", Value: "monitoring.coreos.com/v1"},
			{Key: "kind", Value: "PrometheusRule"},
			{Key: "metadata", Value: yaml.MapSlice{
				{Key: "name", Value: "retentiond"},
				{Key: "labels", Value: yaml.MapSlice{
					{Key: "app.kubernetes.io/name", Value: "retentiond"},
					{Key: "release", Value: "kube-prometheus-stack"},
				}},
			}},
			{Key: "spec", Value: yaml.MapSlice{{Key: "groups", Value: rules.Groups}}},
		}
		var b bytes.Buffer
		b.WriteString(prometheusRuleHeader)
		enc := yaml.NewEncoder(&b, yaml.UseLiteralStyleIfMultiline(true), yaml.Indent(2), yaml.IndentSequence(true))
		if err := enc.Encode(pr); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("kubernetes/prometheusrule.yaml", b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pr := byKind(t, manifests(t), "PrometheusRule")
	if str(pr, "apiVersion") != "monitoring.coreos.com/v1" {
		t.Errorf("PrometheusRule apiVersion %q", str(pr, "apiVersion"))
	}
	if got := get(pr, "spec", "groups"); !reflect.DeepEqual(got, any(rules.Groups)) {
		t.Error("kubernetes/prometheusrule.yaml does not hold prometheus/alerts.yml's groups: run go test ./deploy -run TestPrometheusRule -update")
	}
	labels, _ := get(pr, "metadata", "labels").(map[string]any)
	for k, v := range kubePrometheusStack {
		if labels[k] != v {
			t.Errorf("PrometheusRule label %s=%v, want %v (kube-prometheus-stack's default ruleSelector)", k, labels[k], v)
		}
	}
}

// TestServiceMonitorForKubePrometheusStack: a default kube-prometheus-stack
// selects the ServiceMonitor (its release label), and the scrape job is
// named retentiond in every namespace and overlay (jobLabel: the Service's
// app.kubernetes.io/name), as the alert rules' up{job="retentiond"} needs.
func TestServiceMonitorForKubePrometheusStack(t *testing.T) {
	ms := manifests(t)
	sm := byKind(t, ms, "ServiceMonitor")
	labels, _ := get(sm, "metadata", "labels").(map[string]any)
	for k, v := range kubePrometheusStack {
		if labels[k] != v {
			t.Errorf("ServiceMonitor label %s=%v, want %v (kube-prometheus-stack's default serviceMonitorSelector)", k, labels[k], v)
		}
	}
	jl := str(sm, "spec", "jobLabel")
	svc := byName(t, ms, "Service", "retentiond")
	if jl == "" || str(svc, "metadata", "labels", jl) != "retentiond" {
		t.Errorf("ServiceMonitor jobLabel %q: the Service's label gives job %q, want retentiond", jl, str(svc, "metadata", "labels", jl))
	}
	alerts, err := os.ReadFile("prometheus/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(alerts), `up{job="retentiond"}`) {
		t.Error(`alerts.yml does not select up{job="retentiond"}; keep the job name and the rules in step`)
	}
}
