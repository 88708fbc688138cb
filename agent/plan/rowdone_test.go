package plan

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent/operators"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners/export"
)

// rowsPlan plans, as of asOf and listing keep items too, one export file
// read by a built-in profile, with the given key (nil: none).
func rowsPlan(t *testing.T, profile, file, content string, ops map[string]string, k *pseudonym.Keyed, asOf string) *collect {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, file), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	prof, ok := export.Builtin(profile)
	if !ok {
		t.Fatalf("no profile %s", profile)
	}
	st, err := export.Open(filepath.Join(dir, "*"+filepath.Ext(file)), prof)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	off := false
	pol, err := testPolicy(t).WithOverrides(map[string]rules.Override{
		"C7": {Disabled: &off, Source: "test"}, "C8": {Disabled: &off, Source: "test"},
	})
	if err != nil {
		t.Fatal(err)
	}
	p := &Planner{
		Policy: pol, Subjects: subjects(), AsOf: date(asOf), Location: ams, Lang: "en", All: true,
		Stores: []Store{{Name: "export", Type: "export", Store: st, Operators: ops,
			Rows: &RowSpec{Subject: rules.SubjectType(prof.Subject), ByName: prof.SubjectBy == "name", Category: rules.Category(prof.Category), Pseudonyms: k}}},
	}
	c := &collect{}
	if _, _, err := p.Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if c.stores[0].Error != "" {
		t.Fatal(c.stores[0].Error)
	}
	return c
}

// token is what apply writes into field of a child's row for v.
func token(t *testing.T, k *pseudonym.Keyed, field, v string) string {
	t.Helper()
	set, err := operators.Parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := set.Cell(k, rules.Child, field, export.Cell{Kind: export.String, S: v})
	if err != nil {
		t.Fatal(err)
	}
	return c.S
}

