package approval

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/rules"
)

var ams, _ = time.LoadLocation("Europe/Amsterdam")

func testPlan() *plan.File {
	return &plan.File{
		Header: plan.Header{Version: 1, Organisation: "X", AsOf: "2026-11-23", CreatedAt: "2026-11-23T02:00:00+01:00", ConfigSHA256: "c"},
		Items: []*plan.Item{
			{Store: "dossiers", Record: "Jansen, Piet/intake.pdf", Action: rules.Delete},
			{Store: "dossiers", Record: "Onbekend/x.pdf", Action: rules.Review},
			{Store: "archief", Record: "Jansen, Piet/intake.pdf", Action: rules.Delete},
			{Store: "archief", Record: "2012.zip", Action: rules.Delete},
		},
		Digest: "sha256:abcdef0123456789",
	}
}

func keyed(t testing.TB) *pseudonym.Keyed {
	k, err := pseudonym.New([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newKey(t *testing.T) (note.Signer, note.Verifier) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, "retentiond/x")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := note.NewSigner(skey)
	v, _ := note.NewVerifier(vkey)
	return s, v
}

var twoWeeks, _ = rules.ParseTerm("14d")

func TestApprove(t *testing.T) {
	dir := t.TempDir()
	s, v := newKey(t)
	f := testPlan()
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, ams)
	a, err := Approve(dir, f, "Marieke (administratie)", []string{"archief:2012.zip"}, now, twoWeeks, ams, keyed(t))
	if err != nil {
		t.Fatal(err)
	}
	if a.Actions != 2 || a.Items != 4 || len(a.Excluded) != 1 || a.Excluded[0].Item != 4 || !a.IsExcluded(3) || a.IsExcluded(0) {
		t.Errorf("approval = %+v", a)
	}
	if want := time.Date(2026, 12, 7, 0, 0, 0, 0, ams); !a.ExpiresAt.Equal(want) {
		t.Errorf("expires %v, want %v", a.ExpiresAt, want)
	}
	if _, err := Load(dir, f, v, twoWeeks, ams, keyed(t), 0); !errors.Is(err, ErrNotApproved) {
		t.Errorf("Load before Save: %v", err)
	}
	if err := Save(dir, a, s); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir, f, v, twoWeeks, ams, keyed(t), 0)
	if err != nil || got.ApprovedBy != "Marieke (administratie)" || got.Actions != 2 || !got.ExpiresAt.Equal(a.ExpiresAt) {
		t.Errorf("Load = %+v, %v", got, err)
	}
	path := filepath.Join(dir, "approvals", "abcdef0123456789.json")
	b, _ := os.ReadFile(path)
	if strings.Contains(string(b), "2012.zip") || strings.Contains(string(b), "Jansen") {
		t.Errorf("the approval names a record: %s", b)
	}
	if strings.Contains(string(b), "expires") {
		t.Errorf("the approval file holds an expiry, which nobody may believe: %s", b)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	if _, err := Approve(dir, f, "Iemand anders", nil, now, twoWeeks, ams, keyed(t)); err == nil || !strings.Contains(err.Error(), "approved already") {
		t.Errorf("second approval: %v", err)
	}
	if err := Save(dir, a, s); err == nil || !strings.Contains(err.Error(), "approved already") {
		t.Errorf("second save: %v", err)
	}
	other := testPlan()
	other.Digest = "sha256:other"
	if _, err := Load(dir, other, v, twoWeeks, ams, keyed(t), 0); !errors.Is(err, ErrNotApproved) {
		t.Errorf("Load of an unapproved plan: %v", err)
	}
	e := LedgerEntry(a, keyed(t))
	if e.Plan != f.Digest || e.Action != "approved" || !strings.Contains(e.Reason, ApproverPseudonym(keyed(t), "Marieke (administratie)")) ||
		!strings.Contains(e.Reason, "2 action(s) of 4 item(s), 1 excluded") || strings.Contains(e.Reason, "Marieke") {
		t.Errorf("ledger entry %+v", e)
	}
}

