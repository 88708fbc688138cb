package agent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent/requests"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

// TestAccessIndexInWords (issue 14, item 5): the access package's index
// speaks the requester's language throughout: categories, what happens to
// each record and the notes in words, dates as they write them; never the
// codes of plan.json (child-dossier, delete, 2026-03-15).
func TestAccessIndexInWords(t *testing.T) {
	items := []packaged{
		{Store: "kinddossiers", Record: "Jansen, Piet/intake.pdf", Category: "child-dossier", Action: "delete", Due: "2026-03-15",
			Reason: "kinddossier: 2 jaar na einde opvang", Copy: "files/kinddossiers/Jansen, Piet/intake.pdf"},
		{Store: "kidsadmin-ouders", Record: "ouders.csv#2", Category: "contract", Action: "keep", Due: "2031-05-31", Reason: "contract", Copy: "rows/kidsadmin-ouders.json"},
		{Store: "archief", Record: "2012.zip!/Jansen, Piet/scan.pdf", Category: "health", Action: "hold", Reason: "vastgehouden", Note: "could not be copied"},
		{Store: "icloud", Record: "Jansen, Piet/foto.jpg", Category: "photo", Action: "review", Reason: "twijfel",
			Note: "in iCloud Drive only (not downloaded): download it and make the package again"},
	}
	r := requests.Request{ID: "REQ-0007", Subject: requests.SubjectRef{Type: rules.Child, ID: "1234"}, Kind: requests.Access,
		Received: rules.MakeDate(2026, 11, 2), Lang: "nl"}
	cfg := &config.Config{Organisation: "Kinderopvang Voorbeeld"}
	for _, tc := range []struct {
		lang      string
		want, not []string
	}{
		{"nl", []string{"<td>kinddossier</td>", "wordt verwijderd (de termijn liep af op 15-03-2026)", "<td>contractgegevens</td>",
			"bewaard tot 31-05-2031", "bewaard (wettelijke plicht of vastgehouden)", "een medewerker beslist hierover",
			"kon niet worden gekopieerd", "staat alleen in iCloud Drive", "verzoek REQ-0007 van 02-11-2026", "Uw persoonsgegevens"},
			[]string{"child-dossier", ">delete", "(2026-03-15)", "could not", "iCloud Drive only", "2026-11-02", ">keep", ">hold", ">review"}},
		{"en", []string{"<td>child dossier</td>", "will be deleted (its term ended on 2026-03-15)", "kept until 2031-05-31",
			"could not be copied", "Your personal data", "request REQ-0007 of 2026-11-02"},
			[]string{"child-dossier", ">delete", ">keep"}},
	} {
		out := t.TempDir()
		if err := writeIndex(out, cfg, r, tc.lang, items); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(out, "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for _, w := range tc.want {
			if !strings.Contains(s, w) {
				t.Errorf("%s: the index lacks %q", tc.lang, w)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(s, n) {
				t.Errorf("%s: the index shows %q", tc.lang, n)
			}
		}
		if strings.Count(s, "<tr><td>") != len(items) {
			t.Errorf("%s: %d rows, want %d", tc.lang, strings.Count(s, "<tr><td>"), len(items))
		}
	}
}
