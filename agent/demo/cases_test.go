package demo

import (
	"bytes"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/retentiond/retentiond/rules"
)

// kid is a row of kinderen.csv read back.
type kid struct {
	id, name       string
	end            rules.Date
	waiting, dereg bool
}

func readKids(t *testing.T, root string) []kid {
	var out []kid
	for _, r := range readCSV(t, filepath.Join(root, "exports", "kinderen.csv")).rows {
		out = append(out, kid{r["Kindnummer"], r["Naam kind"], parseNL(t, r["Einddatum opvang"]),
			r["Wachtlijst"] == "ja", r["Tijdelijk uitgeschreven"] == "ja"})
	}
	return out
}

// folders lists the folder names directly under dir.
func folders(t *testing.T, dir string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

// words is a name's words in any order, case and accents kept.
func words(s string) string {
	w := strings.Fields(strings.ReplaceAll(s, ",", " "))
	slices.Sort(w)
	return strings.Join(w, " ")
}

func TestChildCases(t *testing.T) {
	for _, asOf := range testDates {
		t.Run(asOf.String(), func(t *testing.T) { childCases(t, asOf) })
	}
}

var tussenRE = regexp.MustCompile(` (van den|van der|ter|'t) `)

func childCases(t *testing.T, asOf rules.Date) {
	root := demoAt(t, asOf, 1)
	kids := readKids(t, root)
	byKey := map[string][]kid{}
	for _, k := range kids {
		byKey[nameKey(k.name)] = append(byKey[nameKey(k.name)], k)
	}
	dossiers := filepath.Join(root, "data", "OneDrive", "Kinddossiers")
	folderOf := map[string][]string{}
	var comma, plainOrder, lowered, unaccented, unlinked int
	for _, f := range folders(t, dossiers) {
		k := nameKey(f)
		folderOf[k] = append(folderOf[k], f)
		switch ks := byKey[k]; {
		case len(ks) == 0:
			unlinked++
		case words(f) == words(ks[0].name) && strings.Contains(f, ","):
			comma++
		case words(f) == words(ks[0].name):
			plainOrder++
		case words(f) == words(strings.ToLower(ks[0].name)):
			lowered++
		case words(f) == words(plain(ks[0].name)):
			unaccented++
		default:
			t.Errorf("a child folder is written with other words than the child's name")
		}
	}
	if comma < 100 || plainOrder < 10 || lowered < 3 || unaccented < 3 || unlinked != 2 {
		t.Errorf("child folders: %d 'Achternaam, Voornaam', %d 'Voornaam Achternaam', %d in lower case, %d without accents, %d linked to no child; want many, some, a few, a few and 2 (old stuff, a stray child)",
			comma, plainOrder, lowered, unaccented, unlinked)
	}
	if _, err := os.Stat(filepath.Join(dossiers, "Oud - niet gebruiken")); err != nil {
		t.Error("no 'Oud - niet gebruiken' folder")
	}
	if f, err := excelize.OpenFile(filepath.Join(dossiers, "overzicht groepen.xlsx")); err != nil {
		t.Errorf("overzicht groepen.xlsx: %v", err)
	} else {
		f.Close()
	}

	var same, held, dueToday, dueTomorrow int
	for key, ks := range byKey {
		if len(ks) > 1 {
			same++
			if ks[0].id == ks[1].id || len(folderOf[key]) != 1 {
				t.Errorf("same-name children: numbers %s and %s, %d folders; want different numbers and one shared folder", ks[0].id, ks[1].id, len(folderOf[key]))
			}
		}
		for _, k := range ks {
			has := len(folderOf[key]) == 1
			switch {
			case k.end.IsZero():
			case (k.waiting || k.dereg) && k.end.AddMonths(24).Before(asOf) && has:
				held++
			case k.end.AddMonths(24) == asOf && has:
				dueToday++
			case k.end.AddMonths(24) == asOf.AddDays(1) && has:
				dueTomorrow++
			}
		}
	}
	if triggerFor(asOf, 24).AddMonths(24) != asOf {
		dueToday = 1 // 29 February: no date is exactly two years before
	}
	if same != 1 || held != 3 || dueToday < 1 || dueTomorrow < 1 {
		t.Errorf("awkward children with a dossier: %d same-name pairs, %d held by waiting list or deregistration over 2 years after care, %d due today, %d due tomorrow; want 1, 3, ≥1, ≥1",
			same, held, dueToday, dueTomorrow)
	}

	var tussen, accents bool
	for _, k := range kids {
		tussen = tussen || tussenRE.MatchString(k.name)
		accents = accents || strings.ContainsAny(k.name, "ëèéïöüç")
	}
	if !tussen || !accents {
		t.Errorf("child names with tussenvoegsels: %v, with diacritics: %v; want both", tussen, accents)
	}
}

func TestStaffCases(t *testing.T) {
	root := demoAt(t, testAsOf, 1)
	st := readStaff(t, root)
	names := map[string]bool{}
	var heldByS2, dueS1, conflicts int
	for _, s := range st {
		names[s.name] = true
		past2 := !s.end.IsZero() && s.end.AddMonths(24).Before(testAsOf)
		switch {
		case s.conflict == "ja":
			conflicts++
			if past2 && !s.end.AddMonths(120).Before(testAsOf) {
				heldByS2++
			}
		case past2 && s.conflict == "nee":
			dueS1++
		}
	}
	if conflicts != 2 || heldByS2 != 1 || dueS1 < 1 {
		t.Errorf("employees: %d with a labour conflict, %d of them left 2–10 years ago, %d left over 2 years ago without; want 2, 1, ≥1", conflicts, heldByS2, dueS1)
	}
	pers := folders(t, filepath.Join(root, "data", "OneDrive", "Personeel"))
	if len(pers) != len(st) {
		t.Errorf("%d personnel folders for %d employees", len(pers), len(st))
	}
	for _, s := range st {
		if _, err := os.Stat(filepath.Join(root, "data", "OneDrive", "Personeel", s.id+" "+s.name, "contract.pdf")); err != nil {
			t.Errorf("employee %s has no '<Personeelsnummer> <Naam>/contract.pdf'", s.id)
		}
	}

	hired := func(file, flag string, want int) {
		var n, unhiredStaff int
		for _, r := range readCSV(t, filepath.Join(root, "exports", file)).rows {
			switch {
			case r[flag] == "ja" && names[r["Naam"]]:
				n++
			case r[flag] != "ja" && names[r["Naam"]]:
				unhiredStaff++
			}
		}
		if n != want || unhiredStaff != 0 {
			t.Errorf("%s: %d hired and found in medewerkers by name, %d not hired but named like staff; want %d and 0", file, n, unhiredStaff, want)
		}
	}
	hired("sollicitanten.csv", "Aangenomen", 3)
	hired("stagiaires.csv", "In dienst", 2)

	var consent, renewed int
	for _, r := range readCSV(t, filepath.Join(root, "exports", "sollicitanten.csv")).rows {
		closed, until := parseNL(t, r["Procedure afgerond"]), parseNL(t, r["Toestemming tot"])
		if closed.Before(testAsOf.AddMonths(-24)) {
			t.Errorf("an application closed on %s, more than two years before asOf", closed)
		}
		switch {
		case until.IsZero():
		case until == closed.AddMonths(12):
			consent++
		case until.After(closed.AddMonths(12)):
			renewed++
		}
	}
	if consent < 5 || renewed != 1 {
		t.Errorf("applicants: %d consented for a year, %d renewed; want several and 1", consent, renewed)
	}
}

func TestICloudPlaceholders(t *testing.T) {
	dir := filepath.Join(demoAt(t, testAsOf, 1), "data", "iCloud", "Rapportages")
	kids := map[string]bool{}
	for _, k := range readKids(t, filepath.Dir(filepath.Dir(filepath.Dir(dir)))) {
		kids[k.name] = true
	}
	children := folders(t, dir)
	var real, placeholders int
	for _, c := range children {
		if !kids[c] {
			t.Errorf("an iCloud folder is not named 'Voornaam Achternaam' of a child in the registry")
		}
		ents, _ := os.ReadDir(filepath.Join(dir, c))
		for _, e := range ents {
			b, err := os.ReadFile(filepath.Join(dir, c, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			realName, ok := strings.CutSuffix(e.Name(), ".icloud")
			if !ok {
				real++
				continue
			}
			placeholders++
			realName, ok = strings.CutPrefix(realName, ".")
			if !ok {
				t.Errorf("placeholder %s is not named .<name>.icloud", e.Name())
			}
			d, err := readBplistDict(b)
			if err != nil {
				t.Fatalf("placeholder does not parse: %v", err)
			}
			if d["NSURLNameKey"] != realName || d["NSURLFileResourceTypeKey"] != "NSURLFileResourceTypeRegular" {
				t.Errorf("placeholder %s holds %v", e.Name(), d)
			}
			if size, ok := d["NSURLFileSizeKey"].(int64); !ok || size <= 0 {
				t.Errorf("placeholder %s has no file size: %v", e.Name(), d["NSURLFileSizeKey"])
			}
		}
	}
	if n := len(children); n < 35 || n > 45 || real < 15 || placeholders < 15 {
		t.Errorf("iCloud: %d children, %d downloaded reports, %d placeholders; want ~40 and about half of each", n, real, placeholders)
	}
}

func TestArchief(t *testing.T) {
	root := demoAt(t, testAsOf, 1)
	ends := map[string]rules.Date{}
	for _, k := range readKids(t, root) {
		ends[k.name] = k.end
	}
	dir := filepath.Join(root, "data", "Archief")
	var yearFolders int
	for _, y := range folders(t, dir) {
		yearFolders++
		for _, name := range folders(t, filepath.Join(dir, y)) {
			end, ok := ends[name]
			if !ok || y != end.String()[:4] || end.After(testAsOf.AddMonths(-36)) {
				t.Errorf("Archief/%s holds a child who is not in the registry or whose care did not end in that year 3–10 years ago", y)
			}
			if _, err := os.Stat(filepath.Join(dir, y, name, "scan-dossier.pdf")); err != nil {
				t.Error("an archive folder has no scan-dossier.pdf")
			}
		}
	}
	var yearZips, mixed int
	for zname, z := range zips(t, root) {
		info, err := os.Stat(filepath.Join(dir, zname))
		if err != nil {
			t.Fatal(err)
		}
		var due, notDue int
		for _, f := range z.File {
			if f.Modified.After(info.ModTime()) {
				t.Errorf("%s: an entry is dated %s, after the archive itself (%s)", zname, f.Modified, info.ModTime())
			}
			who, doc := path.Split(f.Name)
			end, ok := ends[strings.TrimSuffix(who, "/")]
			if !ok || (doc != "scan-dossier.pdf" && !strings.HasPrefix(doc, "Contract-")) {
				t.Errorf("%s: an entry is not '<Voornaam Achternaam>/scan-dossier.pdf' or Contract-*.pdf of a child", zname)
				continue
			}
			if r, err := f.Open(); err != nil {
				t.Errorf("%s: %v", zname, err)
			} else {
				r.Close()
			}
			if end.AddMonths(24).After(testAsOf) {
				notDue++
			} else {
				due++
			}
			if y := strings.TrimSuffix(zname, ".zip"); !strings.HasPrefix(y, "gemengd") && end.String()[:4] != y {
				t.Errorf("%s holds a child whose care ended in another year", zname)
			}
		}
		switch {
		case strings.HasPrefix(zname, "gemengd-"):
			mixed++
			if due == 0 || notDue == 0 {
				t.Errorf("%s: %d entries due and %d not; want both", zname, due, notDue)
			}
		case due > 0 && notDue == 0:
			yearZips++
		default:
			t.Errorf("%s: %d entries due and %d not; want all due", zname, due, notDue)
		}
	}
	if yearFolders < 5 || yearZips != 2 || mixed != 1 {
		t.Errorf("archive: %d year folders, %d year zips, %d mixed zips; want several, 2, 1", yearFolders, yearZips, mixed)
	}
}

func TestEveryPDFIsWhole(t *testing.T) {
	root := demoAt(t, testAsOf, 1)
	n := 0
	for p, e := range snapshot(t, root) {
		if e.dir || !strings.HasSuffix(p, ".pdf") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte("%PDF-1.")) || !bytes.HasSuffix(b, []byte("%%EOF\n")) || len(b) > 2000 {
			t.Errorf("%s is not a small whole PDF", p)
		}
		n++
	}
	if n < 2000 {
		t.Errorf("only %d PDFs", n)
	}
}
