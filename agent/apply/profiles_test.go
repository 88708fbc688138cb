package apply

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/classify"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/agent/report"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners/export"
	"github.com/xuri/excelize/v2"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/profiles")

// goldenKey is the pseudonym key of the golden and stability tests: a
// fixed key, so that tokens in the goldens are stable.
const goldenKey = "golden-test-key-0123456789abcdef"

// profileCase is testdata/profiles/PROFILE/case.json: the date the plan is
// made and applied, the export's file name in the store's folder (an
// .xlsx is built from input.xlsx.txt), and the organisation's choices.
type profileCase struct {
	AsOf      string `json:"as_of"`
	Input     string `json:"input"`
	Overrides map[string]struct {
		Term     string `json:"term"`
		Disabled *bool  `json:"disabled"`
	} `json:"overrides"`
	Operators map[string]string `json:"operators"`
}

// TestProfilesGolden runs one small export of every built-in profile
// through plan → approve → apply and compares the plan items and the
// rewritten export with testdata/profiles/PROFILE/{plan,output}.golden.
// go test ./agent/apply -run Profiles -update rewrites the goldens.
func TestProfilesGolden(t *testing.T) {
	for _, name := range export.BuiltinNames() {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", "profiles", name)
			var c profileCase
			readJSON(t, filepath.Join(dir, "case.json"), &c)
			pol := builtinPolicy(t, c)
			subjects := readRegistry(t, filepath.Join(dir, "registry.csv"))
			work := t.TempDir()
			in := filepath.Join(work, c.Input)
			if strings.HasSuffix(c.Input, ".xlsx") {
				buildXLSX(t, filepath.Join(dir, "input.xlsx.txt"), in)
			} else {
				b, err := os.ReadFile(filepath.Join(dir, c.Input))
				if err != nil {
					t.Fatal(err)
				}
				writeBytes(t, in, b)
			}
			before := exportText(t, in)
			o := newExportOrg(t, pol, subjects, c.AsOf, []exportSpec{{name, name, filepath.Join(work, "input.*"), c.Operators}})
			checkGolden(t, filepath.Join(dir, "plan.golden"), planText(o.file))

			res, err := o.apply()
			if err != nil || res.Failed != 0 || res.Skipped != 0 {
				t.Fatalf("apply: %+v, %v", res, err)
			}
			o.checkOutcomes()
			out := exportText(t, in)
			checkGolden(t, filepath.Join(dir, "output.golden"), out)
			if acted := o.file.Summary.Delete + o.file.Summary.Pseudonymise; (acted > 0) == (out == before) {
				t.Errorf("%d rows acted on, but the export changed = %v", acted, out != before)
			}
			// A second apply of the same plan changes nothing.
			res, err = o.apply()
			if err != nil || res.Done != 0 || res.LedgerEntries != 0 || exportText(t, in) != out {
				t.Errorf("second apply: %+v, %v; want nothing done and the export unchanged", res, err)
			}
		})
	}
}

// exportSpec is one export store of an exportOrg.
type exportSpec struct {
	store, profile, glob string
	operators            map[string]string
}

// exportOrg is an organisation whose stores are exports on disk: a plan
// made as of a date, approved, and applied on that date.
type exportOrg struct {
	t        *testing.T
	planner  *plan.Planner
	file     *plan.File
	appr     *approval.Approval
	stateDir string
	keyed    *pseudonym.Keyed
	now      time.Time
	led      *ledger.Ledger
	max      int // apply.max_deletions; 0 is 1000
}

