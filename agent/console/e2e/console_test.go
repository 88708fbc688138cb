package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/retentiond/retentiond/agent"
	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

// TestReviewInTheBrowserLocalAccount: an administrator with a local
// account signs in, filters the demo's plan, leaves one person's items
// out, approves; a cross-origin form cannot undo it, a viewer cannot
// approve; the night's apply carries the plan out without the person's
// items, and the ledger names the approval and the exclusion by the
// approver's pseudonym, never by name.
func TestReviewInTheBrowserLocalAccount(t *testing.T) {
	s := newSite(t, nil)
	s.addUser("anna", "lang-genoeg-wachtwoord-1", config.RoleApprover)
	s.addUser("victor", "lang-genoeg-wachtwoord-2", config.RoleViewer)
	ctx := browser(t)

	// Signed out, the plan's page sends the browser to sign in.
	do(t, ctx, "open plan", chromedp.Navigate(s.srv.URL+"/plans/"+s.plan))
	if u := location(t, ctx); !strings.Contains(u, "/login") {
		t.Fatalf("signed out, /plans/ID went to %s, not the sign-in page", u)
	}
	signInLocal(t, ctx, "anna", "lang-genoeg-wachtwoord-1")
	s.reviewAndApprove(t, ctx, "anna")

	// A form on another origin posting to the console (with anna's
	// cookie, which a same-site page on another port would send) is
	// refused, and the plan stays approved.
	s.crossOrigin(t, ctx)

	// A viewer sees no approve button and gets 403 on the POST.
	vctx := browser(t)
	do(t, vctx, "viewer opens plan", chromedp.Navigate(s.srv.URL+"/plans/"+s.plan))
	signInLocal(t, vctx, "victor", "lang-genoeg-wachtwoord-2")
	do(t, vctx, "viewer's plan page", chromedp.WaitVisible(chromedp.CSS("#plan-summary")))
	if n := eval[int](t, vctx, `document.querySelectorAll('#approve, #reject, #apply-now, #exclude-selected').length`); n != 0 {
		t.Errorf("a viewer sees %d approve/reject/apply/exclude buttons", n)
	}
	status := eval[int](t, vctx, fmt.Sprintf(`fetch('/plans/%s/approve', {method: 'POST', body: new URLSearchParams({comment: 'ik ook'})}).then(r => r.status)`, s.plan))
	if status != http.StatusForbidden {
		t.Errorf("a viewer's approve POST answered %d, want 403", status)
	}

	s.applyAndCheck(t, "anna", func() {
		if err := s.svc.NightlyApply(context.Background()); err != nil {
			t.Fatalf("the apply job: %v", err)
		}
	})
}

