package console

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent"
	"github.com/retentiond/retentiond/agent/console/auth"
	"github.com/retentiond/retentiond/agent/demo"
	"github.com/retentiond/retentiond/agent/keys"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

// The console on the real service and the demo organisation: sign in
// with the demo's account, open the plan, exclude a person's items,
// approve, apply now; the plan is applied without the excluded items,
// and the ledger verifies.
func TestConsoleOnTheDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo organisation")
	}
	ctx := context.Background()
	dir := t.TempDir()
	asOf := rules.MakeDate(2026, 12, 8)
	cfgPath, err := demo.Generate(dir, asOf, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Generate(filepath.Join(dir, "keys"), keys.NameFor("demo")); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 12, 8, 10, 0, 0, 0, cfg.Location) }
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	svc, err := agent.New(cfg, agent.Options{Log: log, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Plan(ctx, agent.PlanOptions{AsOf: asOf}); err != nil {
		t.Fatal(err)
	}
	password, err := demo.AddConsoleAccount(cfg.StateDir, cfg.PseudonymKeyFile, now())
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewUnstartedServer(mux)
	cfg.Console.PublicURL = "http://" + srv.Listener.Addr().String() + "/"
	a, err := auth.New(ctx, cfg, auth.Options{Log: log})
	if err != nil {
		t.Fatal(err)
	}
	con, err := New(svc, FromAuth(a), cfg, Options{Log: log})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/", con)
	srv.Start()
	defer srv.Close()
	s := &site{t: t, srv: srv, cfg: cfg, logs: logs}
	c := s.browser("")
	if resp, _ := s.do(c, "POST", "/login", url.Values{"name": {demo.ConsoleAccount}, "password": {password}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %s", resp.Status)
	}
	plans, err := svc.Plans()
	if err != nil || len(plans) != 1 {
		t.Fatalf("plans %v, %v", plans, err)
	}
	id := plans[0].ID
	if body := s.get(c, "/"); !strings.Contains(body, `href="/plans/`+id+`"`) {
		t.Fatal("the overview does not show the waiting plan")
	}
	body := s.get(c, "/plans/"+id+"?action=delete")
	// the first deletion's person: exclude all of that person's items
	m := regexp.MustCompile(`<tr data-item="([0-9]+)"[^>]*>.*?href="/plans/` + id + `/persons/([0-9]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no deletion of a person on the plan page")
	}
	person, excludedItem := m[2], m[1]
	// a deletion of someone else, to be carried out
	other := ""
	for _, r := range regexp.MustCompile(`<tr data-item="([0-9]+)"[^>]*>.*?href="/plans/`+id+`/persons/([0-9]+)"`).FindAllStringSubmatch(body, -1) {
		if r[2] != person {
			other = r[1]
			break
		}
	}
	if other == "" {
		t.Fatal("no deletion of a second person on the plan page")
	}
	pbody := s.get(c, "/plans/"+id+"/persons/"+person)
	items := rowsOf(pbody)
	if resp, body := s.do(c, "POST", "/plans/"+id+"/exclude", url.Values{"person": {person}, "reason": {"ouders in gesprek"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("exclude: %s\n%s", resp.Status, body)
	}
	ex, err := svc.Excluded(id)
	if err != nil || len(ex) != len(items) {
		t.Fatalf("excluded %v (%v), want the person's %d items", ex, err, len(items))
	}
	s.get(c, "/plans/"+id+"/items/"+m[1]) // the item page with the real explain
	if resp, body := s.do(c, "POST", "/plans/"+id+"/approve", url.Values{"comment": {"gezien"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %s\n%s", resp.Status, body)
	}
	if plans, _ = svc.Plans(); plans[0].State != agent.StateApproved {
		t.Fatalf("after approve the plan is %s", plans[0].State)
	}
	if resp, body := s.do(c, "POST", "/plans/"+id+"/apply", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply: %s\n%s", resp.Status, body)
	}
	if plans, _ = svc.Plans(); plans[0].State != agent.StateApplied {
		t.Fatalf("after apply the plan is %s", plans[0].State)
	}
	// the plan page tells what the apply did, once
	flash := regexp.MustCompile(`id="flash">Het plan is uitgevoerd: ([0-9]+) gedaan, [0-9]+ overgeslagen \(veranderd sinds het plan\), [0-9]+ al weg, 0 mislukt, ([0-9]+) uitgezonderd`)
	if m := flash.FindStringSubmatch(s.get(c, "/plans/"+id)); m == nil || m[1] == "0" || m[2] != strconv.Itoa(len(items)) {
		t.Fatalf("the plan page after apply says %v; want items done and the %d excluded", m, len(items))
	}
	if strings.Contains(s.get(c, "/plans/"+id), `id="flash"`) {
		t.Fatal("the apply's message is shown twice")
	}
	st, err := svc.VerifyLedger(ctx)
	if err != nil || !st.OK {
		t.Fatalf("ledger: %+v %v", st, err)
	}
	for _, page := range []string{"/", "/ledger"} {
		if body := s.get(c, page); !strings.Contains(body, `id="ledger-ok"`) {
			t.Fatalf("%s does not say the ledger verifies", page)
		}
	}
	// the deleted item has its proof in the ledger; the excluded one,
	// left alone, has none
	if body := s.get(c, "/plans/"+id+"/items/"+other+"/proof"); !strings.Contains(body, `id="proof-text"`) {
		t.Fatalf("no proof of the deletion of item %s:\n%s", other, body)
	}
	if body := s.get(c, "/plans/"+id+"/items/"+excludedItem+"/proof"); !strings.Contains(body, `id="proof-error"`) {
		t.Fatalf("the excluded item %s has a proof of deletion:\n%s", excludedItem, body)
	}
	if logs := logs.String(); strings.Contains(logs, "ouders in gesprek") {
		t.Fatal("the log holds the reviewer's reason")
	}
}