func newExportOrg(t *testing.T, pol *rules.Policy, subjects []*rules.Subject, asOf string, specs []exportSpec) *exportOrg {
	t.Helper()
	day, err := rules.ParseDate(asOf)
	if err != nil {
		t.Fatal(err)
	}
	o := &exportOrg{t: t, stateDir: t.TempDir(), now: time.Date(day.Year, day.Month, day.Day, 10, 0, 0, 0, ams)}
	o.planner = &plan.Planner{
		Header: plan.Header{Version: 1, Organisation: "Golden", AsOf: asOf, CreatedAt: asOf + "T02:00:00+01:00", ConfigSHA256: "cfg", Lang: "en", All: true},
		Policy: pol, Subjects: classify.NewIndex(subjects), AsOf: day, Location: ams, Lang: "en", All: true,
	}
	for _, sp := range specs {
		prof, ok := export.Builtin(sp.profile)
		if !ok {
			t.Fatalf("no built-in profile %s", sp.profile)
		}
		if _, err := Operators(sp.operators); err != nil {
			t.Fatal(err)
		}
		st, err := export.Open(sp.glob, prof)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		o.planner.Stores = append(o.planner.Stores, plan.Store{
			Name: sp.store, Type: "export", Store: st, Operators: sp.operators,
			Rows: &plan.RowSpec{Subject: rules.SubjectType(prof.Subject), ByName: prof.SubjectBy == "name", Category: rules.Category(prof.Category)},
		})
	}
	pdir := t.TempDir()
	sink, err := report.Open(pdir, "en")
	if err != nil {
		t.Fatal(err)
	}
	if _, results, err := o.planner.Run(context.Background(), sink); err != nil {
		t.Fatal(err)
	} else {
		for _, r := range results {
			if r.Error != "" {
				t.Fatalf("store %s: %s", r.Name, r.Error)
			}
		}
	}
	if o.file, err = plan.Read(filepath.Join(pdir, report.PlanJSON)); err != nil {
		t.Fatal(err)
	}
	if o.keyed, err = pseudonym.New([]byte(goldenKey)); err != nil {
		t.Fatal(err)
	}
	twoWeeks, _ := rules.ParseTerm("14d")
	if o.appr, err = approval.Approve(o.stateDir, o.file, "Beheerder", nil, o.now, twoWeeks, ams, o.keyed); err != nil {
		t.Fatal(err)
	}
	return o
}

func (o *exportOrg) apply() (*Result, error) {
	o.t.Helper()
	dir := filepath.Join(o.stateDir, "ledger")
	if o.led == nil {
		l, err := ledger.Open(dir, "retentiond/test")
		if err != nil {
			o.t.Fatal(err)
		}
		o.led = l
		o.t.Cleanup(func() { l.Close() })
	}
	rec, err := Recorded(dir, o.file.Digest)
	if err != nil {
		o.t.Fatal(err)
	}
	return Run(context.Background(), Options{
		Plan: o.file, Approval: o.appr, Planner: o.planner, Ledger: o.led, Pseudonyms: o.keyed,
		StateDir: o.stateDir, ConfigSHA256: "cfg", MaxDeletions: cmp.Or(o.max, 1000),
		Now: func() time.Time { return o.now }, Recorded: rec,
	})
}

// checkOutcomes checks the ledger: every delete and pseudonymise item
// done, nothing else acted on, and no entry holding a cell of a row.
func (o *exportOrg) checkOutcomes() {
	o.t.Helper()
	dir := filepath.Join(o.stateDir, "ledger")
	rec, err := Recorded(dir, o.file.Digest)
	if err != nil {
		o.t.Fatal(err)
	}
	for _, it := range o.file.Items {
		got, ok := rec[approval.RecordPseudonym(o.keyed, it.Store, it.Record)]
		if want := approval.IsAction(it.Action); ok != want || want && got != Done {
			o.t.Errorf("%s (%s): ledger outcome %q (logged %v)", it.Record, it.Action, got, ok)
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "entries.jsonl"))
	for _, it := range o.file.Items {
		if it.Subject != nil && strings.Contains(string(b), it.Subject.Name) {
			o.t.Errorf("the ledger names the subject of %s", it.Record)
		}
	}
}