// TestReviewInTheBrowserOIDC: the same review, signed in through an
// OpenID Connect provider (mockoidc, in-process) with the role given by
// the config to the person's e-mail address; the approver then applies
// at once with the console's apply now.
func TestReviewInTheBrowserOIDC(t *testing.T) {
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ln, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown() })
	secret := filepath.Join(t.TempDir(), "client-secret")
	if err := os.WriteFile(secret, []byte(m.ClientSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := newSite(t, func(c *config.Config) {
		c.Console.OIDC = &config.OIDC{Issuer: m.Issuer(), ClientID: m.ClientID, ClientSecretFile: secret,
			Scopes: []string{"email", "profile", "groups"}, GroupsClaim: "groups"}
		c.Console.Roles = []config.RoleGrant{{Role: config.RoleApprover, Emails: []string{"p.dekker@kinderopvang.example"}}}
	})
	m.QueueUser(&mockoidc.MockUser{Subject: "entra-42", Email: "p.dekker@kinderopvang.example", EmailVerified: true, PreferredUsername: "Pim Dekker"})
	ctx := browser(t)
	do(t, ctx, "open plan", chromedp.Navigate(s.srv.URL+"/plans/"+s.plan))
	if u := location(t, ctx); !strings.Contains(u, "/login") {
		t.Fatalf("signed out, /plans/ID went to %s, not the sign-in page", u)
	}
	submit(t, ctx, "#oidc")
	waitAway(t, ctx, "/login")
	do(t, ctx, "signed in with the provider", chromedp.WaitVisible(chromedp.CSS("#plan-summary")))
	who := eval[string](t, ctx, `document.body.innerText`)
	name := "Pim Dekker"
	if !strings.Contains(who, name) {
		name = "p.dekker@kinderopvang.example"
		if !strings.Contains(who, name) {
			t.Fatalf("the console does not show who signed in:\n%.400s", who)
		}
	}
	s.reviewAndApprove(t, ctx, name)
	// This time the approver does not wait for the night: "apply now".
	s.applyAndCheck(t, name, func() {
		do(t, ctx, "apply now", chromedp.WaitVisible(chromedp.CSS("#apply-now")))
		acceptConfirms(t, ctx)
		submit(t, ctx, "#apply-now")
	})
	k, err := s.svc.Pseudonyms()
	if err != nil {
		t.Fatal(err)
	}
	started := false
	for _, line := range strings.Split(s.ledgerText(), "\n") {
		started = started || strings.Contains(line, `"action":"apply-started"`) && strings.Contains(line, approval.ApproverPseudonym(k, name)+" via console")
	}
	if !started {
		t.Error("the ledger does not say who pressed apply now")
	}
}

// excluded is what reviewAndApprove left out, for applyAndCheck.
type excluded struct {
	items map[int]bool
	paths []string // local files of the person's delete items
	name  string   // the person's name (must not reach the ledger)
}

var left = map[*site]*excluded{}

// reviewAndApprove, signed in as an approver on any page: open the plan,
// filter to deletions, open a person of a deleted local file, leave all
// that person's items out with a reason, and approve with a comment.
func (s *site) reviewAndApprove(t *testing.T, ctx context.Context, approver string) {
	t.Helper()
	f := s.planFile()
	do(t, ctx, "open plan",
		chromedp.Navigate(s.srv.URL+"/plans/"+s.plan),
		chromedp.WaitVisible(chromedp.CSS("#plan-summary")),
		chromedp.SetValue(chromedp.CSS("#f-action"), "delete"),
	)
	submit(t, ctx, "#filter-go")
	if u := location(t, ctx); !strings.Contains(u, "action=delete") {
		t.Fatalf("the filter did not reach the URL: %s", u)
	}
	actions := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('#items tbody tr td[class^=act-]')).map(td => td.className)`)
	if len(actions) == 0 {
		t.Fatal("no items to delete on the filtered page")
	}
	for _, a := range actions {
		if a != "act-delete" {
			t.Fatalf("filtered to deletions, the page lists %s", a)
		}
	}
	rows := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('#items tbody tr[data-item]')).map(tr => tr.dataset.item)`)
	pick := 0
	for _, r := range rows {
		n, _ := strconv.Atoi(r)
		if n < 1 || n > len(f.Items) {
			t.Fatalf("row data-item %q is not an item number", r)
		}
		it := f.Items[n-1]
		if it.Subject == nil || it.Action != rules.Delete {
			continue
		}
		if p := s.recordPath(it); p != "" {
			if _, err := os.Stat(p); err == nil {
				pick = n
				break
			}
		}
	}
	if pick == 0 {
		t.Fatal("no row of the filtered page is a person's local file to delete")
	}
	person := f.Items[pick-1].Subject
	submit(t, ctx, fmt.Sprintf(`#items tr[data-item="%d"] a[href*="/persons/"]`, pick))
	do(t, ctx, "the person's page", chromedp.WaitVisible(chromedp.CSS("#person-form")))
	if u := location(t, ctx); strings.Contains(u, person.ID) || strings.Contains(u, strings.Fields(person.Name)[0]) {
		t.Errorf("the person's page URL names the person: %s", u)
	}
	do(t, ctx, "exclude the person's items", chromedp.SetValue(chromedp.CSS("#reason-person"), "lopende klacht van de ouders"))
	submit(t, ctx, "#exclude-person")
	ex := &excluded{items: map[int]bool{}, name: person.Name}
	for i, it := range f.Items {
		if it.Subject != nil && it.Subject.Type == person.Type && it.Subject.ID == person.ID {
			ex.items[i+1] = true
			if it.Action == rules.Delete {
				if p := s.recordPath(it); p != "" {
					ex.paths = append(ex.paths, p)
				}
			}
		}
	}
	got, err := s.svc.Excluded(s.plan)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ex.items) {
		t.Fatalf("excluded %d items, the person has %d", len(got), len(ex.items))
	}
	for _, n := range got {
		if !ex.items[n] {
			t.Fatalf("item %d was excluded but is not the person's", n)
		}
	}
	left[s] = ex

	do(t, ctx, "open the plan again",
		chromedp.Navigate(s.srv.URL+"/plans/"+s.plan),
		chromedp.WaitVisible(chromedp.CSS("#approve")),
		chromedp.SetValue(chromedp.CSS("#comment"), "gecontroleerd met de map"),
	)
	acceptConfirms(t, ctx)
	submit(t, ctx, "#approve")
	if st := s.state(t); st != agent.StateApproved {
		t.Fatalf("after approving in the browser the plan is %q, want %q", st, agent.StateApproved)
	}
	if by := text(t, ctx, "#plan-summary"); !strings.Contains(by, approver) {
		t.Errorf("the plan page does not say who approved (%s):\n%s", approver, by)
	}
}

