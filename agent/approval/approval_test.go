package approval

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

func keyed(t *testing.T) *pseudonym.Keyed {
	k, err := pseudonym.New([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestApprove(t *testing.T) {
	dir := t.TempDir()
	f := testPlan()
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, ams)
	twoWeeks, _ := rules.ParseTerm("14d")
	a, err := Approve(dir, f, "Marieke (administratie)", []string{"archief:2012.zip"}, now, twoWeeks, ams, keyed(t))
	if err != nil {
		t.Fatal(err)
	}
	if a.Actions != 2 || len(a.Excluded) != 1 || a.Excluded[0].Item != 4 || !a.IsExcluded(3) || a.IsExcluded(0) {
		t.Errorf("approval = %+v", a)
	}
	if want := time.Date(2026, 12, 7, 0, 0, 0, 0, ams); !a.ExpiresAt.Equal(want) {
		t.Errorf("expires %v, want %v", a.ExpiresAt, want)
	}
	got, err := Load(dir, f.Digest)
	if err != nil || got.ApprovedBy != "Marieke (administratie)" || got.Actions != 2 {
		t.Errorf("Load = %+v, %v", got, err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "approvals", "abcdef0123456789.json"))
	if strings.Contains(string(b), "2012.zip") || strings.Contains(string(b), "Jansen") {
		t.Errorf("the approval names a record: %s", b)
	}
	fi, _ := os.Stat(filepath.Join(dir, "approvals", "abcdef0123456789.json"))
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	if _, err := Approve(dir, f, "Iemand anders", nil, now, twoWeeks, ams, keyed(t)); err == nil || !strings.Contains(err.Error(), "approved already") {
		t.Errorf("second approval: %v", err)
	}
	if _, err := Load(dir, "sha256:other"); !errors.Is(err, ErrNotApproved) {
		t.Errorf("Load of an unapproved plan: %v", err)
	}
}

func TestApproveRefuses(t *testing.T) {
	twoWeeks, _ := rules.ParseTerm("14d")
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
