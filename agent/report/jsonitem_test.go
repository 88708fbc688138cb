package report

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/rules"
)

// TestItemJSONAsMarshal: plan.json's items are written without
// reflection, and must be byte for byte what json.Marshal writes: items
// with every field set and none, and names with what JSON escapes
// (quotes, control bytes, HTML's < > &, invalid UTF-8, U+2028).
func TestItemJSONAsMarshal(t *testing.T) {
	full := &plan.Item{
		Store: "dossiers", Record: "Jansen, Piet/Contracten/c.pdf", Kind: "file",
		Subject:  &plan.SubjectRef{Type: rules.Child, ID: "K1", Name: "Piet Jansen"},
		Category: "contract", Trigger: &rules.Trigger{Event: rules.EndOfCare, Date: rules.MakeDate(2021, 3, 4)},
		Rule: "C1", Action: rules.Delete, Due: "2023-03-04", Reason: "reason", Basis: "basis",
		Version: "s1-m2", Size: 1234567, Modified: "2021-01-02T03:04:05+01:00",
		Entries: &plan.Entries{Total: 3, Due: 2, Review: 1, Unlisted: 1}, File: "ouders.csv",
		Fields:         []string{"name", "bsn"},
		FieldDecisions: []plan.FieldItem{{Field: "name", Action: rules.Pseudonymise, Due: "2024-01-01", Rule: "C5", Reason: "r"}, {Field: "iban", Action: rules.Keep, Reason: "k"}},
		Warnings:       []string{"<b>", "x"},
		Links:          []plan.Link{{Scope: "anonymous", Roles: []string{"read"}, Password: true}},
		Locked:         true, Held: "H-0007", Resolved: "R-0003",
	}
	items := []*plan.Item{{}, full, {Store: "s", Record: "r", Action: rules.Keep, Size: -1}}
	odd := []string{"", `"quoted" \ back`, "<script>&amp;</script>", "tab\tnew\nline\r\b\f\x00\x01\x1f\x7f",
		"Zoë Inès Chloë", "bad \xff\xfe utf8 \xc3", "line\u2028para\u2029end", "€ 𝄞 '+'", "%41/é"}
	for _, s := range odd {
		it := *full
		it.Store, it.Record, it.Kind, it.Reason, it.Basis, it.Version, it.Modified = s, s, s, s, s, s, s
		it.Category, it.Rule, it.Due, it.File, it.Held, it.Resolved = rules.Category(s), s, s, s, s, s
		it.Subject = &plan.SubjectRef{Type: rules.SubjectType(s), ID: s, Name: s}
		it.Trigger = &rules.Trigger{Event: rules.Event(s)}
		it.Action = rules.Action(s)
		items = append(items, &it)
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "Z", " ", "\"", "\\", "<", ">", "&", "\n", "\x00", "\x1b", "\x7f", "é", "\xe9", "\u2028", "\u2029", "\ufffd", "😀", "\xf0\x9f"}
	for range 2000 {
		var b bytes.Buffer
		for range rnd.IntN(12) {
			b.WriteString(alphabet[rnd.IntN(len(alphabet))])
		}
		items = append(items, &plan.Item{Store: "s", Record: b.String(), Kind: "file", Action: rules.Review, Reason: b.String(), Size: rnd.Int64()})
	}
	for i, it := range items {
		want, err := json.Marshal(it)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendItem(nil, it)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("item %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

// BenchmarkJSONItem measures writing one due item of plan.json.
func BenchmarkJSONItem(b *testing.B) {
	it := &plan.Item{Store: "dossiers", Record: "Jansen-a, Anna/Contracten/document-01.pdf", Kind: "file",
		Subject:  &plan.SubjectRef{Type: rules.Child, ID: "K0000001", Name: "Anna Jansen-a"},
		Category: "contract", Trigger: &rules.Trigger{Event: rules.EndOfCare, Date: rules.MakeDate(2021, 3, 4)},
		Rule: "C1", Action: rules.Delete, Due: "2023-03-04", Reason: "C1: maximum term of 2 years after end of care (2021-03-04) passed on 2023-03-04",
		Basis: "Wet kinderopvang", Version: "s0-m1600000000000000000-i123-c1600000000000000000", Modified: "2021-11-23T13:00:00+01:00"}
	var buf []byte
	for b.Loop() {
		buf, _ = appendItem(buf[:0], it)
	}
}
