package classify

import (
	"strings"
	"testing"

	"github.com/retentiond/retentiond/rules"
)

func TestMatch(t *testing.T) {
	c, err := Compile([]Layout{
		{Path: "{child.name}/Contracten/**", Category: "contract"},
		{Path: "Foto's/{date}*.jpg", Category: "photo"},
		{Path: "Archief/{end_year}/{child.name}/**", Category: "child-dossier"},
		{Path: "Personeel/{employee.id} {employee.name}/**", Category: "personnel-file"},
		{Path: "**/dagboek-{date}.txt", Category: "diary"},
		{Path: "kidsadmin/{date}.tar.gz", Category: "backup", Rule: "V4"},
		{Path: "{child.name}/**", Category: "child-dossier"},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		ok   bool
		want Match
	}{
		{"Jansen, Piet/Contracten/2019.pdf", true, Match{Layout: 0, Category: "contract", SubjectType: rules.Child, Name: "Jansen, Piet"}},
		{"Jansen, Piet/contracten/a/b.pdf", true, Match{Layout: 0, Category: "contract", SubjectType: rules.Child, Name: "Jansen, Piet"}},
		{"Jansen, Piet/intake.pdf", true, Match{Layout: 6, Category: "child-dossier", SubjectType: rules.Child, Name: "Jansen, Piet"}},
		{"Foto's/2024-05-01 uitje.jpg", true, Match{Layout: 1, Category: "photo", Date: rules.MakeDate(2024, 5, 1)}},
		{"Foto's/20240501.jpg", true, Match{Layout: 1, Category: "photo", Date: rules.MakeDate(2024, 5, 1)}},
		{"Foto's/2024-02-30.jpg", true, Match{Layout: 6, Category: "child-dossier", SubjectType: rules.Child, Name: "Foto's"}}, // no such date: next layout
		{"Archief/2015/Berg, Anna van den/verslag.pdf", true, Match{Layout: 2, Category: "child-dossier", SubjectType: rules.Child, Name: "Berg, Anna van den", EndYear: 2015}},
		{"Personeel/E042 Eva de Wit/contract.pdf", true, Match{Layout: 3, Category: "personnel-file", SubjectType: rules.Employee, ID: "E042", Name: "Eva de Wit"}},
		{"x/y/dagboek-15-03-2024.txt", true, Match{Layout: 4, Category: "diary", Date: rules.MakeDate(2024, 3, 15)}},
		{"kidsadmin/2024-02-29.tar.gz", true, Match{Layout: 5, Category: "backup", Date: rules.MakeDate(2024, 2, 29), Rule: "V4"}},
		{"losbestand.pdf", false, Match{}},
	}
	for _, tt := range tests {
		got, ok := c.Match(tt.path)
		if ok != tt.ok || got != tt.want {
			t.Errorf("Match(%q) = %+v, %v; want %+v, %v", tt.path, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct{ path, want string }{
		{"", "empty path"},
		{"/abs/**", "leading /"},
		{"{kind.name}/**", "unknown placeholder"},
		{"{child.naam}/**", "unknown placeholder"},
		{"{child.name/**", "malformed"},
		{"{child.name}/{parent.name}/**", "two subject types"},
		{"a/../b", ". or .."},
		{"{date}/{date}", "twice"},
	}
	for _, tt := range tests {
		err := CheckPath(tt.path)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("CheckPath(%q) = %v, want error containing %q", tt.path, err, tt.want)
		}
	}
	if err := CheckPath("{child.name}/{child.id}/**"); err != nil {
		t.Errorf("name and id of one subject: %v", err)
	}
}

func BenchmarkMatch(b *testing.B) {
	c, _ := Compile([]Layout{
		{Path: "{child.name}/Contracten/**", Category: "contract"},
		{Path: "Archief/{end_year}/{child.name}/**", Category: "child-dossier"},
		{Path: "{child.name}/**", Category: "child-dossier"},
	})
	for b.Loop() {
		c.Match("Berg, Anna van den/Verslagen/2019/observatie-12.pdf")
	}
}