// state is the plan's state as the service tells it.
func (s *site) state(t *testing.T) string {
	t.Helper()
	ps, err := s.svc.Plans()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.ID == s.plan {
			return p.State
		}
	}
	t.Fatalf("plan %s is not listed", s.plan)
	return ""
}

// crossOrigin has the browser open a page on another origin whose form
// posts a rejection to the console: refused, and the plan stays approved.
func (s *site) crossOrigin(t *testing.T, ctx context.Context) {
	t.Helper()
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><form method="post" action="%s/plans/%s/reject"><input name="comment" value="weg ermee"></form><script>document.forms[0].submit()</script>`, s.srv.URL, s.plan)
	}))
	defer evil.Close()
	do(t, ctx, "cross-origin form", chromedp.Navigate(evil.URL))
	do(t, ctx, "cross-origin answer", chromedp.WaitReady(chromedp.CSS("body")))
	for i := 0; i < 50 && !strings.HasPrefix(location(t, ctx), s.srv.URL); i++ {
		do(t, ctx, "wait", chromedp.Sleep(100e6))
	}
	if u := location(t, ctx); !strings.HasPrefix(u, s.srv.URL) {
		t.Fatalf("the cross-origin form did not reach the console: %s", u)
	}
	if st := s.state(t); st != agent.StateApproved {
		t.Fatalf("after a cross-origin reject POST the plan is %q, want still %q", st, agent.StateApproved)
	}
}

// applyAndCheck has the plan applied (by the night's apply job, or the
// console's apply now) and checks that it carried
// the plan out without the excluded person's items, and what the ledger
// says.
func (s *site) applyAndCheck(t *testing.T, approver string, apply func()) {
	t.Helper()
	ex := left[s]
	f := s.planFile()
	apply()
	if st := s.state(t); st != agent.StateApplied {
		t.Fatalf("after the apply job the plan is %q, want %q", st, agent.StateApplied)
	}
	for _, p := range ex.paths {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("an excluded item was acted on: %v", err)
		}
	}
	gone := 0
	for i, it := range f.Items {
		if it.Action != rules.Delete || ex.items[i+1] {
			continue
		}
		if p := s.recordPath(it); p != "" {
			if _, err := os.Lstat(p); os.IsNotExist(err) {
				gone++
			}
		}
	}
	if gone == 0 {
		t.Fatal("the apply job deleted none of the approved local files")
	}
	k, err := s.svc.Pseudonyms()
	if err != nil {
		t.Fatal(err)
	}
	who := approval.ApproverPseudonym(k, approver)
	var approved, exclusion bool
	ledger := s.ledgerText()
	for _, line := range strings.Split(ledger, "\n") {
		if !strings.Contains(line, who) {
			continue
		}
		if strings.Contains(line, `"action":"approved"`) {
			approved = true
		} else {
			exclusion = true
		}
	}
	if !approved || !exclusion {
		t.Errorf("the ledger does not name the approver's approval (%v) and exclusion (%v) by %s", approved, exclusion, who)
	}
	for _, secret := range []string{approver, ex.name} {
		if strings.Contains(ledger, secret) {
			t.Errorf("the ledger holds the name %q", secret)
		}
	}
	_ = plan.Version
}
