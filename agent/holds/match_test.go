package holds

import (
	"fmt"
	"testing"

	"github.com/retentiond/retentiond/rules"
)

func TestMatch(t *testing.T) {
	holds := []Hold{
		{ID: "H-0001", Subject: &SubjectRef{rules.Child, "1234"}},
		{ID: "H-0002", Store: "dossiers", PathGlob: "Jansen, Piet/**"},
		{ID: "H-0003", Store: "archief", PathGlob: "2019/*.zip"},
		{ID: "H-0004", Store: "archief", PathGlob: "2020/b.zip"},
		{ID: "H-0005", Store: "backups", PathGlob: "**/backup-*.tar.gz"},
		{ID: "H-0006", Store: "dossiers", PathGlob: "Personeel/Bakker"},
		{ID: "H-0007", Store: "alles", PathGlob: "**"},
		{ID: "H-0008", Store: "dossiers", PathGlob: "Personeel/Jos\u00e9/**"}, // NFC
		{ID: "H-0009", Store: "dossiers", PathGlob: "Groepen/**/verslag.docx"},
		{ID: "H-0010", Store: "dossiers", PathGlob: "Sollicitaties/*/cv.pdf"},
		{ID: "H-0011", Store: "dossiers", PathGlob: "Kelvin/k*"},
		{ID: "H-0012", Store: "dossiers", PathGlob: "Stukken/s*"},
	}
	m, err := NewMatcher(holds)
	if err != nil {
		t.Fatal(err)
	}
	child := &SubjectRef{rules.Child, "1234"}
	tests := []struct {
		store, id string
		subject   *SubjectRef
		want      string // hold id, "" for none
	}{
		{"dossiers", "x/intake.pdf", child, "H-0001"},
		{"s3-anything", "y", child, "H-0001"},
		{"dossiers", "x/intake.pdf", &SubjectRef{rules.Parent, "1234"}, ""},
		{"dossiers", "x/intake.pdf", &SubjectRef{rules.Child, "12345"}, ""},
		{"dossiers", "x/intake.pdf", nil, ""},
		{"dossiers", "Jansen, Piet/intake.pdf", nil, "H-0002"},
		{"dossiers", "Jansen, Piet", nil, "H-0002"},
		{"dossiers", "jansen, PIET/Contracten/2020.pdf", nil, "H-0002"},
		{"dossiers", "Jansen, Pieter/intake.pdf", nil, ""},
		{"archief", "Jansen, Piet/intake.pdf", nil, ""},
		{"archief", "2019/a.zip", nil, "H-0003"},
		{"archief", "2019/a.zip!/Jansen/intake.pdf", nil, "H-0003"},
		{"archief", "2019/sub/a.zip", nil, ""},
		{"archief", "2019/a.zipx", nil, ""},
		{"archief", "2020/b.zip!/x/y", nil, "H-0004"},
		{"archief", "2020/b.zip", nil, "H-0004"},
		{"archief", "2020/b.zip.bak", nil, ""},
		{"archief", "2020/bb.zip!/x", nil, ""},
		{"backups", "backup-1.tar.gz", nil, "H-0005"},
		{"backups", "daily/2026/backup-1.tar.gz", nil, "H-0005"},
		{"backups", "daily/2026/backup-1.tar.gz.sig", nil, ""},
		{"dossiers", "Personeel/Bakker/contract.pdf", nil, "H-0006"},
		{"dossiers", "Personeel/Bakkerij/contract.pdf", nil, ""},
		{"alles", "whatever/deep/file", nil, "H-0007"},
		{"dossiers", "Personeel/Jose\u0301/cv.pdf", nil, "H-0008"}, // NFD
		{"dossiers", "Personeel/JOS\u00c9/cv.pdf", nil, "H-0008"},
		{"dossiers", "Groepen/verslag.docx", nil, "H-0009"},
		{"dossiers", "Groepen/a/b/verslag.docx", nil, "H-0009"},
		{"dossiers", "Groepen/averslag.docx", nil, ""},
		{"dossiers", "Sollicitaties/Smit/cv.pdf", nil, "H-0010"},
		{"dossiers", "Sollicitaties/Smit/oud/cv.pdf", nil, ""},
		{"dossiers", "\u212aelvin/kx", nil, "H-0011"}, // NFC turns the Kelvin sign into K
		{"dossiers", "Kelvin/\u212ax", nil, "H-0011"},
		{"dossiers", "\u017ftukken/sx", nil, "H-0012"}, // long s: NFC keeps it, case folding matches s
		{"dossiers", "Stukken/\u017fx", nil, "H-0012"},
		{"dossiers", "\u017ftukken/x", nil, ""},
		{"dossiers", "Kelvi", nil, ""},
		{"dossiers", "Kelvin/", nil, ""}, // one byte short of the literal prefix
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s:%s", tt.store, tt.id), func(t *testing.T) {
			h, ok := m.Match(tt.store, tt.id, tt.subject)
			if got := map[bool]string{true: h.ID}[ok]; got != tt.want {
				t.Errorf("Match = %q, %v, want %q", h.ID, ok, tt.want)
			}
			all := m.MatchAll(tt.store, tt.id, tt.subject)
			if (len(all) > 0) != (tt.want != "") {
				t.Errorf("MatchAll = %d holds, want some: %v", len(all), tt.want != "")
			}
		})
	}
}