func builtinPolicy(t *testing.T, c profileCase) *rules.Policy {
	t.Helper()
	pol, err := rules.Load("builtin:kinderopvang-nl", "")
	if err != nil {
		t.Fatal(err)
	}
	ov := map[string]rules.Override{}
	for id, x := range c.Overrides {
		o := rules.Override{Disabled: x.Disabled, Source: "golden case"}
		if x.Term != "" {
			term, err := rules.ParseTerm(x.Term)
			if err != nil {
				t.Fatal(err)
			}
			o.Term = &term
		}
		ov[id] = o
	}
	if pol, err = pol.WithOverrides(ov); err != nil {
		t.Fatal(err)
	}
	return pol
}

// readRegistry reads registry.csv: "type;id;name;facts", facts being
// comma-separated "event=yyyy-mm-dd" dates and flags.
func readRegistry(t *testing.T, path string) []*rules.Subject {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []*rules.Subject
	for n, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Split(line, ";")
		if n == 0 || len(f) < 3 {
			continue
		}
		s := &rules.Subject{Type: rules.SubjectType(f[0]), ID: f[1], Name: f[2], Dates: map[rules.Event]rules.Date{}, Flags: map[string]bool{},
			Source: fmt.Sprintf("registry.csv line %d", n+1)}
		for _, fact := range strings.Split(strings.Join(f[3:], ";"), ",") {
			ev, date, isDate := strings.Cut(strings.TrimSpace(fact), "=")
			if !isDate {
				if ev != "" {
					s.Flags[ev] = true
				}
				continue
			}
			d, err := rules.ParseDate(date)
			if err != nil {
				t.Fatalf("%s line %d: %v", path, n+1, err)
			}
			s.Dates[rules.Event(ev)] = d
		}
		out = append(out, s)
	}
	return out
}

// planText is the plan's items as stable text: no times or versions.
func planText(f *plan.File) string {
	var b strings.Builder
	for _, it := range f.Items {
		fmt.Fprintf(&b, "%s %s", it.Record, it.Action)
		if it.Rule != "" {
			fmt.Fprintf(&b, " rule=%s", it.Rule)
		}
		if it.Due != "" {
			fmt.Fprintf(&b, " due=%s", it.Due)
		}
		if it.Subject != nil {
			fmt.Fprintf(&b, " subject=%s:%s", it.Subject.Type, it.Subject.ID)
		}
		if len(it.Fields) > 0 {
			fmt.Fprintf(&b, " fields=%s", strings.Join(it.Fields, ","))
		}
		fmt.Fprintf(&b, "\n  reason: %s\n", it.Reason)
		for _, fd := range it.FieldDecisions {
			fmt.Fprintf(&b, "  field %-10s %-12s rule=%-9s due=%s\n", fd.Field, fd.Action, fd.Rule, fd.Due)
		}
	}
	s := f.Summary
	fmt.Fprintf(&b, "summary: delete %d, pseudonymise %d, review %d, hold %d, keep %d\n", s.Delete, s.Pseudonymise, s.Review, s.Hold, s.Keep)
	return b.String()
}

// exportText is an export as the goldens hold it: a CSV or JSON file's
// bytes, or a dump of every sheet of a workbook.
func exportText(t *testing.T, path string) string {
	t.Helper()
	if !strings.HasSuffix(path, ".xlsx") {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	return dumpXLSX(t, path)
}

// dumpXLSX writes each sheet's rows as ";"-joined formatted values, a
// formula cell as {=FORMULA}.
func dumpXLSX(t *testing.T, path string) string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	for _, sh := range f.GetSheetList() {
		fmt.Fprintf(&b, "# sheet %s\n", sh)
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			cells := make([]string, len(row))
			for c, v := range row {
				name, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if fm, _ := f.GetCellFormula(sh, name); fm != "" {
					v = "{=" + fm + "}"
				}
				cells[c] = v
			}
			fmt.Fprintf(&b, "%d: %s\n", r+1, strings.Join(cells, ";"))
		}
	}
	return b.String()
}

