// Command xlsxbench shows that a large XLSX export is planned and
// rewritten in bounded memory: peak RSS and wall time of a plan (every row
// read and decided by the planner, the plan written as retentiond plan
// writes it) and of a rewrite (rows dropped and cells pseudonymised as
// apply does) of a Kidsadmin children workbook of -rows rows, and of one a
// quarter that size, to show that memory does not grow with the file. It
// is a benchmark, not a test: run it by hand and quote its figures.
//
//	go run ./bench/xlsxbench [-rows 1000000] [-small 250000] [-limit 300] [-dir DIR]
//
// The workbook is written as Excel writes one: every text a shared string
// (a million names, BSNs and addresses: the worst case for the shared
// string table), dates as date-formatted serial numbers, a formula
// column. The rows belong to 10,000 children: a third left care over 7
// years ago (their rows are deleted), a third 3 years ago (name and BSN
// stay, the rest is pseudonymised), a third are still in care. It exits
// non-zero if a peak RSS is over -limit MB.
package main

import (
	"archive/zip"
	"bufio"
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/retentiond/retentiond/agent/apply"
	"github.com/retentiond/retentiond/agent/classify"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/agent/report"
	"github.com/retentiond/retentiond/bench/internal/run"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners/export"
)

const (
	children = 10_000
	asOf     = "2026-11-23"
)

func main() {
	rows := flag.Int("rows", 1_000_000, "rows in the large workbook")
	small := flag.Int("small", 250_000, "rows in the small workbook, to compare peak memory (0: skip)")
	limit := flag.Int("limit", 300, "peak RSS allowed, in MB")
	dir := flag.String("dir", "", "where to write the workbooks (default a temporary directory, removed afterwards)")
	child := flag.String("child", "", "internal: plan or rewrite")
	file := flag.String("file", "", "internal: the workbook")
	flag.Parse()
	log.SetFlags(0)
	if *child != "" {
		var err error
		switch *child {
		case "plan":
			err = planChild(*file)
		case "rewrite":
			err = rewriteChild(*file)
		default:
			err = fmt.Errorf("unknown child %q", *child)
		}
		if err != nil {
			log.Fatal(err)
		}
		return
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "retentiond-xlsxbench-")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	self, err := os.Executable()
	if err != nil {
		log.Fatal(err)
	}
	sizes := []int{*rows}
	if *small > 0 && *small != *rows {
		sizes = []int{*small, *rows}
	}
	type result struct {
		rows            int
		size, unzipped  int64
		gen             time.Duration
		planT, rewriteT time.Duration
		planRSS, rwRSS  int64
		planOut, rwOut  string
	}
	var res []result
	for _, n := range sizes {
		d := filepath.Join(*dir, strconv.Itoa(n))
		if err := os.MkdirAll(d, 0o755); err != nil {
			log.Fatal(err)
		}
		path := filepath.Join(d, "kinderen.xlsx")
		start := time.Now()
		size, unzipped := generate(path, n)
		r := result{rows: n, size: size, unzipped: unzipped, gen: time.Since(start)}
		log.Printf("%d rows: %.1f MB (%.1f MB unzipped), written in %.1f s", n, mb(size), mb(unzipped), r.gen.Seconds())
		out := filepath.Join(d, "child.out")
		r.planT, r.planRSS = run.Measure(out, self, "-child", "plan", "-file", path)
		r.planOut = readLine(out)
		r.rewriteT, r.rwRSS = run.Measure(out, self, "-child", "rewrite", "-file", path)
		r.rwOut = readLine(out)
		res = append(res, r)
	}
	fmt.Printf("\nXLSX export: kidsadmin-children, 8 columns and a formula, every text a shared string; %d CPUs; %s\n", runtime.NumCPU(), runtime.Version())
	fmt.Printf("%-9s %9s %11s %-8s %9s %11s  %s\n", "rows", "file MB", "unzipped MB", "step", "wall s", "peak RSS", "what it did")
	over := false
	for _, r := range res {
		for _, s := range []struct {
			step string
			t    time.Duration
			rss  int64
			out  string
		}{{"plan", r.planT, r.planRSS, r.planOut}, {"rewrite", r.rewriteT, r.rwRSS, r.rwOut}} {
			fmt.Printf("%-9d %9.1f %11.1f %-8s %9.2f %8.1f MB  %s\n", r.rows, mb(r.size), mb(r.unzipped), s.step, s.t.Seconds(), mb(s.rss), s.out)
			over = over || mb(s.rss) > float64(*limit)
		}
	}
	if len(res) == 2 {
		fmt.Printf("peak RSS at %d rows vs %d rows: plan %.1f MB vs %.1f MB, rewrite %.1f MB vs %.1f MB (limit %d MB)\n",
			res[1].rows, res[0].rows, mb(res[1].planRSS), mb(res[0].planRSS), mb(res[1].rwRSS), mb(res[0].rwRSS), *limit)
	}
	if over {
		log.Fatalf("a peak RSS is over the limit of %d MB", *limit)
	}
}

// subjects is the children's registry: child K<i>, a third left care
// 2017-06-30, a third 2023-06-30, a third still in care.
func subjects() []*rules.Subject {
	var out []*rules.Subject
	for i := range children {
		s := &rules.Subject{Type: rules.Child, ID: "K" + strconv.Itoa(i), Name: "Kind " + strconv.Itoa(i),
			Dates: map[rules.Event]rules.Date{}, Flags: map[string]bool{}}
		switch i % 3 {
		case 0:
			s.Dates[rules.EndOfCare] = rules.MakeDate(2017, 6, 30)
		case 1:
			s.Dates[rules.EndOfCare] = rules.MakeDate(2023, 6, 30)
		}
		out = append(out, s)
	}
	return out
}

func openStore(path string) (*export.Store, export.Profile, error) {
	prof, _ := export.Builtin("kidsadmin-children")
	st, err := export.Open(filepath.Join(filepath.Dir(path), "*.xlsx"), prof)
	return st, prof, err
}

// planChild plans the workbook as retentiond plan does: every row read,
// tied to its child, decided, and written to plan.json, plan.csv and the
// HTML report.
func planChild(path string) error {
	st, prof, err := openStore(path)
	if err != nil {
		return err
	}
	defer st.Close()
	pol, err := rules.Load("builtin:kinderopvang-nl", "")
	if err != nil {
		return err
	}
	day, _ := rules.ParseDate(asOf)
	p := &plan.Planner{
		Header:   plan.Header{Version: plan.Version, Organisation: "Bench", AsOf: asOf, Lang: "en"},
		Policy:   pol,
		Subjects: classify.NewIndex(subjects()),
		Stores: []plan.Store{{Name: "kidsadmin", Type: "export", Store: st,
			Rows: &plan.RowSpec{Subject: rules.SubjectType(prof.Subject), Category: rules.Category(prof.Category)}}},
		AsOf: day, Location: time.UTC, Lang: "en",
	}
	out, err := os.MkdirTemp(filepath.Dir(path), "plan-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(out)
	sink, err := report.Open(out, "en")
	if err != nil {
		return err
	}
	sum, results, err := p.Run(context.Background(), sink)
	if err != nil {
		return err
	}
	for _, r := range results {
		if r.Error != "" {
			return fmt.Errorf("store %s: %s", r.Name, r.Error)
		}
	}
	fmt.Printf("planned: delete %d, pseudonymise %d, keep %d, review %d\n", sum.Delete, sum.Pseudonymise, sum.Keep, sum.Review)
	return nil
}

// rewriteChild rewrites the workbook as apply does for such a plan: the
// rows of children who left over 7 years ago dropped, all but name, BSN
// and number of those who left 3 years ago pseudonymised with agent/apply's
// default operators.
func rewriteChild(path string) error {
	st, _, err := openStore(path)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	file := filepath.Base(path)
	rec, err := st.Stat(ctx, file)
	if err != nil {
		return err
	}
	ops, err := apply.Operators(nil)
	if err != nil {
		return err
	}
	key := make([]byte, pseudonym.MinKeySize)
	rand.Read(key)
	keyed, err := pseudonym.New(key)
	if err != nil {
		return err
	}
	kind := func(row int) int { return (row - 2) % children % 3 }
	edit := func(row int, _, field string, c export.Cell) (export.Cell, error) {
		if kind(row) != 1 || field == export.FieldName || field == export.FieldBSN || field == export.FieldID {
			return c, nil
		}
		return apply.PseudonymiseCell(keyed, rules.Child, ops, field, c)
	}
	drop := func(row int, _ string) bool { return kind(row) == 0 }
	n, err := st.Rewrite(ctx, file, rec.Version, edit, drop)
	if err != nil {
		return err
	}
	fmt.Printf("rewritten: %d rows, %d dropped, %d cells changed\n", n.Rows, n.Dropped, n.Changed)
	return nil
}

// generate writes a workbook of n rows, as Excel would, and returns its
// size and the size of its parts uncompressed.
func generate(path string, n int) (int64, int64) {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	zw := zip.NewWriter(bufio.NewWriterSize(f, 1<<20))
	var unzipped int64
	part := func(name, content string) {
		w, err := zw.Create(name)
		if err != nil {
			log.Fatal(err)
		}
		w.Write([]byte(content))
		unzipped += int64(len(content))
	}
	part("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`)
	part("_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	part("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Kinderen" sheetId="1" r:id="rId1"/></sheets><calcPr calcId="191029"/></workbook>`)
	part("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`)
	part("xl/styles.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd-mm-yyyy"/></numFmts><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>`)

	// The sheet, and the shared strings it uses, in the order first used.
	header := []string{"Kindnummer", "Naam kind", "BSN", "Straat", "Postcode", "Woonplaats", "Geboortedatum", "Medische bijzonderheden", "Uren per week", "Uren per maand"}
	var sst []string
	index := map[string]int{}
	str := func(s string) int {
		if i, ok := index[s]; ok {
			return i
		}
		index[s] = len(sst)
		sst = append(sst, s)
		return len(sst) - 1
	}
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		log.Fatal(err)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	write := func(s string) { bw.WriteString(s); unzipped += int64(len(s)) }
	write(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" + `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:J` + strconv.Itoa(n+1) + `"/><sheetData><row r="1">`)
	for c, h := range header {
		write(fmt.Sprintf(`<c r="%c1" t="s"><v>%d</v></c>`, 'A'+c, str(h)))
	}
	write("</row>")
	streets := []string{"Dorpsstraat", "Kerkweg", "Molenlaan", "Stationsplein", "Beukenlaan"}
	towns := []string{"Utrecht", "Zeist", "Amersfoort", "Arnhem", "Eindhoven"}
	health := []string{"", "Allergie: noten", "Astma", "Lactose-intolerant"}
	var b []byte
	for i := range n {
		r := strconv.Itoa(i + 2)
		k := i % children
		cells := []string{
			"K" + strconv.Itoa(k),
			"Kind " + strconv.Itoa(k) + " van Achternaam " + strconv.Itoa(i),
			strconv.Itoa(100_000_000 + i*7),
			streets[i%len(streets)] + " " + strconv.Itoa(i%300+1),
			fmt.Sprintf("%04d AB", 1000+i%9000),
			towns[i%len(towns)],
		}
		b = append(b[:0], `<row r="`...)
		b = append(b, r...)
		b = append(b, `">`...)
		for c, v := range cells {
			b = fmt.Appendf(b, `<c r="%c%s" t="s"><v>%d</v></c>`, 'A'+c, r, str(v))
		}
		b = fmt.Appendf(b, `<c r="G%s" s="1"><v>%d</v></c>`, r, 42000+i%3000)
		if h := health[i%len(health)]; h != "" {
			b = fmt.Appendf(b, `<c r="H%s" t="s"><v>%d</v></c>`, r, str(h))
		}
		b = fmt.Appendf(b, `<c r="I%s"><v>%d</v></c><c r="J%s"><f>I%s*4</f><v>%d</v></c></row>`, r, 8+i%32, r, r, 4*(8+i%32))
		bw.Write(b)
		unzipped += int64(len(b))
	}
	write(`</sheetData></worksheet>`)
	if err := bw.Flush(); err != nil {
		log.Fatal(err)
	}
	w, err = zw.Create("xl/sharedStrings.xml")
	if err != nil {
		log.Fatal(err)
	}
	bw = bufio.NewWriterSize(w, 1<<20)
	write(fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, len(sst), len(sst)))
	for _, s := range sst {
		write("<si><t>" + s + "</t></si>")
	}
	write("</sst>")
	if err := bw.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	fi, _ := f.Stat()
	f.Close()
	return fi.Size(), unzipped
}

func readLine(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 0 && b[len(b)-1] == '\n' {
		b = b[:len(b)-1]
	}
	return string(b)
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }
