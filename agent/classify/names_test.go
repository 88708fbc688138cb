package classify

import (
	"testing"

	"github.com/retentiond/retentiond/rules"
)

func TestByName(t *testing.T) {
	subjects := []*rules.Subject{
		{Type: rules.Child, ID: "1", Name: "Piet Jansen"},
		{Type: rules.Child, ID: "2", Name: "Anna van den Berg"},
		{Type: rules.Child, ID: "3", Name: "Zoë de Vries"},
		{Type: rules.Child, ID: "4", Name: "Sem Bakker"},
		{Type: rules.Child, ID: "5", Name: "Sem Bakker"},
		{Type: rules.Child, ID: "6", Name: "Lotte ter Horst"},
		{Type: rules.Child, ID: "7", Name: "Lotte Horst"},
		{Type: rules.Child, ID: "8", Name: "Daan 't Hart"},
		{Type: rules.Employee, ID: "E1", Name: "Piet Jansen"},
	}
	ix := NewIndex(subjects)
	tests := []struct {
		name string
		want []string // ids
	}{
		{"Piet Jansen", []string{"1"}},
		{"Jansen, Piet", []string{"1"}},
		{"JANSEN PIET", []string{"1"}},
		{"Jánsen, Píet", []string{"1"}},
		{"Berg, Anna van den", []string{"2"}},
		{"van den Berg, Anna", []string{"2"}},
		{"Anna Berg", []string{"2"}}, // tussenvoegsel left out: unique loose match
		{"Zoe de Vries", []string{"3"}},
		{"Vries, Zoë de", []string{"3"}},
		{"Sem Bakker", []string{"4", "5"}}, // two children with one name: ambiguous
		{"Lotte ter Horst", []string{"6"}},
		{"Horst, Lotte", []string{"7"}}, // the exact match wins over the loose one
		{"Hart, Daan 't", []string{"8"}},
		{"Daan t Hart", []string{"8"}},
		{"Piet Jansens", nil},
		{"Piet", nil},
		{"", nil},
	}
	for _, tt := range tests {
		got := ix.ByName(rules.Child, tt.name)
		var ids []string
		for _, s := range got {
			ids = append(ids, s.ID)
		}
		if len(ids) != len(tt.want) {
			t.Errorf("ByName(%q) = %v, want %v", tt.name, ids, tt.want)
			continue
		}
		for i := range ids {
			if ids[i] != tt.want[i] {
				t.Errorf("ByName(%q) = %v, want %v", tt.name, ids, tt.want)
			}
		}
	}
	if got := ix.ByName(rules.Employee, "Jansen, Piet"); len(got) != 1 || got[0].ID != "E1" {
		t.Errorf("employee lookup = %v, want E1 only", got)
	}
	if got := ix.ByID(rules.Child, " 3 "); got == nil || got.ID != "3" {
		t.Errorf("ByID(child, 3) = %v", got)
	}
	if got := ix.ByID(rules.Employee, "3"); got != nil {
		t.Errorf("ByID(employee, 3) = %v, want nil", got)
	}
}
