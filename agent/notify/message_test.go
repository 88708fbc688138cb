package notify

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

var cet = time.FixedZone("CET", 3600)

// sampleEvents are one event of each kind, with every field set that the
// kind uses.
func sampleEvents() map[string]Event {
	at := time.Date(2026, 11, 23, 2, 0, 0, 0, cet)
	return map[string]Event{
		KindPlanReady: {
			Kind: KindPlanReady, Organisation: "Kinderopvang Voorbeeld",
			Counts: map[string]int{"delete": 12, "pseudonymise": 3, "review": 5, "hold": 1, "keep": 240},
			Report: "/var/lib/retentiond/plans/2026-11-23/report.html", Plan: "3f9a1c2b",
			PlanPath: "/var/lib/retentiond/plans/2026-11-23", ConfigPath: "/etc/retentiond/config.yaml", Time: at,
		},
		KindApplyDone: {
			Kind: KindApplyDone, Organisation: "Kinderopvang Voorbeeld",
			Counts: map[string]int{"done": 14, "skipped": 1, "gone": 0, "failed": 1},
			Report: "/var/lib/retentiond/plans/2026-11-23/report.html", Plan: "3f9a1c2b", Time: at.Add(time.Hour),
		},
		KindFailure: {
			Kind: KindFailure, Organisation: "Kinderopvang Voorbeeld", Store: "dossiers",
			Error: "scan of store dossiers failed", Time: at,
		},
	}
}

// TestRenderGolden pins every kind's message in both languages. The golden
// files are the whole message: a line that is not in them (a name, a file
// name) cannot be in a message either.
func TestRenderGolden(t *testing.T) {
	for kind, e := range sampleEvents() {
		for _, lang := range Languages {
			t.Run(kind+"/"+lang, func(t *testing.T) {
				e.Lang = lang
				m, err := Render(e)
				if err != nil {
					t.Fatal(err)
				}
				golden(t, kind+"."+lang+".txt", []byte("Subject: "+m.Subject+"\n\n"+m.Body))
			})
		}
	}
}

func TestRenderSubject(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 0, 0, cet)
	tests := []struct {
		name string
		e    Event
		want string
	}{
		{"brief's example", Event{Kind: KindPlanReady, Counts: map[string]int{"delete": 12, "pseudonymise": 3, "review": 5, "keep": 9}},
			"retentiond: plan klaar voor beoordeling — 12 verwijderen, 3 pseudonimiseren, 5 beoordelen"},
		{"zeros left out", Event{Kind: KindPlanReady, Counts: map[string]int{"delete": 0, "review": 2}, Lang: "en"},
			"retentiond: plan ready for review — 2 review"},
		{"nothing to do", Event{Kind: KindPlanReady, Counts: map[string]int{"keep": 4}},
			"retentiond: plan klaar voor beoordeling — geen acties"},
		{"applied", Event{Kind: KindApplyDone, Counts: map[string]int{"done": 3, "failed": 1}, Lang: "en"},
			"retentiond: plan applied — 3 done, 1 failed"},
		{"unknown count key shown as is", Event{Kind: KindApplyDone, Counts: map[string]int{"retried": 2}},
			"retentiond: plan uitgevoerd — 2 retried"},
		{"failure in a store", Event{Kind: KindFailure, Store: "archief"}, "retentiond: fout (opslag archief)"},
		{"failure, no store", Event{Kind: KindFailure, Lang: "en"}, "retentiond: failure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.e.Time = at
			m, err := Render(tt.e)
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != tt.want {
				t.Errorf("subject = %q, want %q", m.Subject, tt.want)
			}
		})
	}
}

// TestRenderOneLineFields: a field with line breaks (a pasted error chain,
// an attempt at header injection) is flattened and cut, so it can add no
// line to the message.
func TestRenderOneLineFields(t *testing.T) {
	e := sampleEvents()[KindFailure]
	e.Store = "dossiers\r\nBcc: someone@example.com"
	e.Error = "scan failed:\n" + strings.Repeat("x", 500)
	m, err := Render(e)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		t.Errorf("subject has a line break: %q", m.Subject)
	}
	for _, line := range strings.Split(m.Body, "\n") {
		if strings.HasPrefix(line, "Bcc:") {
			t.Errorf("body gained a line from a field: %q", line)
		}
		if len([]rune(line)) > maxText+20 {
			t.Errorf("line not cut to size (%d runes)", len([]rune(line)))
		}
	}
	want := " scan failed: " + strings.Repeat("x", maxText-len("scan failed: ")-1) + "…"
	if !strings.Contains(m.Body, want+"\n") {
		t.Errorf("error line not flattened and cut as expected; body:\n%s", m.Body)
	}
}

// TestCheck: an event that could carry personal data through a count key,
// or that has no known kind or language, is refused, and the refusal does
// not quote the suspect key.
func TestCheck(t *testing.T) {
	planted := "Jansen, Piet/intake.pdf"
	tests := []struct {
		name    string
		e       Event
		wantErr string
	}{
		{"fine", Event{Kind: KindPlanReady, Counts: map[string]int{"delete": 1}}, ""},
		{"unknown kind", Event{Kind: "plan-done"}, "event kind"},
		{"unknown language", Event{Kind: KindFailure, Lang: "de"}, "language"},
		{"name as count key", Event{Kind: KindPlanReady, Counts: map[string]int{planted: 1}}, "not a plain word"},
		{"negative count", Event{Kind: KindPlanReady, Counts: map[string]int{"delete": -1}}, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.e.Check()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Check = %v, want an error with %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "Jansen") {
				t.Errorf("error quotes the suspect key: %v", err)
			}
			if _, err := Render(tt.e); err == nil {
				t.Error("Render accepted an event that Check refuses")
			}
		})
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/etc/retentiond/config.yaml": "/etc/retentiond/config.yaml",
		"C:/Program Files/r.yaml":     "'C:/Program Files/r.yaml'",
		"it's":                        `'it'\''s'`,
		"":                            "''",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
