// Command exportbench measures how fast retentiond pseudonymises a large
// vendor export, beside awk rewriting the same columns of the same file:
// rows/s, MB/s and peak memory (max RSS) of each, and their ratio. It is a
// benchmark, not a test: run it by hand and quote its figures.
//
//	go run ./bench/exportbench [-rows 1000000] [-small 250000] [-runs 3] [-dir DIR]
//
// The export is a Kidsadmin parents CSV (";", the kidsadmin-parents
// profile's ten columns and two more). retentiond rewrites it through the
// export store's Rewrite, as apply does, with the default operators of
// agent/apply on five columns of every row: name and BSN become keyed
// tokens (HMAC-SHA256), postcode and date of birth are generalised, the
// e-mail address is blanked. awk -F';' replaces the same five columns with
// fixed strings and substrings. A third run, "store only", rewrites the
// same columns through the store with every cell blanked: the store's own
// cost, without the operators. Each runs in its own process so that its
// peak RSS can be read; the run at -small rows shows whether memory grows
// with the file.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"github.com/retentiond/retentiond/bench/internal/run"
	"io"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/retentiond/retentiond/agent/apply"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners/export"
)

const header = "Relatienummer;Naam ouder;BSN;Straat;Postcode;Woonplaats;Geboortedatum;IBAN;E-mail;Telefoon;Klantgroep;Opmerking\n"

// fields is the number of columns pseudonymised; pseudonymised says
// which, by field kind. awkScript changes the same columns ($2 name, $3
// BSN, $5 postcode, $7 date of birth, $9 e-mail) the way the default
// operators do, without the keyed hash.
const fields = 5

func pseudonymised(field string) bool {
	switch field {
	case export.FieldName, export.FieldBSN, export.FieldPostcode, export.FieldBirthDate, export.FieldEmail:
		return true
	}
	return false
}

const awkScript = `NR > 1 { $2 = "OUDER-" substr($2, 1, 8); $3 = "BSN-" substr($3, 1, 8); $5 = substr($5, 1, 4); $7 = substr($7, 7, 4); $9 = "" } { print }`

func main() {
	rows := flag.Int("rows", 1_000_000, "rows in the large export")
	small := flag.Int("small", 250_000, "rows in the small export, to compare peak memory (0: skip)")
	runs := flag.Int("runs", 3, "timed runs of each command; the median is reported")
	dir := flag.String("dir", "", "where to write the exports (default a temporary directory, removed afterwards)")
	child := flag.String("rewrite", "", "internal: pseudonymise this file in this process and exit")
	cpuprofile := flag.String("cpuprofile", "", "with -rewrite: write a CPU profile of the rewrite to this file")
	blank := flag.Bool("blank", false, "with -rewrite: blank the columns instead of applying the operators (the store's own cost)")
	flag.Parse()
	log.SetFlags(0)
	if *child != "" {
		if *cpuprofile != "" {
			f, err := os.Create(*cpuprofile)
			if err != nil {
				log.Fatal(err)
			}
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
		if err := rewrite(*child, *blank); err != nil {
			log.Fatal(err)
		}
		return
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "retentiond-exportbench-")
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
	var res []result
	for _, n := range sizes {
		res = append(res, benchmark(self, filepath.Join(*dir, strconv.Itoa(n)), n, *runs))
	}
	fmt.Printf("\nexport: kidsadmin-parents CSV, 12 columns, 5 pseudonymised per row; median of %d runs; %d CPUs; %s\n", *runs, runtime.NumCPU(), runtime.Version())
	fmt.Printf("%-10s %-11s %10s %12s %9s %10s %9s\n", "rows", "tool", "MB", "rows/s", "MB/s", "wall s", "peak RSS")
	for _, r := range res {
		for _, m := range []measured{r.awk, r.blank, r.rtd} {
			secs := m.wall.Seconds()
			fmt.Printf("%-10d %-11s %10.1f %12.0f %9.1f %10.2f %6.1f MB\n", r.rows, m.tool, mb(r.size), float64(r.rows)/secs, mb(r.size)/secs, secs, mb(m.rss))
		}
		fmt.Printf("%-10d ratio retentiond/awk: %.2f  (target <= 1.5); the store alone, blanking the columns: %.2f\n",
			r.rows, r.rtd.wall.Seconds()/r.awk.wall.Seconds(), r.blank.wall.Seconds()/r.awk.wall.Seconds())
	}
	if len(res) == 2 {
		fmt.Printf("peak RSS at %d rows vs %d rows: retentiond %.1f MB vs %.1f MB, awk %.1f MB vs %.1f MB (target: flat in the file size)\n",
			res[1].rows, res[0].rows, mb(res[1].rtd.rss), mb(res[0].rtd.rss), mb(res[1].awk.rss), mb(res[0].awk.rss))
	}
}

type measured struct {
	tool string
	wall time.Duration
	rss  int64
}

type result struct {
	rows            int
	size            int64
	awk, blank, rtd measured
}

// benchmark generates an export of n rows in dir and times awk and the
// retentiond child on it, runs times each, restoring the export before
// every retentiond run (it rewrites the file in place).
func benchmark(self, dir string, n, runs int) result {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatal(err)
	}
	pristine := filepath.Join(dir, "pristine.data")
	size := generate(pristine, n)
	target := filepath.Join(dir, "ouders.csv")
	awkOut, childOut := filepath.Join(dir, "awk.out"), filepath.Join(dir, "child.out")
	log.Printf("%d rows: %.1f MB", n, mb(size))
	var aw, rw, bw []time.Duration
	var arss, rrss, brss int64
	child := func(args ...string) (time.Duration, int64) {
		copyFile(pristine, target)
		w, r := run.Measure(childOut, append([]string{self, "-rewrite", target}, args...)...)
		if b, _ := os.ReadFile(childOut); string(b) != fmt.Sprintf("rows=%d changed=%d\n", n, fields*n) {
			log.Fatalf("retentiond rewrote %q; want every row's %d columns changed", b, fields)
		}
		return w, r
	}
	for range runs {
		w, r := run.Measure(awkOut, "awk", "-F;", "-v", "OFS=;", awkScript, pristine)
		aw, arss = append(aw, w), max(arss, r)
		w, r = child("-blank")
		bw, brss = append(bw, w), max(brss, r)
		w, r = child()
		rw, rrss = append(rw, w), max(rrss, r)
	}
	checkOutputs(awkOut, target)
	return result{rows: n, size: size, awk: measured{"awk", median(aw), arss},
		blank: measured{"store only", median(bw), brss}, rtd: measured{"retentiond", median(rw), rrss}}
}

