package classify

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestMatchInAsMatch: matching with a Folder gives what Match gives, for
// every path of a listing in any order: layouts that end in "/**" and
// others (a file name pattern, a date in the name, "**" inside), files
// whose names ".+" does not match (a newline), folders that come back.
func TestMatchInAsMatch(t *testing.T) {
	c, err := Compile([]Layout{
		{Path: "{child.name}/Fotos/{date}*.jpg", Category: "photo"},
		{Path: "{child.name}/Contracten/**", Category: "contract"},
		{Path: "archief/{end_year}/{child.name}/**", Category: "child-dossier"},
		{Path: "**/Medisch/*.pdf", Category: "health"},
		{Path: "{employee.id} {employee.name}/**", Category: "personnel-file"},
		{Path: "{child.name}/**", Category: "child-dossier"},
		{Path: "**", Category: "log"},
	})
	if err != nil {
		t.Fatal(err)
	}
	dirs := []string{"Jansen, Piet", "Jansen, Piet/Contracten", "Jansen, Piet/Fotos", "Jansen, Piet/Contracten/oud",
		"archief/2019/Smit, Lotte", "archief/1899/Smit, Lotte", "archief/2019", "a/b/Medisch", "Medisch",
		"E12 Bos, Eva", "E12 Bos, Eva/Medisch", "x\ny", "CONTRACTEN/Jansen"}
	names := []string{"a.pdf", "2024-03-15 strand.jpg", "2024-02-30.jpg", "15-03-2024.jpg", "notitie.txt",
		"regel\nbreuk.pdf", "\n", "z.PDF", "é.jpg", "\xff.pdf"}
	var paths []string
	for _, d := range dirs {
		for _, n := range names {
			paths = append(paths, d+"/"+n)
		}
	}
	paths = append(paths, "los.pdf", "Jansen, Piet/", "/abs", "")
	rnd := rand.New(rand.NewPCG(3, 4))
	for round := range 50 {
		order := append([]string(nil), paths...)
		if round > 0 {
			rnd.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		var f Folder
		for _, p := range order {
			want, wok := c.Match(p)
			got, gok := c.MatchIn(&f, p)
			if wok != gok || want != got {
				t.Fatalf("round %d, %q: MatchIn %v %+v, Match %v %+v", round, p, gok, got, wok, want)
			}
		}
	}
	// One Folder used with two classifiers does not mix their answers.
	other, err := Compile([]Layout{{Path: "{parent.name}/**", Category: "contract"}})
	if err != nil {
		t.Fatal(err)
	}
	var f Folder
	c.MatchIn(&f, "Jansen, Piet/a.pdf")
	if m, _ := other.MatchIn(&f, "Jansen, Piet/b.pdf"); m.Category != "contract" {
		t.Errorf("another classifier's match: %+v", m)
	}
}

// BenchmarkMatchIn matches the files of a dossier tree, folder by folder,
// with and without a Folder.
func BenchmarkMatchIn(b *testing.B) {
	c, err := Compile([]Layout{
		{Path: "{child.name}/Contracten/**", Category: "contract"},
		{Path: "{child.name}/Medisch/**", Category: "health"},
		{Path: "{child.name}/**", Category: "child-dossier"},
	})
	if err != nil {
		b.Fatal(err)
	}
	var paths []string
	for _, sub := range []string{"", "/Contracten", "/Medisch", "/Observaties"} {
		for j := range 5 {
			paths = append(paths, fmt.Sprintf("Jansen-ab, Anna%s/document-%02d.pdf", sub, j))
		}
	}
	b.Run("Match", func(b *testing.B) {
		for b.Loop() {
			for _, p := range paths {
				c.Match(p)
			}
		}
	})
	b.Run("MatchIn", func(b *testing.B) {
		for b.Loop() {
			var f Folder
			for _, p := range paths {
				c.MatchIn(&f, p)
			}
		}
	})
}