// buildXLSX builds a workbook from a text description: "# sheet NAME"
// starts a sheet, each other line is a ";"-separated row. A cell
// "date:yyyy-mm-dd" is a date cell in format dd-mm-yyyy, "num:N" a
// number, "=F" a formula; any other a string.
func buildXLSX(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	f := excelize.NewFile()
	defer f.Close()
	layout := "dd-mm-yyyy"
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &layout})
	if err != nil {
		t.Fatal(err)
	}
	sheet, row, first := "", 0, true
	for _, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if name, ok := strings.CutPrefix(line, "# sheet "); ok {
			if first {
				err = f.SetSheetName("Sheet1", name)
			} else {
				_, err = f.NewSheet(name)
			}
			sheet, row, first = name, 0, false
			if err != nil {
				t.Fatal(err)
			}
			continue
		}
		row++
		for c, v := range strings.Split(line, ";") {
			cell, _ := excelize.CoordinatesToCellName(c+1, row)
			switch {
			case v == "":
			case strings.HasPrefix(v, "date:"):
				d, _ := time.Parse(time.DateOnly, v[5:])
				err = f.SetCellValue(sheet, cell, d)
				if err == nil {
					err = f.SetCellStyle(sheet, cell, cell, dateStyle)
				}
			case strings.HasPrefix(v, "num:"):
				n, _ := strconv.ParseFloat(v[4:], 64)
				err = f.SetCellFloat(sheet, cell, n, -1, 64)
			case strings.HasPrefix(v, "="):
				err = f.SetCellFormula(sheet, cell, v[1:])
			default:
				err = f.SetCellStr(sheet, cell, v)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.SaveAs(dst); err != nil {
		t.Fatal(err)
	}
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		writeBytes(t, path, []byte(got))
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./agent/apply -run Profiles -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test ./agent/apply -run Profiles -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v: every built-in profile needs a golden case", err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func writeBytes(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// stabilityPolicy makes every identifier of a parent due a year after the
// contract ends (phone and date of birth after two) while the row is kept
// 7 years. The built-in policy keeps names and BSNs for the tax authority
// (C14, C15); under this one they are pseudonymised too, so the property
// covers every kind of identifier.
const stabilityPolicy = `name: stability-test
description: {en: every identifier of a parent due after a year, nl: alle identificerende gegevens na een jaar}
rules:
  - id: T1
    title: {en: contract, nl: contract}
    subjects: [parent]
    categories: [contract]
    trigger: end_of_contract
    term: 7y
    kind: min
  - id: T2
    title: {en: identifiers, nl: identificerende gegevens}
    subjects: [parent]
    categories: [contract]
    fields: [name, bsn, address, postcode, town, iban, email, notes]
    trigger: end_of_contract
    term: 1y
    kind: max
  - id: T3
    title: {en: phone and date of birth, nl: telefoon en geboortedatum}
    subjects: [parent]
    categories: [contract]
    fields: [phone, birth_date]
    trigger: end_of_contract
    term: 2y
    kind: max
`

// tokenFields are the fields whose tokens must join up across exports.
var tokenFields = []string{export.FieldName, export.FieldBSN, export.FieldAddress, export.FieldIBAN, export.FieldEmail}

// TestProfilesPseudonymsStable pseudonymises generated parents who are in
// both a Kidsadmin CSV and a ROSA JSON export, each written its own way
// (case, spacing, BSN dots or a number, IBAN groups), in two runs on fresh
// stores under the same key. The same person must get the same token in
// both exports and both runs, different people different tokens, and no
// output cell may hold an identifier that was due.
func TestProfilesPseudonymsStable(t *testing.T) {
	pol, err := rules.Parse("stability.yaml", []byte(stabilityPolicy))
	if err != nil {
		t.Fatal(err)
	}
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			people := genParents(seed, 40)
			var runs [2][2]map[string]map[string]string // run, export: id -> field -> cell
			var outputs []string
			var inputs []string
			for r := range runs {
				runs[r][0], runs[r][1], inputs, outputs = stabilityRun(t, pol, people, outputs)
			}
			owner := map[string]string{} // token -> person id
			due, kept := 0, 0
			for _, p := range people {
				if !p.due {
					kept++
					if got := runs[0][0][p.id][export.FieldName]; got != p.name {
						t.Errorf("%s: not due, but its name became %q", p.id, got)
					}
					continue
				}
				due++
				for _, f := range tokenFields {
					tok := runs[0][0][p.id][f]
					if !pseudonym.IsToken(tok) {
						t.Errorf("%s %s: %q is not a token", p.id, f, tok)
					}
					for r := range runs {
						for e, name := range []string{"kidsadmin", "rosa"} {
							if got := runs[r][e][p.id][f]; got != tok {
								t.Errorf("%s %s: %s run %d has %q, kidsadmin run 0 %q", p.id, f, name, r+1, got, tok)
							}
						}
					}
					if other, ok := owner[tok]; ok && other != p.id {
						t.Errorf("%s and %s share the %s token %s", other, p.id, f, tok)
					}
					owner[tok] = p.id
				}
			}
			if due == 0 || kept == 0 {
				t.Fatalf("%d due and %d kept: the generator should make both", due, kept)
			}
			secrets := dueSecrets(people)
			if found := leaked(inputs, secrets); len(found) != len(secrets) {
				t.Fatalf("the check finds %d of %d due identifiers in the inputs: it cannot be trusted", len(found), len(secrets))
			}
			for _, s := range leaked(outputs, secrets) {
				t.Errorf("an output cell holds a due identifier %q", s)
			}
		})
	}
}

// parent is a generated parent, with the values both exports hold.
type parent struct {
	id, name, bsn, iban, email, address, postcode, town, phone, birth, end string
	due                                                                    bool
	// How the ROSA export writes the name and the BSN.
	rosaName string
	rosaBSN  any
}

func genParents(seed uint64, n int) []parent {
	rng := rand.New(rand.NewPCG(seed, 42))
	first := []string{"Jan", "Sanne", "Mohammed", "Zoë", "Fleur", "Thijs", "Iris", "Bram", "Noor", "Daan", "Émile", "Lieke"}
	last := []string{"de Vries", "Jansen", "Öztürk", "van den Berg", "Bakker", "El Amrani", "Yılmaz", "Visser", "Smit", "Meijer", "de Groot", "Mulder"}
	streets := []string{"Dorpsstraat", "Kerkweg", "Molenlaan", "Stationsplein", "Beukenlaan", "Havenweg"}
	towns := []string{"Utrecht", "Zeist", "Amersfoort", "Arnhem"}
	// As of stabilityAsOf: running, ended 6 months ago, 18 months, 3 years.
	ends := []string{"", "2026-05-", "2025-05-", "2023-10-"}
	names := rng.Perm(len(first) * len(last))
	out := make([]parent, n)
	for i := range out {
		fn, ln := first[names[i]/len(last)], last[names[i]%len(last)]
		p := parent{
			id: strconv.Itoa(20001 + i), name: fn + " " + ln, bsn: genBSN(rng), iban: genIBAN(rng),
			email:    strings.ToLower(strings.NewReplacer(" ", "", "ë", "e", "é", "e", "É", "e", "ı", "i", "Ö", "o").Replace(fn+"."+ln)) + strconv.Itoa(i) + "@example.nl",
			address:  fmt.Sprintf("%s %d", streets[rng.IntN(len(streets))], 100+i),
			postcode: fmt.Sprintf("%d %c%c", 1000+rng.IntN(9000), 'A'+rng.IntN(26), 'A'+rng.IntN(26)),
			town:     towns[rng.IntN(len(towns))], phone: fmt.Sprintf("06%08d", rng.IntN(1e8)),
			birth: fmt.Sprintf("%02d-%02d-%d", 1+rng.IntN(28), 1+rng.IntN(12), 1970+rng.IntN(30)),
		}
		p.rosaName, p.rosaBSN = strings.ToUpper(p.name), p.bsn[:4]+"."+p.bsn[4:6]+"."+p.bsn[6:]
		if rng.IntN(2) == 0 {
			p.rosaName, p.rosaBSN = strings.Replace(p.name, " ", "  ", 1), json.Number(strings.TrimLeft(p.bsn, "0"))
		}
		if e := ends[i%len(ends)]; e != "" {
			p.end = fmt.Sprintf("%s%02d", e, 1+rng.IntN(28))
			p.due = e != "2026-05-"
		}
		out[i] = p
	}
	return out
}