// rewrite is the child: pseudonymise the export at path through the
// export store, with agent/apply's default operators.
func rewrite(path string, blank bool) error {
	prof, _ := export.Builtin("kidsadmin-parents")
	st, err := export.Open(filepath.Join(filepath.Dir(path), "*.csv"), prof)
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
	edit := func(row int, _, field string, c export.Cell) (export.Cell, error) {
		if !pseudonymised(field) {
			return c, nil
		}
		if blank {
			return export.Cell{Kind: export.Empty}, nil
		}
		out, err := apply.PseudonymiseCell(keyed, rules.Parent, ops, field, c)
		if err != nil {
			return c, fmt.Errorf("row %d, field %s: %w", row, field, err)
		}
		return out, nil
	}
	n, err := st.Rewrite(ctx, file, rec.Version, edit, nil)
	if err != nil {
		return err
	}
	fmt.Printf("rows=%d changed=%d\n", n.Rows, n.Changed)
	return nil
}

// generate writes an export of n rows with made-up, well-formed values
// (BSNs pass the 11-test, IBANs mod 97) and returns its size.
func generate(path string, n int) int64 {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(header)
	streets := []string{"Dorpsstraat", "Kerkweg", "Molenlaan", "Stationsplein", "Beukenlaan"}
	towns := []string{"Utrecht", "Zeist", "Amersfoort", "Arnhem", "Eindhoven"}
	var b []byte
	for i := range n {
		id := strconv.Itoa(1_000_000 + i)
		b = append(b[:0], 'R')
		b = append(b, id...)
		b = append(b, ";Ouder "...)
		b = append(b, id...)
		b = append(b, " van Achternaam;"...)
		b = append(b, bsn(100_000_000+i*7)...)
		b = append(b, ';')
		b = append(b, streets[i%len(streets)]...)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(i%300+1), 10)
		b = fmt.Appendf(b, ";%04d AB;%s;%02d-%02d-%d;%s;ouder%s@example.nl;06%08d;Particulier;Betaalt per incasso\n",
			1000+i%9000, towns[i%len(towns)], 1+i%28, 1+i%12, 1970+i%30, iban(i), id, i)
		w.Write(b)
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	fi, _ := f.Stat()
	f.Close()
	return fi.Size()
}

// bsn returns the first BSN from n on that passes the 11-test.
func bsn(n int) string {
	for ; ; n++ {
		s := strconv.Itoa(n)
		sum := 0
		for i := range 8 {
			sum += (9 - i) * int(s[i]-'0')
		}
		if sum%11 == int(s[8]-'0') {
			return s
		}
	}
}

// iban returns a Dutch IBAN with valid check digits.
func iban(i int) string {
	bban := fmt.Sprintf("ABNA%010d", 417164300+i)
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

// checkOutputs makes sure both tools changed what they should: the first
// data row of each has a blank e-mail address.
func checkOutputs(paths ...string) {
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			log.Fatal(err)
		}
		r := bufio.NewReader(f)
		r.ReadString('\n')
		line, _ := r.ReadString('\n')
		f.Close()
		cols := strings.Split(line, ";")
		if len(cols) != 12 || cols[8] != "" || !strings.HasPrefix(cols[1], "OUDER-") || len(cols[4]) != 4 {
			log.Fatalf("%s: first row not rewritten as expected (%d columns)", p, len(cols))
		}
	}
}

func copyFile(from, to string) {
	src, err := os.Open(from)
	if err != nil {
		log.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		log.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		log.Fatal(err)
	}
}

func median(d []time.Duration) time.Duration {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2]
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }
