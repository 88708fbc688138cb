package report

import (
	"strings"
	"testing"

	"github.com/retentiond/retentiond/rules"
)

// TestNoRawCodes: the words for the codes plan.json and the config use.
func TestNoRawCodes(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{KindName("file", "nl"), "bestand"},
		{KindName("row", "nl"), "exportregel"},
		{KindName("archive", "nl"), "archief (zip)"},
		{KindName("archive-entry", "en"), "file in a zip archive"},
		{KindName("placeholder", "nl"), "bestand alleen in iCloud (niet gedownload)"},
		{StoreTypeName("localfs", "nl"), "map op de server"},
		{StoreTypeName("export", "en"), "export of an application"},
		{ActionName(rules.Pseudonymise, "nl"), "pseudonimiseren"},
		{CategoryName("child-dossier", "nl"), "kinddossier"},
		{DateText("2026-03-15", "nl"), "15-03-2026"},
		{DateText("2026-03-15", "en"), "2026-03-15"},
		// The reasons of agent/plan that quote a layout placeholder.
		{Readable("2 people of type child share this name: add their number to the folder names and a {child.id} placeholder to the layout to tell them apart", "en"),
			"2 people of type child share this name: add their number to the folder names and a placeholder for the child's number to the layout to tell them apart"},
		{Readable("2 personen (kind) hebben deze naam: zet hun nummer in de mapnamen en een {child.id} in de indeling om ze te onderscheiden", "nl"),
			"2 personen (kind) hebben deze naam: zet hun nummer in de mapnamen en een plaatshouder voor het nummer (kind) in de indeling om ze te onderscheiden"},
		{Readable("map {employee.name}/x", "nl"), "map de naam (medewerker)/x"},
		{Readable("a {nobody.id} and {x}", "en"), "a {nobody.id} and {x}"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if strings.Contains(Readable("een {parent.id}", "nl"), "{") {
		t.Error("a parent placeholder is left as code")
	}
}

// TestFate: what happens to a record, in words for the person it is
// about, with the day as they write it.
func TestFate(t *testing.T) {
	for _, tc := range []struct {
		a      rules.Action
		due, l string
		want   string
	}{
		{rules.Delete, "2026-03-15", "nl", "wordt verwijderd (de termijn liep af op 15-03-2026)"},
		{rules.Keep, "2031-05-31", "nl", "bewaard tot 31-05-2031"},
		{rules.Keep, "", "en", "kept (its term has not started yet)"},
		{rules.Hold, "2032-06-30", "en", "kept until 2032-06-30 (a legal duty or hold)"},
		{rules.Review, "", "nl", "een medewerker beslist hierover"},
		{rules.Pseudonymise, "", "en", "will be pseudonymised"},
	} {
		if got := Fate(tc.a, tc.due, tc.l); got != tc.want {
			t.Errorf("Fate(%s, %q, %s) = %q, want %q", tc.a, tc.due, tc.l, got, tc.want)
		}
	}
}