// genBSN returns a random number that passes the 11-test.
func genBSN(rng *rand.Rand) string {
	for {
		d := make([]byte, 9)
		sum := 0
		for i := range 8 {
			d[i] = byte(rng.IntN(10))
			sum += (9 - i) * int(d[i])
		}
		if sum%11 == 10 || sum == 0 {
			continue
		}
		d[8] = byte(sum % 11)
		for i := range d {
			d[i] += '0'
		}
		return string(d)
	}
}

// genIBAN returns a random Dutch IBAN with valid check digits.
func genIBAN(rng *rand.Rand) string {
	bban := []string{"ABNA", "RABO", "INGB", "SNSB"}[rng.IntN(4)] + fmt.Sprintf("%010d", rng.IntN(1e10))
	rem := 0
	for _, c := range bban + "NL00" {
		if c >= 'A' {
			rem = (rem*100 + int(c-'A') + 10) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	return fmt.Sprintf("NL%02d%s", 98-rem, bban)
}

const stabilityAsOf = "2026-11-23"

// stabilityRun writes both exports of people to a fresh folder, plans,
// approves and applies, and returns each export's cells by person and
// field, and every cell of the inputs and (appended to outputs) outputs.
func stabilityRun(t *testing.T, pol *rules.Policy, people []parent, outputs []string) (kid, rosa map[string]map[string]string, inputs, outs []string) {
	t.Helper()
	dir := t.TempDir()
	var csvb strings.Builder
	csvb.WriteString("Relatienummer;Naam ouder;BSN;Straat;Postcode;Woonplaats;Geboortedatum;IBAN;E-mail;Telefoon;Klantgroep\n")
	var objs []map[string]any
	var subjects []*rules.Subject
	for _, p := range people {
		fmt.Fprintf(&csvb, "%s;%s;%s;%s;%s;%s;%s;%s;%s;%s;Particulier\n", p.id, p.name, p.bsn, p.address, p.postcode, p.town, p.birth, p.iban, p.email, p.phone)
		var iban strings.Builder
		for i := 0; i < len(p.iban); i += 4 {
			iban.WriteString(p.iban[i:min(i+4, len(p.iban))] + " ")
		}
		id, _ := strconv.Atoi(p.id)
		objs = append(objs, map[string]any{"Klantnummer": id, "Naam": p.rosaName, "BSN": p.rosaBSN, "Straat": strings.Replace(p.address, " ", "  ", 1),
			"Postcode": p.postcode, "Woonplaats": p.town, "Geboortedatum": p.birth, "IBAN": strings.TrimSpace(iban.String()),
			"E-mail": strings.ToUpper(p.email[:1]) + p.email[1:], "Telefoon": "+31 6 " + p.phone[2:], "Notities": "Incasso van " + p.iban + ", post naar " + p.address, "Locatie": "Noord"})
		s := &rules.Subject{Type: rules.Parent, ID: p.id, Name: p.name, Dates: map[rules.Event]rules.Date{}}
		if p.end != "" {
			s.Dates[rules.EndOfContract], _ = rules.ParseDate(p.end)
		}
		subjects = append(subjects, s)
	}
	js, err := json.MarshalIndent(objs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	kidPath, rosaPath := filepath.Join(dir, "kidsadmin", "ouders.csv"), filepath.Join(dir, "rosa", "klanten.json")
	writeBytes(t, kidPath, []byte(csvb.String()))
	writeBytes(t, rosaPath, js)
	ops := map[string]string{export.FieldAddress: "pseudonym", export.FieldIBAN: "pseudonym", export.FieldEmail: "pseudonym"}
	_, inKid := exportCells(t, kidPath, "kidsadmin-parents")
	_, inRosa := exportCells(t, rosaPath, "rosa-clients")
	o := newExportOrg(t, pol, subjects, stabilityAsOf, []exportSpec{
		{"kidsadmin", "kidsadmin-parents", filepath.Join(dir, "kidsadmin", "*.csv"), ops},
		{"rosa", "rosa-clients", filepath.Join(dir, "rosa", "*.json"), ops},
	})
	if res, err := o.apply(); err != nil || res.Failed+res.Skipped != 0 || res.Done == 0 {
		t.Fatalf("apply: %+v, %v", res, err)
	}
	o.checkOutcomes()
	kid, outKid := exportCells(t, kidPath, "kidsadmin-parents")
	rosa, outRosa := exportCells(t, rosaPath, "rosa-clients")
	return kid, rosa, append(inKid, inRosa...), append(append(outputs, outKid...), outRosa...)
}

// exportCells reads a kidsadmin-parents CSV or a rosa-clients JSON: the
// mapped cells by subject id and field kind, and every cell.
func exportCells(t *testing.T, path, profile string) (map[string]map[string]string, []string) {
	t.Helper()
	prof, _ := export.Builtin(profile)
	kind := map[string]string{}
	for k, h := range prof.Fields {
		kind[h] = k
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	if strings.HasSuffix(path, ".json") {
		var objs []map[string]any
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		if err := d.Decode(&objs); err != nil {
			t.Fatal(err)
		}
		for _, o := range objs {
			row := map[string]string{}
			for k, v := range o {
				if v != nil {
					row[k] = fmt.Sprint(v)
				}
			}
			rows = append(rows, row)
		}
	} else {
		r := csv.NewReader(bytes.NewReader(b))
		r.Comma = ';'
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs[1:] {
			row := map[string]string{}
			for i, v := range rec {
				row[recs[0][i]] = v
			}
			rows = append(rows, row)
		}
	}
	byID := map[string]map[string]string{}
	var all []string
	for _, row := range rows {
		m := map[string]string{}
		for h, v := range row {
			m[kind[h]] = v
			all = append(all, v)
		}
		byID[row[prof.SubjectColumn]] = m
	}
	return byID, all
}

// dueSecrets lists, in lower case, the identifiers of due people as the
// inputs write them and in their compact forms, leaving out any that a
// kept person's values contain (those may stay).
func dueSecrets(people []parent) []string {
	var keptVals []string
	for _, p := range people {
		if !p.due {
			keptVals = append(keptVals, strings.ToLower(p.name), p.bsn, strings.ToLower(p.iban), p.email, strings.ToLower(p.address))
		}
	}
	var out []string
	for _, p := range people {
		if !p.due {
			continue
		}
	next:
		for _, s := range []string{p.name, p.bsn, fmt.Sprint(p.rosaBSN), p.iban, p.email, p.address} {
			s = strings.ToLower(s)
			for _, k := range keptVals {
				if strings.Contains(k, s) {
					continue next
				}
			}
			out = append(out, s)
		}
	}
	return out
}

// leaked returns the secrets some cell holds, comparing in lower case
// with runs of white space made one.
func leaked(cells, secrets []string) []string {
	var out []string
	for _, s := range secrets {
		for _, c := range cells {
			if strings.Contains(strings.Join(strings.Fields(strings.ToLower(c)), " "), s) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}