// TestLoadRefuses: an approval file that approve did not write, or that
// was changed, or that does not fit the plan, is refused; the expiry is
// computed from the plan and the config, never read from the file.
func TestLoadRefuses(t *testing.T) {
	s, v := newKey(t)
	other, _ := newKey(t)
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, ams)
	good := func(t *testing.T, dir string) *Approval {
		a, err := Approve(dir, testPlan(), "A", []string{"archief:2012.zip"}, now, twoWeeks, ams, keyed(t))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	// edit changes the written file's JSON object.
	edit := func(fn func(m map[string]any)) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			if err := Save(dir, good(t, dir), s); err != nil {
				t.Fatal(err)
			}
			p := Path(dir, testPlan().Digest)
			b, _ := os.ReadFile(p)
			var m map[string]any
			json.Unmarshal(b, &m)
			fn(m)
			b, _ = json.Marshal(m)
			os.WriteFile(p, b, 0o600)
		}
	}
	// resign changes the approval and signs it properly: a valid
	// signature over counts that do not fit the plan.
	resign := func(fn func(a *Approval)) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			a := good(t, dir)
			fn(a)
			if err := Save(dir, a, s); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name  string
		write func(t *testing.T, dir string)
		want  string
	}{
		{"written by hand, old format", func(t *testing.T, dir string) {
			os.MkdirAll(filepath.Join(dir, "approvals"), 0o700)
			os.WriteFile(Path(dir, testPlan().Digest), []byte(`{"plan":"sha256:abcdef0123456789","organisation":"X","as_of":"2026-11-23","plan_created_at":"2026-11-23T02:00:00+01:00","approved_by":"M","approved_at":"2026-11-24T08:00:00Z","expires_at":"2099-01-01T00:00:00Z","actions":3,"excluded":[]}`), 0o600)
		}, "has a field that approve does not write"},
		{"no signature", edit(func(m map[string]any) { delete(m, "signature") }), "it is not signed"},
		{"signed by another key", func(t *testing.T, dir string) {
			if err := Save(dir, good(t, dir), other); err != nil {
				t.Fatal(err)
			}
		}, "not signed by the ledger key"},
		{"key name copied, other key's signature", func(t *testing.T, dir string) {
			a := good(t, dir)
			if err := Save(dir, a, other); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(Path(dir, a.Plan))
			var m map[string]any
			json.Unmarshal(b, &m)
			m["key"] = fmt.Sprintf("%s+%08x", v.Name(), v.KeyHash())
			b, _ = json.Marshal(m)
			os.WriteFile(Path(dir, a.Plan), b, 0o600)
		}, "signature does not verify"},
		{"actions changed after signing", edit(func(m map[string]any) { m["actions"] = 3.0 }), "signature does not verify"},
		{"exclusion removed after signing", edit(func(m map[string]any) { m["excluded"] = []any{} }), "signature does not verify"},
		{"approver changed after signing", edit(func(m map[string]any) { m["approved_by"] = "Mallory" }), "signature does not verify"},
		{"signed, wrong action count", resign(func(a *Approval) { a.Actions = 3 }), "counts 3 actions, the plan has 2"},
		{"signed, wrong item count", resign(func(a *Approval) { a.Items = 5 }), "counts 5 items, the plan has 4"},
		{"signed, excluded item out of range", resign(func(a *Approval) { a.Excluded[0].Item = 9 }), "excluded #1: item 9 is not an item of the plan"},
		{"signed, excluded item is another record", resign(func(a *Approval) { a.Excluded[0].Item = 3 }), "excluded #1: item 3 of the plan is another record"},
		{"signed, another plan's creation", resign(func(a *Approval) { a.PlanCreated = "2026-12-01T02:00:00+01:00" }), "plan_created_at differ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.write(t, dir)
			_, err := Load(dir, testPlan(), v, twoWeeks, ams, keyed(t), 0)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load: %v\nwant ErrInvalid and %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "Jansen") || strings.Contains(err.Error(), "Mallory") {
				t.Errorf("the error shows the file's content: %v", err)
			}
			if _, err := Approve(dir, testPlan(), "B", nil, now, twoWeeks, ams, keyed(t)); err == nil {
				t.Error("Approve went over an invalid approval file")
			}
		})
	}
}

// TestExpiryFromPlanAndConfig: Load computes the expiry from the plan's
// created_at and the config's plan_max_age of today, whatever the
// approval says or said.
func TestExpiryFromPlanAndConfig(t *testing.T) {
	dir := t.TempDir()
	s, v := newKey(t)
	f := testPlan()
	a, err := Approve(dir, f, "A", nil, time.Date(2026, 11, 24, 9, 0, 0, 0, ams), twoWeeks, ams, keyed(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := Save(dir, a, s); err != nil {
		t.Fatal(err)
	}
	threeDays, _ := rules.ParseTerm("3d")
	got, err := Load(dir, f, v, threeDays, ams, keyed(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 26, 0, 0, 0, 0, ams); !got.ExpiresAt.Equal(want) {
		t.Errorf("expires %v, want %v (plan_max_age now 3d)", got.ExpiresAt, want)
	}
}

func TestApproveRefuses(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, ams)
	tests := []struct {
		name    string
		by      string
		exclude []string
		now     time.Time
		want    string
	}{
		{"no approver", " ", nil, now, "--by"},
		{"expired", "A", nil, time.Date(2026, 12, 7, 0, 0, 0, 0, ams), "expired on 2026-12-07"},
		{"unknown item", "A", []string{"dossiers:nope.pdf"}, now, "--exclude #1: names no item"},
		{"ambiguous item", "A", []string{"Jansen, Piet/intake.pdf"}, now, "more than one store"},
	}
	for _, tt := range tests {
		_, err := Approve(t.TempDir(), testPlan(), tt.by, tt.exclude, tt.now, twoWeeks, ams, keyed(t))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "Jansen") {
			t.Errorf("%s: error names a person: %v", tt.name, err)
		}
	}
	// The day before expiry still approves.
	if _, err := Approve(t.TempDir(), testPlan(), "A", nil, time.Date(2026, 12, 6, 23, 59, 0, 0, ams), twoWeeks, ams, keyed(t)); err != nil {
		t.Errorf("the last valid day: %v", err)
	}
}