func testKeyed(t *testing.T) *pseudonym.Keyed {
	t.Helper()
	k, err := pseudonym.New([]byte("plan-test-key-0123456789abcdefgh"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestDoneFieldsNotPlanned: a row whose due fields an earlier apply
// already rewrote is kept, not pseudonymised again, and not overdue; a
// field that only looks done (a whole postcode, a date) is still planned.
func TestDoneFieldsNotPlanned(t *testing.T) {
	// Piet Jansen (child 1) left care on 2024-03-15: address, postcode,
	// town (C7), date of birth (C8) and health (C11) went a year later;
	// the row itself (C1) goes on 2026-03-15.
	csv := "Kindnummer,Naam kind,BSN,Straat,Postcode,Woonplaats,Geboortedatum,Telefoon,Gezondheid\n" +
		"1,Piet Jansen,123456782,,1234,,2019,0612345678,\n" + // every due field done
		"1,Piet Jansen,123456782,,1234 AB,,2019,0612345678,\n" + // the postcode is whole
		"1,Piet Jansen,123456782,,1234,,12-05-2019,0612345678,\n" + // the date of birth is whole
		"1,Piet Jansen,123456782,Dorpsstraat 1,5678 CD,Utrecht,12-05-2019,0612345678,Allergie\n" // nothing done
	c := rowsPlan(t, "saamn-children", "kinderen.csv", csv, nil, nil, "2026-01-01")
	want := map[string]struct {
		action rules.Action
		fields string
	}{
		"export:kinderen.csv#2": {rules.Keep, ""},
		"export:kinderen.csv#3": {rules.Pseudonymise, "postcode"},
		"export:kinderen.csv#4": {rules.Pseudonymise, "birth_date"},
		"export:kinderen.csv#5": {rules.Pseudonymise, "address,postcode,town,birth_date,health"},
	}
	got := c.byRecord()
	for rec, w := range want {
		it := got[rec]
		if it == nil {
			t.Errorf("%s: not in the plan", rec)
			continue
		}
		if it.Action != w.action || strings.Join(it.Fields, ",") != w.fields {
			t.Errorf("%s: %s %v, want %s %s (%s)", rec, it.Action, it.Fields, w.action, w.fields, it.Reason)
		}
	}
	if n := c.stores[0].Overdue; n != 3 {
		t.Errorf("%d overdue, want 3: a row whose due fields are done is not overdue", n)
	}
	for _, fd := range got["export:kinderen.csv#2"].FieldDecisions {
		if fd.Action != rules.Keep {
			t.Errorf("the done row's field %s: %s", fd.Field, fd.Action)
		}
	}
}

// TestPseudonymisedSubjectTied: a row whose subject column an earlier
// apply replaced by a token is tied to its subject by the keyed token of
// the registry's id (or name), and decided as that subject's.
func TestPseudonymisedSubjectTied(t *testing.T) {
	k := testKeyed(t)
	other, err := pseudonym.New([]byte("another-key-0123456789abcdefghij"))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("by id", func(t *testing.T) {
		csv := "Kindnummer,Naam kind,BSN,Straat,Postcode,Woonplaats,Geboortedatum,Telefoon,Gezondheid\n" +
			token(t, k, "id", "2") + "," + token(t, k, "name", "Anna van den Berg") + ",,,1234,,2019,,\n" +
			token(t, other, "id", "2") + ",,,,,,,,\n" + // another key's token: no one's
			strings.Replace(token(t, k, "id", "2"), "KIND", "OUDER", 1) + ",,,,,,,,\n" // a parent's prefix
		c := rowsPlan(t, "saamn-children", "kinderen.csv", csv, nil, k, "2026-01-01").byRecord()
		if it := c["export:kinderen.csv#2"]; it.Subject == nil || it.Subject.ID != "2" || it.Action != rules.Keep {
			t.Errorf("row 2: %s, subject %+v, want keep of child 2 (%s)", it.Action, it.Subject, it.Reason)
		}
		if it := c["export:kinderen.csv#3"]; it.Action != rules.Review || !strings.Contains(it.Reason, "pseudonym") {
			t.Errorf("row 3 (another key's token): %s: %s", it.Action, it.Reason)
		}
		if it := c["export:kinderen.csv#4"]; it.Action != rules.Review || !strings.Contains(it.Reason, "not in the registry") {
			t.Errorf("row 4 (a parent's token): %s: %s", it.Action, it.Reason)
		}
		// Without the key, the row is reviewed and says why.
		c = rowsPlan(t, "saamn-children", "kinderen.csv", csv, nil, nil, "2026-01-01").byRecord()
		if it := c["export:kinderen.csv#2"]; it.Action != rules.Review || !strings.Contains(it.Reason, "pseudonym key") {
			t.Errorf("row 2 without the key: %s: %s", it.Action, it.Reason)
		}
	})
	t.Run("by name", func(t *testing.T) {
		jsonl := `{"Naam kind":"` + token(t, k, "name", "Piet Jansen") + `","Datum":"2025-12-01","Notitie":""}` + "\n" +
			`{"Naam kind":"` + token(t, k, "name", "van den Berg, Anna") + `","Datum":"2025-12-01","Notitie":""}` + "\n" +
			`{"Naam kind":"` + token(t, k, "name", "PIET  JANSEN") + `","Datum":"2025-01-01","Notitie":"Sliep goed"}` + "\n" +
			`{"Naam kind":"` + token(t, k, "name", "Sem Bakker") + `","Datum":"2025-12-01","Notitie":""}` + "\n" +
			`{"Naam kind":"` + token(t, k, "name", "Jansen Piet Karel") + `","Datum":"2025-12-01","Notitie":""}` + "\n"
		c := rowsPlan(t, "konnect-diary", "dagboek.jsonl", jsonl, nil, k, "2026-01-01").byRecord()
		for rec, w := range map[string]struct {
			id     string
			action rules.Action
		}{
			"export:dagboek.jsonl#1": {"1", rules.Keep},
			"export:dagboek.jsonl#2": {"2", rules.Keep},
			"export:dagboek.jsonl#3": {"1", rules.Delete}, // C10: 3 months after the entry
		} {
			it := c[rec]
			if it == nil || it.Subject == nil || it.Subject.ID != w.id || it.Action != w.action {
				t.Errorf("%s: %+v, want %s of child %s", rec, it, w.action, w.id)
			}
		}
		if it := c["export:dagboek.jsonl#4"]; it.Action != rules.Review || !strings.Contains(it.Reason, "2 people") {
			t.Errorf("a token two children's name share: %s: %s", it.Action, it.Reason)
		}
		if it := c["export:dagboek.jsonl#5"]; it.Action != rules.Review || !strings.Contains(it.Reason, "pseudonym") {
			t.Errorf("a token of a name the registry lacks: %s: %s", it.Action, it.Reason)
		}
	})
}
