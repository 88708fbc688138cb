package deploy_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type panel struct {
	ID         int    `json:"id"`
	Type       string `json:"type"`
	Title      string `json:"title"`
	Datasource *struct {
		UID string `json:"uid"`
	} `json:"datasource"`
	GridPos struct{ X, Y, W, H int } `json:"gridPos"`
	Targets []struct {
		Expr         string `json:"expr"`
		LegendFormat string `json:"legendFormat"`
		Datasource   *struct {
			UID string `json:"uid"`
		} `json:"datasource"`
	} `json:"targets"`
	FieldConfig struct {
		Defaults struct {
			Thresholds struct {
				Steps []struct {
					Color string   `json:"color"`
					Value *float64 `json:"value"`
				} `json:"steps"`
			} `json:"thresholds"`
		} `json:"defaults"`
	} `json:"fieldConfig"`
	Panels []panel `json:"panels"` // of a collapsed row
}

type dashboard struct {
	UID        string  `json:"uid"`
	Title      string  `json:"title"`
	Panels     []panel `json:"panels"`
	Templating struct {
		List []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Query any    `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

func readDashboard(t *testing.T) dashboard {
	t.Helper()
	data, err := os.ReadFile("grafana/retentiond.json")
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("grafana/retentiond.json: %v", err)
	}
	return d
}

// allPanels flattens rows.
func allPanels(ps []panel) []panel {
	var out []panel
	for _, p := range ps {
		out = append(out, p)
		out = append(out, allPanels(p.Panels)...)
	}
	return out
}

// exprs returns every query of the dashboard with the panel it is in.
func exprs(d dashboard) map[string]string {
	out := map[string]string{}
	for _, p := range allPanels(d.Panels) {
		for i, tg := range p.Targets {
			out[p.Title+"#"+string(rune('A'+i))] = tg.Expr
		}
	}
	return out
}

func TestDashboard(t *testing.T) {
	d := readDashboard(t)
	if d.UID == "" || d.Title == "" {
		t.Error("the dashboard needs a uid and a title for provisioning")
	}
	vars := map[string]string{}
	for _, v := range d.Templating.List {
		vars[v.Name] = v.Type
	}
	if vars["datasource"] != "datasource" || vars["store"] != "query" || vars["organisation"] != "query" || vars["instance"] != "query" {
		t.Errorf("variables %v, want datasource (type datasource) and organisation, instance and store (type query)", vars)
	}
	ids := map[int]bool{}
	for _, p := range allPanels(d.Panels) {
		if ids[p.ID] {
			t.Errorf("panel id %d used twice", p.ID)
		}
		ids[p.ID] = true
		if p.Type == "row" {
			continue
		}
		if p.Datasource == nil || p.Datasource.UID != "${datasource}" {
			t.Errorf("panel %q does not use the datasource variable", p.Title)
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			if tg.Datasource == nil || tg.Datasource.UID != "${datasource}" {
				t.Errorf("a query of panel %q does not use the datasource variable", p.Title)
			}
		}
	}
	// The overdue count comes first (top left), as a stat that turns red
	// from 1.
	first := d.Panels[0]
	for _, p := range d.Panels {
		if p.GridPos.Y < first.GridPos.Y || p.GridPos.Y == first.GridPos.Y && p.GridPos.X < first.GridPos.X {
			first = p
		}
	}
	if first.Type != "stat" || len(first.Targets) != 1 || !strings.Contains(first.Targets[0].Expr, "retentiond_items_overdue") {
		t.Errorf("the top-left panel is %s %q, want a stat of retentiond_items_overdue", first.Type, first.Title)
	}
	steps := first.FieldConfig.Defaults.Thresholds.Steps
	if len(steps) < 2 || steps[len(steps)-1].Color != "red" || steps[len(steps)-1].Value == nil || *steps[len(steps)-1].Value > 1 {
		t.Errorf("the overdue stat's thresholds %v do not turn red at 1", steps)
	}
}

// TestDashboardMetricNames checks that every query names only metrics the
// metrics package exposes, and that together they use most of them.
func TestDashboardMetricNames(t *testing.T) {
	used := map[string]bool{}
	for where, e := range exprs(readDashboard(t)) {
		if checkMetricNames(t, "panel "+where, e) == 0 {
			t.Errorf("panel %s uses no retentiond metric", where)
		}
		for _, n := range metricRe.FindAllString(e, -1) {
			used[n] = true
		}
	}
	if len(used) < 20 {
		t.Errorf("the dashboard uses %d metric series names, want at least 20", len(used))
	}
}

// TestDashboardPromQL parses every query with promtool, Grafana's
// variables replaced.
func TestDashboardPromQL(t *testing.T) {
	promtool := tool(t, "promtool", "prometheus")
	r := strings.NewReplacer("$__rate_interval", "5m", "$store", ".*", "$organisation", ".*", "$instance", ".*")
	var list []string
	for _, e := range exprs(readDashboard(t)) {
		list = append(list, r.Replace(e))
	}
	path := filepath.Join(t.TempDir(), "dashboard-rules.yml")
	writeRecordingRules(t, path, list)
	if out, ok := run(t, ".", promtool, "check", "rules", path); !ok {
		t.Errorf("a dashboard query is not valid PromQL:\n%s", out)
	}
}

// TestDashboardPerOrganisation: one dashboard for a fleet. Every panel
// shows its figures per organisation (retentiond_info's organisation
// joined in, filtered by the organisation and instance variables, and
// named in the legend), and a fleet view shows plans waiting and items
// overdue per organisation, and which targets are down.
func TestDashboardPerOrganisation(t *testing.T) {
	d := readDashboard(t)
	for _, p := range allPanels(d.Panels) {
		for i, tg := range p.Targets {
			where := p.Title + "#" + string(rune('A'+i))
			if !strings.Contains(tg.Expr, "retentiond_info{") || !strings.Contains(tg.Expr, `organisation=~"$organisation"`) ||
				!strings.Contains(tg.Expr, `instance=~"$instance"`) {
				t.Errorf("panel %s: %s is not per organisation (join retentiond_info{organisation=~\"$organisation\", instance=~\"$instance\"})", where, tg.Expr)
			}
			if !strings.Contains(tg.LegendFormat, "{{organisation}}") {
				t.Errorf("panel %s: legend %q does not name the organisation", where, tg.LegendFormat)
			}
		}
	}
	for _, want := range []struct{ metric, by string }{
		{"retentiond_plans_pending_approval", "by (organisation)"},
		{"retentiond_items_overdue", "by (organisation)"},
		{`up{job="retentiond"`, "instance"},
	} {
		found := false
		for _, p := range allPanels(d.Panels) {
			if !strings.Contains(strings.ToLower(p.Title), "fleet") {
				continue
			}
			for _, tg := range p.Targets {
				found = found || strings.Contains(tg.Expr, want.metric) && strings.Contains(tg.Expr, want.by)
			}
		}
		if !found {
			t.Errorf("no fleet panel shows %s %s", want.metric, want.by)
		}
	}
}
