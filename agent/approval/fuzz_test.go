package approval

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// Fuzz targets of the approval reader; seed corpora in testdata/fuzz.

// fixedKey is a signing key for the fuzz targets and seeds, so that the
// committed seeds verify.
const (
	fixedSigner   = "PRIVATE+KEY+retentiond/x+26e9e706+AYOpIQ78OBtCiaCSxw4gjuKtN0IVZBJFPhQVRw30TPGq"
	fixedVerifier = "retentiond/x+26e9e706+Aai1qjiSbdL3WusSHUCURZo/nJ/BHRO2VW3/ZH4mB70F"
)

func fixedKeys(t testing.TB) (note.Signer, note.Verifier) {
	s, err := note.NewSigner(fixedSigner)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(fixedVerifier)
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

// seedApprovals are approval files as approve writes them for testPlan.
func seedApprovals(t testing.TB) [][]byte {
	s, _ := fixedKeys(t)
	var out [][]byte
	for _, exclude := range [][]string{nil, {"archief:2012.zip"}} {
		dir := t.TempDir()
		a, err := Approve(dir, testPlan(), "Marieke (administratie)", exclude, time.Date(2026, 11, 24, 9, 0, 0, 0, ams), twoWeeks, ams, keyed(t))
		if err != nil {
			t.Fatal(err)
		}
		if err := Save(dir, a, s); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(Path(dir, a.Plan))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	// And one with a second approver (four eyes).
	dir := t.TempDir()
	a, err := Approve(dir, testPlan(), "Marieke (administratie)", []string{"archief:2012.zip"}, time.Date(2026, 11, 24, 9, 0, 0, 0, ams), twoWeeks, ams, keyed(t))
	if err != nil {
		t.Fatal(err)
	}
	a.ExpiresAt = Expiry(time.Date(2026, 11, 23, 2, 0, 0, 0, ams), twoWeeks, ams)
	both, err := Second(testPlan(), a, "Jeroen (privacy)", a.ExcludedItems(), time.Date(2026, 11, 24, 10, 0, 0, 0, ams))
	if err != nil {
		t.Fatal(err)
	}
	both.SecondComment = "gezien"
	if err := Save(dir, both, s); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(Path(dir, a.Plan))
	if err != nil {
		t.Fatal(err)
	}
	return append(out, b)
}

// FuzzParse: Parse never panics, and what it accepts writes back to an
// approval that parses to the same signed text.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"plan":"sha256:abcdef0123456789","actions":2,"excluded":[{"item":4,"record":"x"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := Parse(b)
		if err != nil {
			return
		}
		again, err := json.Marshal(a)
		if err != nil {
			t.Fatalf("an accepted approval does not marshal: %v", err)
		}
		b2, err := Parse(again)
		if err != nil {
			t.Fatalf("an accepted approval, written back, is refused: %v", err)
		}
		if string(b2.SignedText()) != string(a.SignedText()) {
			t.Fatalf("signed text changes on a round trip:\n%s\n%s", a.SignedText(), b2.SignedText())
		}
	})
}

// FuzzLoad: whatever the approval file holds, Load (its check of the
// file's content) either accepts an approval that fits the plan or
// refuses with ErrInvalid (the daemon tells a forged approval from a
// missing one by it).
func FuzzLoad(f *testing.F) {
	_, v := fixedKeys(f)
	k := keyed(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		p := testPlan()
		a, err := check("approvals/x.json", b, p, v, twoWeeks, ams, k)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Load: %v, want an error wrapping ErrInvalid", err)
			}
			return
		}
		if err := a.matches(p, k); err != nil || a.ExpiresAt.IsZero() {
			t.Fatalf("Load accepted an approval that does not fit the plan: %v", err)
		}
	})
}

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the fuzz seed corpora in testdata/fuzz")

// TestFuzzSeeds writes (with -update-seeds) and checks the committed
// seeds: approval files as approve writes them, which Load accepts.
func TestFuzzSeeds(t *testing.T) {
	_, v := fixedKeys(t)
	for _, target := range []string{"FuzzParse", "FuzzLoad"} {
		for i, b := range seedApprovals(t) {
			path := filepath.Join("testdata", "fuzz", target, fmt.Sprintf("seed-%d", i+1))
			if *updateSeeds {
				os.MkdirAll(filepath.Dir(path), 0o755)
				if err := os.WriteFile(path, fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", b), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%s: %v (go test -run TestFuzzSeeds -update-seeds writes it)", path, err)
			}
		}
	}
	// The seeds are valid approvals of the test plan.
	for _, b := range seedApprovals(t) {
		dir := t.TempDir()
		os.MkdirAll(filepath.Join(dir, "approvals"), 0o700)
		os.WriteFile(Path(dir, testPlan().Digest), b, 0o600)
		if _, err := Load(dir, testPlan(), v, twoWeeks, ams, keyed(t), 0); err != nil {
			t.Errorf("seed: %v", err)
		}
	}
}
