package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/rules"
)

// seedPlan is a plan.json as plan writes it: files, an export row with
// field decisions, a zip with entries, a hold, a review; names that are
// not valid UTF-8 are escaped by the stores before they get here.
func seedPlan(t testing.TB) []byte {
	f := File{
		Header: Header{Version: Version, Organisation: "Kinderopvang Test", AsOf: "2026-11-23", CreatedAt: "2026-11-23T02:00:00+01:00",
			ConfigSHA256: strings.Repeat("ab", 32), Policy: "builtin:kinderopvang-nl", Lang: "nl"},
		Items: []*Item{
			{Store: "dossiers", Record: "Jansen, Piet/intake.pdf", Kind: "file", Subject: &SubjectRef{Type: rules.Child, ID: "12", Name: "Piet Jansen"},
				Category: "child-dossier", Rule: "C1", Action: rules.Delete, Due: "2026-01-31", Reason: "2 years after end of care", Version: "s:12 m:1", Size: 12, Modified: "2020-01-01T00:00:00Z"},
			{Store: "export", Record: "kinderen.csv#3", Kind: "row", File: "kinderen.csv", Action: rules.Pseudonymise, Fields: []string{"address", "iban"},
				FieldDecisions: []FieldItem{}, Reason: "fields past their maximum", Version: "v"},
			{Store: "archief", Record: "2012.zip", Kind: "file", Action: rules.Review, Reason: "an entry cannot be named", Warnings: []string{"zip entry 3"}},
			{Store: "dossiers", Record: "Bakker, Els/contract.pdf", Action: rules.Hold, Held: "H-0001", Reason: "legal hold"},
		},
		Stores:  []StoreResult{{Name: "dossiers", Type: "localfs"}, {Name: "export", Type: "export"}, {Name: "archief", Type: "localfs"}},
		Summary: Summary{Delete: 1, Pseudonymise: 1, Review: 1, Hold: 1},
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzParse: Parse never panics; what it accepts has every item's
// store, record and action and the digest of exactly these bytes; its
// errors never hold a name from the plan.
func FuzzParse(f *testing.F) {
	f.Add(seedPlan(f))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Parse("plan.json", b)
		if err != nil {
			if strings.Contains(err.Error(), "Jansen") || strings.Contains(err.Error(), "Bakker") {
				t.Fatalf("the error shows a name: %v", err)
			}
			return
		}
		sum := sha256.Sum256(b)
		if p.Digest != "sha256:"+hex.EncodeToString(sum[:]) || p.Version != Version || p.AsOf == "" {
			t.Fatalf("digest %s, version %d, as_of %q", p.Digest, p.Version, p.AsOf)
		}
		for i, it := range p.Items {
			if it == nil || it.Store == "" || it.Record == "" || it.Action == "" {
				t.Fatalf("item %d accepted without store, record or action", i+1)
			}
		}
	})
}

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the fuzz seed corpora in testdata/fuzz")

// TestParseSeeds writes (with -update-seeds) and checks the committed
// seed: a plan that Parse accepts.
func TestParseSeeds(t *testing.T) {
	path := filepath.Join("testdata", "fuzz", "FuzzParse", "seed-1")
	b := seedPlan(t)
	if *updateSeeds {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("%s: %v (go test -run TestParseSeeds -update-seeds writes it)", path, err)
	}
	if _, err := Parse("plan.json", b); err != nil {
		t.Fatal(err)
	}
}

// TestParseErrorsHideValues: a plan with a value of the wrong type, or
// broken JSON, is refused without showing the value.
func TestParseErrorsHideValues(t *testing.T) {
	good := string(seedPlan(t))
	for _, b := range []string{
		strings.Replace(good, `"Jansen, Piet/intake.pdf"`, `111222333`, 1), // a BSN where a name belongs
		strings.Replace(good, `"size": 12`, `"size": "Piet Jansen"`, 1),
		strings.Replace(good, `"Jansen, Piet/intake.pdf"`, `"Jansen, Piet/intake.pdf`, 1),
		strings.Replace(good, `"as_of": "2026-11-23"`, `"as_of": ["Piet Jansen"]`, 1),
	} {
		_, err := Parse("plan.json", []byte(b))
		if err == nil || strings.Contains(err.Error(), "Jansen") || strings.Contains(err.Error(), "111222333") {
			t.Errorf("Parse: %v", err)
		}
	}
}
