package rules

import "testing"

// Reports name every category, subject type, event and flag in both
// languages; a word missing from a table would show up as its key.
func TestNamesInBothLanguages(t *testing.T) {
	check := func(kind, key, en, nl string) {
		t.Helper()
		if en == key && nl == key || en == "" || nl == "" || en == nl {
			t.Errorf("%s %q: en %q nl %q: give distinct English and Dutch words", kind, key, en, nl)
		}
	}
	for _, c := range Categories {
		check("category", string(c), CategoryName(c, "en"), CategoryName(c, "nl"))
	}
	for _, s := range SubjectTypes {
		check("subject type", string(s), SubjectName(s, "en"), SubjectName(s, "nl"))
	}
	for _, e := range Events {
		check("event", string(e), EventName(e, "en"), EventName(e, "nl"))
	}
	for _, f := range Flags {
		check("flag", f, FlagName(f, "en"), FlagName(f, "nl"))
	}
	if got := CategoryName("child-dossier", "nl"); got != "kinddossier" {
		t.Errorf("child-dossier in Dutch: %q", got)
	}
	if got := EventName("no_such_event", "nl"); got != "no_such_event" {
		t.Errorf("unknown event: %q", got)
	}
}

func TestFormatDate(t *testing.T) {
	d := MakeDate(2024, 3, 5)
	for _, c := range []struct{ lang, want string }{{"en", "2024-03-05"}, {"nl", "05-03-2024"}, {"", "2024-03-05"}} {
		if got := FormatDate(d, c.lang); got != c.want {
			t.Errorf("FormatDate(%s): %q, want %q", c.lang, got, c.want)
		}
	}
	if FormatDate(Date{}, "nl") != "" {
		t.Error("zero date not empty")
	}
}
