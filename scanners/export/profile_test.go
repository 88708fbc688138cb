package export

import (
	"os"
	"slices"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Profile)
		want   string // in the error; "" for none
	}{
		{"valid", func(*Profile) {}, ""},
		{"no date column", func(p *Profile) { p.DateColumn = "" }, ""},
		{"no fields", func(p *Profile) { p.Fields = nil }, ""},
		{"no name", func(p *Profile) { p.Name = " " }, "name is missing"},
		{"unknown subject", func(p *Profile) { p.Subject = "kind" }, `subject "kind" is not a subject type`},
		{"subject by bsn", func(p *Profile) { p.SubjectBy = "bsn" }, "neither id nor name"},
		{"no subject column", func(p *Profile) { p.SubjectColumn = "" }, "subject_column is missing"},
		{"no category", func(p *Profile) { p.Category = "" }, "category is missing"},
		{"blank date column", func(p *Profile) { p.DateColumn = "  " }, "date_column is blank"},
		{"unknown field", func(p *Profile) { p.Fields["geslacht"] = "Geslacht" }, "fields.geslacht is not a field kind"},
		{"field without column", func(p *Profile) { p.Fields[FieldEmail] = "" }, "fields.email names no column"},
		{"two fields one column", func(p *Profile) { p.Fields[FieldHealth] = " notitie" }, "same column"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := diary()
			tc.change(&p)
			err := p.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Validate: %v, want %q", err, tc.want)
			}
		})
	}
}

func TestBuiltins(t *testing.T) {
	names := BuiltinNames()
	want := []string{"kidsadmin-children", "kidsadmin-parents", "rosa-clients", "saamn-children", "konnect-children",
		"konnect-diary", "konnect-photos", "konnect-consents", "kijk-observations", "tactiplan-employees"}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Fatalf("BuiltinNames = %v, want %v", names, want)
	}
	doc, err := os.ReadFile("PROFILES.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		p, ok := Builtin(n)
		if !ok || p.Name != n {
			t.Fatalf("Builtin(%q) = %+v, %v", n, p, ok)
		}
		if err := p.Validate(); err != nil {
			t.Errorf("built-in %s: %v", n, err)
		}
		if !strings.Contains(string(doc), "`"+n+"`") {
			t.Errorf("PROFILES.md does not describe %s", n)
		}
		for _, h := range p.headers() {
			if !strings.Contains(string(doc), h) {
				t.Errorf("PROFILES.md does not list %s's header %q", n, h)
			}
		}
	}
	p, _ := Builtin("konnect-diary")
	if p.DateColumn == "" || p.Category != "diary" {
		t.Errorf("konnect-diary: %+v: want a date column and category diary", p)
	}
	p.Fields[FieldName] = "changed"
	if q, _ := Builtin("konnect-diary"); q.Fields[FieldName] == "changed" {
		t.Error("changing a returned profile changed the built-in one")
	}
	if _, ok := Builtin("nope"); ok {
		t.Error("Builtin(nope) found a profile")
	}
}