// TestMatchLongest checks that of several matching holds the one that
// lasts longest is named, and that MatchAll returns them all.
func TestMatchLongest(t *testing.T) {
	child := &SubjectRef{rules.Child, "1"}
	tests := []struct {
		name  string
		holds []Hold
		want  string
	}{
		{"later until wins", []Hold{
			{ID: "H-0001", Subject: child, Until: day("2027-01-01")},
			{ID: "H-0002", Store: "d", PathGlob: "x/**", Until: day("2028-01-01")},
			{ID: "H-0003", Subject: child, Until: day("2027-06-01")},
		}, "H-0002"},
		{"no until wins", []Hold{
			{ID: "H-0001", Subject: child, Until: day("2099-01-01")},
			{ID: "H-0002", Store: "d", PathGlob: "x"},
		}, "H-0002"},
		{"tie: lowest id", []Hold{
			{ID: "H-10000", Subject: child},
			{ID: "H-9999", Store: "d", PathGlob: "x"},
		}, "H-9999"},
	}
	for _, tt := range tests {
		m, err := NewMatcher(tt.holds)
		if err != nil {
			t.Fatal(err)
		}
		h, ok := m.Match("d", "x/y", child)
		if !ok || h.ID != tt.want {
			t.Errorf("%s: Match = %q, %v, want %q", tt.name, h.ID, ok, tt.want)
		}
		if n := len(m.MatchAll("d", "x/y", child)); n != len(tt.holds) {
			t.Errorf("%s: MatchAll = %d holds, want %d", tt.name, n, len(tt.holds))
		}
	}
}

func TestNewMatcherBadGlob(t *testing.T) {
	_, err := NewMatcher([]Hold{{ID: "H-0042", Store: "d", PathGlob: "Jansen/../x"}})
	if err == nil {
		t.Fatal("NewMatcher accepted a path with ..")
	}
	if want := "hold H-0042: path: folder name 2 is .."; err.Error()[:len(want)] != want {
		t.Errorf("error %q, want it to start with %q", err, want)
	}
	noPersonalData(t, err.Error())
}

func BenchmarkMatch(b *testing.B) {
	var holds []Hold
	for i := range 50 {
		holds = append(holds, Hold{ID: fmt.Sprintf("H-%04d", i+1), Store: "dossiers", PathGlob: fmt.Sprintf("Dossier %d/**", i)})
		holds = append(holds, Hold{ID: fmt.Sprintf("H-%04d", i+100), Subject: &SubjectRef{rules.Child, fmt.Sprint(i)}})
	}
	m, err := NewMatcher(holds)
	if err != nil {
		b.Fatal(err)
	}
	sub := &SubjectRef{rules.Child, "7000"}
	for b.Loop() {
		m.Match("dossiers", "Kinddossiers/Jansen, Piet/Contracten/2020-contract.pdf", sub)
	}
}
