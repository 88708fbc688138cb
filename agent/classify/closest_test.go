package classify

import (
	"testing"

	"github.com/retentiond/retentiond/rules"
)

func TestClosest(t *testing.T) {
	s := func(typ rules.SubjectType, id, name string) *rules.Subject {
		return &rules.Subject{Type: typ, ID: id, Name: name}
	}
	ix := NewIndex([]*rules.Subject{
		s(rules.Child, "1306", "Boaz de Vries"),
		s(rules.Child, "1307", "Noor Jansen"),
		s(rules.Parent, "R1", "Karin de Vries"),
		s(rules.Child, "999990", "Tess Mulder"),
	})
	for _, tt := range []struct {
		typ  rules.SubjectType
		text string
		want string // type:id of the best match; "" for none
	}{
		{rules.Child, "Boaz de Vries", "child:1306"},
		{rules.Child, "vries, boaz", "child:1306"},
		{rules.Child, "Boas de Vries", "child:1306"}, // one letter off
		{rules.Child, "R1", "parent:R1"},             // the id of another type
		{rules.Child, "999999", "child:999990"},      // one digit off
		{rules.Child, "Xerxes", ""},
	} {
		got := ix.Closest(tt.typ, tt.text, 3)
		first := ""
		if len(got) > 0 {
			first = string(got[0].Type) + ":" + got[0].ID
		}
		if first != tt.want {
			t.Errorf("Closest(%s, %q) first = %q, want %q (all %d)", tt.typ, tt.text, first, tt.want, len(got))
		}
	}
}

func TestEditsAtMost1(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"abc", "abc", true}, {"abc", "abd", true}, {"abc", "ab", true}, {"abc", "xabc", true},
		{"abc", "acb", false}, {"abc", "a", false}, {"", "a", true}, {"abcd", "abxd", true}, {"abcd", "axcy", false},
	} {
		if got := editsAtMost1(tt.a, tt.b); got != tt.want {
			t.Errorf("editsAtMost1(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
