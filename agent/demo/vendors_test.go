package demo

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	cfgpkg "github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/ids"
	"github.com/retentiond/retentiond/scanners/export"
)

// exportStore is an export store of the demo's config with its file.
type exportStore struct {
	name, file string
	profile    export.Profile
}

// exportStores lists the demo's export stores, each with the one file its
// glob matches.
func exportStores(t *testing.T, root string) []exportStore {
	t.Helper()
	cfg, err := cfgpkg.Load(filepath.Join(root, ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	var out []exportStore
	for _, s := range cfg.Stores {
		if s.Type != cfgpkg.TypeExport {
			continue
		}
		p, ok := export.Builtin(s.Profile)
		if !ok {
			t.Fatalf("store %s: profile %q is not built in", s.Name, s.Profile)
		}
		files, _ := filepath.Glob(s.Files)
		if len(files) != 1 {
			t.Fatalf("store %s: files %s matches %d files, want 1", s.Name, s.Files, len(files))
		}
		out = append(out, exportStore{s.Name, files[0], p})
	}
	return out
}

// vendorTable reads an export back, whatever its format: CSV, the first
// sheet of a workbook (as Excel shows it), a JSON array or JSON lines. The
// header of a JSON export is the union of its objects' keys.
func vendorTable(t *testing.T, path string) table {
	t.Helper()
	switch filepath.Ext(path) {
	case ".csv":
		return readCSV(t, path)
	case ".xlsx":
		rows := xlsxRows(t, path, "Kinderen", false)
		tb := table{header: rows[0]}
		for _, r := range rows[1:] {
			m := map[string]string{}
			for i, h := range tb.header {
				if i < len(r) {
					m[h] = r[i]
				}
			}
			tb.rows = append(tb.rows, m)
		}
		return tb
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var objs []map[string]any
	if filepath.Ext(path) == ".json" {
		if err := json.Unmarshal(b, &objs); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	} else {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for n := 1; sc.Scan(); n++ {
			var o map[string]any
			if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
				t.Fatalf("%s line %d: %v", path, n, err)
			}
			objs = append(objs, o)
		}
	}
	var tb table
	for _, o := range objs {
		m := map[string]string{}
		for k, v := range o {
			if !slices.Contains(tb.header, k) {
				tb.header = append(tb.header, k)
			}
			if v != nil {
				m[k] = fmt.Sprint(v)
			}
		}
		tb.rows = append(tb.rows, m)
	}
	return tb
}

// headers lists every header a profile needs.
func headers(p export.Profile) []string {
	h := []string{p.SubjectColumn}
	if p.DateColumn != "" {
		h = append(h, p.DateColumn)
	}
	for _, c := range p.Fields {
		if !slices.Contains(h, c) {
			h = append(h, c)
		}
	}
	return h
}

func TestAnExportPerBuiltinProfile(t *testing.T) {
	root := demoAt(t, testAsOf, 1)
	stores := exportStores(t, root)
	formats := map[string]int{}
	byProfile := map[string]bool{}
	for _, s := range stores {
		byProfile[s.profile.Name] = true
		rel, _ := filepath.Rel(root, s.file)
		if !strings.HasPrefix(filepath.ToSlash(rel), vendorDir) {
			t.Errorf("store %s reads %s, not a file under %s", s.name, rel, vendorDir)
		}
		formats[filepath.Ext(s.file)]++
		tb := vendorTable(t, s.file)
		for _, h := range headers(s.profile) {
			if !slices.Contains(tb.header, h) {
				t.Errorf("%s: no column headed %q, which profile %s reads; header %q", rel, h, s.profile.Name, tb.header)
			}
		}
		if len(tb.rows) < 10 {
			t.Errorf("%s: %d rows; want a realistic export", rel, len(tb.rows))
		}
	}
	for _, name := range export.BuiltinNames() {
		if !byProfile[name] {
			t.Errorf("no export store reads a file through built-in profile %s", name)
		}
	}
	if formats[".csv"] < 5 || formats[".xlsx"] < 1 || formats[".json"] < 1 || formats[".jsonl"] < 1 {
		t.Errorf("export formats %v; want mostly CSV, and at least one XLSX, JSON and JSON lines", formats)
	}
}

// TestKidsadminWorkbook: real date cells, and a notes sheet that the
// profile skips because its first row holds none of the profile's headers.
func TestKidsadminWorkbook(t *testing.T) {
	root := demoAt(t, testAsOf, 1)
	path := filepath.Join(root, vendorDir, "kidsadmin", "kinderen-"+testAsOf.AddDays(-1).String()+".xlsx")
	shown := xlsxRows(t, path, "Kinderen", false)
	raw := xlsxRows(t, path, "Kinderen", true)
	col := slices.Index(shown[0], "Geboortedatum")
	dates := 0
	for i := 1; i < len(shown); i++ {
		if nlDate.MatchString(shown[i][col]) && regexp.MustCompile(`^\d{5}$`).MatchString(raw[i][col]) {
			dates++
		}
	}
	if dates != len(shown)-1 {
		t.Errorf("%d of %d birth dates are Excel date cells shown as dd-mm-yyyy", dates, len(shown)-1)
	}
	p, _ := export.Builtin("kidsadmin-children")
	notes := xlsxRows(t, path, "Toelichting", false)
	if len(notes) < 2 {
		t.Fatal("no notes sheet")
	}
	for _, h := range headers(p) {
		if slices.Contains(notes[0], h) {
			t.Errorf("the notes sheet's first row holds header %q: the profile would read it as data", h)
		}
	}
}

var (
	postcodeRE = regexp.MustCompile(`^[1-9]\d{3} [A-Z]{2}$`)
	mobileRE   = regexp.MustCompile(`^06[- ]?\d{4} ?\d{4}$`)
)

// TestVendorValues: every identifier has a valid form, and the people are
// the registries' people, under the same numbers and names.
func TestVendorValues(t *testing.T) {
	root := demoAt(t, testAsOf, 1)
	known := registryNames(t, root)
	checks := map[string]func(string) bool{
		export.FieldBSN:      ids.ValidBSN,
		export.FieldIBAN:     func(s string) bool { return ids.ValidIBAN(s) && strings.HasPrefix(s, "NL") },
		export.FieldPostcode: func(s string) bool { return ids.ValidPostcode(s) && postcodeRE.MatchString(s) },
		export.FieldPhone:    func(s string) bool { return ids.ValidPhone(s) && mobileRE.MatchString(s) },
		export.FieldEmail:    func(s string) bool { return ids.ValidEmail(s) && strings.HasSuffix(s, "@example.nl") },
	}
	seen := map[string]int{}
	unknown := 0
	for _, s := range exportStores(t, root) {
		tb := vendorTable(t, s.file)
		for i, r := range tb.rows {
			for kind, check := range checks {
				if v := r[s.profile.Fields[kind]]; v != "" {
					seen[kind]++
					if !check(v) {
						t.Errorf("%s row %d: %s %q is not valid", s.name, i+1, kind, v)
					}
				}
			}
			subj := r[s.profile.SubjectColumn]
			names := known[s.profile.Subject]
			if s.profile.SubjectBy == "name" {
				if !names.byName[nameKey(subj)] {
					unknown++
				}
				continue
			}
			want, ok := names.byID[subj]
			if !ok {
				unknown++
				continue
			}
			if got := r[s.profile.Fields[export.FieldName]]; got != want {
				t.Errorf("%s row %d: number %s has name %q, the registry %q", s.name, i+1, subj, got, want)
			}
		}
	}
	for kind := range checks {
		if seen[kind] < 50 {
			t.Errorf("only %d %s values in the exports", seen[kind], kind)
		}
	}
	if unknown < 5 || unknown > 10 {
		t.Errorf("%d rows of people the registries do not know; want a few", unknown)
	}
}

// people is one subject type's registry: numbers to names, and name keys.
type people struct {
	byID   map[string]string
	byName map[string]bool
}

func registryNames(t *testing.T, root string) map[string]people {
	out := map[string]people{}
	add := func(typ, id, name string) {
		p, ok := out[typ]
		if !ok {
			p = people{map[string]string{}, map[string]bool{}}
			out[typ] = p
		}
		p.byID[id] = name
		p.byName[nameKey(name)] = true
	}
	for _, r := range readCSV(t, filepath.Join(root, "exports", "kinderen.csv")).rows {
		add("child", r["Kindnummer"], r["Naam kind"])
	}
	for _, r := range readCSV(t, filepath.Join(root, "exports", "ouders.csv")).rows {
		add("parent", r["Relatienummer"], r["Naam"])
	}
	for _, s := range readStaff(t, root) {
		add("employee", s.id, s.name)
	}
	return out
}

// TestIdentifiers checks the generators against the ids package, over many
// draws, and that they never hand out a value twice.
func TestIdentifiers(t *testing.T) {
	id := newIdentities(rand.New(rand.NewPCG(3, 4)))
	seen := map[string]bool{}
	for i := range 2000 {
		n := name{"Noë", surname{"'t", "Hart"}}
		vals := map[string]string{"bsn": id.bsn(), "iban": id.iban(), "phone": id.mobile(), "email": id.email(n), "postcode": id.home().postcode}
		for kind, v := range vals {
			if seen[v] {
				t.Fatalf("draw %d: %s %q handed out twice", i, kind, v)
			}
			seen[v] = true
		}
		if !ids.ValidBSN(vals["bsn"]) || !strings.HasPrefix(vals["bsn"], "9999") || !ids.ValidIBAN(vals["iban"]) ||
			!ids.ValidPhone(vals["phone"]) || !ids.ValidEmail(vals["email"]) || !ids.ValidPostcode(vals["postcode"]) {
			t.Fatalf("draw %d: invalid values %v", i, vals)
		}
	}
	// The IBAN check digits of a published example.
	if got := ibanCheck("NL", "ABNA0417164300"); got != "91" {
		t.Errorf("ibanCheck(NL, ABNA0417164300) = %s, want 91", got)
	}
}
