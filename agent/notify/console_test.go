package notify

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestConsoleLink: a link is the console's address, the page and an id
// retentiond makes; anything else (an id that could be a name or a path,
// an address with a password or a query) gives no link at all.
func TestConsoleLink(t *testing.T) {
	for _, tc := range []struct{ base, page, id, want string }{
		{"https://retentie.example.nl/", PagePlan, "20261123-020000", "https://retentie.example.nl/plans/20261123-020000"},
		{"https://retentie.example.nl/beheer", PagePlan, "20261123-020000-2", "https://retentie.example.nl/beheer/plans/20261123-020000-2"},
		{"http://127.0.0.1:9466/", PageRequest, "REQ-0007", "http://127.0.0.1:9466/requests/REQ-0007"},
		{"", PagePlan, "20261123-020000", ""},
		{"https://retentie.example.nl/", PagePlan, "Jansen, Piet", ""},
		{"https://retentie.example.nl/", PagePlan, "../20261123-020000", ""},
		{"https://retentie.example.nl/", PagePlan, "20261123-020000/auto", ""},
		{"https://retentie.example.nl/", PageRequest, "REQ-0007?name=Piet", ""},
		{"https://retentie.example.nl/", "holds", "H-0001", ""},
		{"https://beheer:geheim@retentie.example.nl/", PagePlan, "20261123-020000", ""},
		{"https://retentie.example.nl/?x=1", PagePlan, "20261123-020000", ""},
		{"ftp://retentie.example.nl/", PagePlan, "20261123-020000", ""},
		{"retentie.example.nl", PagePlan, "20261123-020000", ""},
	} {
		if got := ConsoleLink(tc.base, tc.page, tc.id); got != tc.want {
			t.Errorf("ConsoleLink(%q, %q, %q) = %q, want %q", tc.base, tc.page, tc.id, got, tc.want)
		}
	}
}

// consoleEvents are the sample events with the console on: a plan ready,
// and a request's plan carried out.
func consoleEvents() map[string]Event {
	ev := sampleEvents()
	ready := ev[KindPlanReady]
	ready.Console, ready.PlanID = "https://retentie.example.nl/", "20261123-020000"
	done := ev[KindApplyDone]
	done.Console, done.PlanID, done.Request = "https://retentie.example.nl/", "20261123-020000", "REQ-0007"
	fail := ev[KindFailure]
	fail.Console, fail.PlanID = "https://retentie.example.nl/", "20261123-020000"
	return map[string]Event{KindPlanReady: ready, KindApplyDone: done, KindFailure: fail}
}

// TestRenderConsoleGolden: with the console on, a message links to the
// plan's page (and the request's), and a plan ready for review is
// approved there rather than by a command.
func TestRenderConsoleGolden(t *testing.T) {
	for kind, e := range consoleEvents() {
		for _, lang := range Languages {
			t.Run(kind+"/"+lang, func(t *testing.T) {
				e.Lang = lang
				m, err := Render(e)
				if err != nil {
					t.Fatal(err)
				}
				golden(t, kind+"-console."+lang+".txt", []byte("Subject: "+m.Subject+"\n\n"+m.Body))
				if !strings.Contains(m.Body, "https://retentie.example.nl/plans/20261123-020000\n") {
					t.Error("no link to the plan's page")
				}
				if kind == KindApplyDone && !strings.Contains(m.Body, "https://retentie.example.nl/requests/REQ-0007\n") {
					t.Error("no link to the request's page")
				}
				if kind == KindPlanReady && strings.Contains(m.Body, "retentiond approve") {
					t.Error("the console is on, but the message still says to approve with a command")
				}
			})
		}
	}
}

// TestConsoleLinkCarriesNoPersonalData: an id that is not one retentiond
// makes (a name or a path by a caller's mistake) is left out of the
// message and the webhook's payload entirely, link and all.
func TestConsoleLinkCarriesNoPersonalData(t *testing.T) {
	e := consoleEvents()[KindApplyDone]
	e.PlanID, e.Request = "Jansen, Piet/intake.pdf", "REQ-0007 Piet Jansen"
	m, err := Render(e)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.Body, "Jansen") || strings.Contains(m.Body, "retentie.example.nl") {
		t.Errorf("a bad id reached the message:\n%s", m.Body)
	}
	e.Console = "https://beheer:geheim@retentie.example.nl/"
	e.PlanID, e.Request = "20261123-020000", "REQ-0007"
	b, err := encode(FormatJSON, e.normalise(nil), render(e.normalise(nil)))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "geheim") || strings.Contains(string(b), "plan_url") {
		t.Errorf("a console address with a password made a link: %s", b)
	}
}

// TestWebhookConsoleURLs: the JSON payload carries the links as fields of
// their own, for a ticket system to use.
func TestWebhookConsoleURLs(t *testing.T) {
	e := consoleEvents()[KindApplyDone].normalise(nil)
	b, err := encode(FormatJSON, e, render(e))
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	if p["plan_url"] != "https://retentie.example.nl/plans/20261123-020000" || p["request_url"] != "https://retentie.example.nl/requests/REQ-0007" {
		t.Errorf("payload links: %v, %v", p["plan_url"], p["request_url"])
	}
}
