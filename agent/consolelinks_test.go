package agent

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/retentiond/retentiond/agent/notify"
)

// events is a notifier that keeps what it is told.
type events struct {
	mu sync.Mutex
	es []notify.Event
}

func (n *events) Notify(_ context.Context, e notify.Event) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.es = append(n.es, e)
	return nil
}

// TestConsoleLinks: a plan in the state dir links its report to its page
// in the console; a plan written elsewhere (--out), which the console
// does not list, names the approve command instead; the nightly plan's
// notification carries the console's address and the plan's id.
func TestConsoleLinks(t *testing.T) {
	s := demoService(t)
	told := &events{}
	s.notify = told
	base := s.cfg.Console.PublicURL
	if !s.cfg.Console.Enabled() || base == "" {
		t.Fatalf("the demo's console is off (%q)", base)
	}
	res := mustPlan(t, s)
	b, err := os.ReadFile(filepath.Join(res.Dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if link := base + "plans/" + filepath.Base(res.Dir); !bytes.Contains(b, []byte(link)) {
		t.Errorf("report.html of a plan in the state dir does not link to %s", link)
	}

	out := filepath.Join(t.TempDir(), "elders")
	if _, err := s.Plan(t.Context(), PlanOptions{AsOf: demoDay, Out: out}); err != nil {
		t.Fatal(err)
	}
	b, err = os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(base+"plans/")) || !bytes.Contains(b, []byte("retentiond approve")) {
		t.Errorf("report.html of a plan outside the state dir links to the console or names no approve command")
	}

	if err := s.NightlyPlan(t.Context()); err != nil {
		t.Fatal(err)
	}
	told.mu.Lock()
	defer told.mu.Unlock()
	var ready *notify.Event
	for i := range told.es {
		if told.es[i].Kind == notify.KindPlanReady {
			ready = &told.es[i]
		}
	}
	if ready == nil {
		t.Fatalf("the nightly plan told nothing of a plan ready: %+v", told.es)
	}
	if ready.Console != base || ready.PlanID == "" || !strings.HasPrefix(ready.PlanPath, filepath.Join(s.cfg.StateDir, "plans", ready.PlanID)) {
		t.Errorf("plan ready: console %q, plan id %q, path %q", ready.Console, ready.PlanID, ready.PlanPath)
	}
}
