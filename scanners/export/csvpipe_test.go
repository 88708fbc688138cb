package export

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// genMessyCSV writes a diary export of rows data records with what the
// rewrite must keep byte for byte: a BOM, blank lines among the rows, LF and CRLF, quoted fields with delimiters, doubled
// quotes and line breaks, short records, non-ASCII and blank-looking
// text, and no line ending after the last record.
func genMessyCSV(seed uint64, rows int, comma string) string {
	rnd := rand.New(rand.NewPCG(seed, 1))
	values := []string{"", " ", "Piet Jansen", `"Anna de Vries"`, `"a` + comma + `b"`, "\"twee\r\nregels\"", "\"drie\nregels\"",
		`"zei ""hoi"""`, `""`, "Zoë Öztürk", "\u00a0", `"  "`, "p@example.nl", "x\"y"}
	var b strings.Builder
	b.WriteString("\ufeff" + strings.Join([]string{"Nr", "Naam kind", "Datum", "Notitie", "E-mail"}, comma) + "\r\n")
	for i := range rows {
		eol := "\n"
		if rnd.IntN(2) == 0 {
			eol = "\r\n"
		}
		switch rnd.IntN(20) {
		case 0:
			b.WriteString(eol)
			continue
		case 1:
			b.WriteString(strings.Repeat(comma, 4) + eol)
			continue
		case 2:
			b.WriteString(" " + comma + "\u00a0" + comma + `""` + eol)
			continue
		}
		n := 5
		if rnd.IntN(10) == 0 {
			n = 1 + rnd.IntN(4)
		}
		fields := []string{fmt.Sprint(i)}
		for range n - 1 {
			fields = append(fields, values[rnd.IntN(len(values))])
		}
		b.WriteString(strings.Join(fields, comma))
		if i < rows-1 {
			b.WriteString(eol)
		}
	}
	return b.String()
}

// pipeEdit is an edit safe for concurrent use that changes cells in every
// way a CSV rewrite must write: to text needing quotes, to empty, to
// numbers, or not at all. Rows from failFrom on fail, each with its own
// row number in the error.
func pipeEdit(failFrom int) func(int, string, string, Cell) (Cell, error) {
	return func(row int, _, field string, c Cell) (Cell, error) {
		if failFrom > 0 && row >= failFrom {
			return c, fmt.Errorf("no key for row %d", row)
		}
		switch (row + len(field)) % 6 {
		case 0:
			return c, nil
		case 1:
			return Cell{Kind: String, S: `x;"y",z`}, nil
		case 2:
			return Cell{}, nil
		case 3:
			return Cell{Kind: Number, N: float64(row) / 4}, nil
		case 4:
			c.S = strings.ToUpper(c.S)
			return c, nil
		}
		return Cell{Kind: String, S: "KIND-" + fmt.Sprint(row)}, nil
	}
}

func pipeDrop(row int, _ string) bool { return row%7 == 3 }

// rewriteBoth runs the pipeline with the given batch size and workers and
// the serial rewrite on content, and reports how they differ.
func rewriteBoth(t *testing.T, content string, batchRows, workers int, mk func() *editor) {
	t.Helper()
	run := func(f func(*bufio.Writer, *editor) error) (string, Counts, error) {
		var out bytes.Buffer
		w := bufio.NewWriter(&out)
		ed := mk()
		err := f(w, ed)
		w.Flush()
		return out.String(), ed.counts, err
	}
	ctx := context.Background()
	got, gotN, gotErr := run(func(w *bufio.Writer, ed *editor) error {
		return csvRewriteWith(ctx, strings.NewReader(content), w, diary(), ed, batchRows, workers)
	})
	want, wantN, wantErr := run(func(w *bufio.Writer, ed *editor) error {
		return csvRewriteSerial(ctx, strings.NewReader(content), w, diary(), ed)
	})
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Fatalf("batches of %d, %d workers: error %v, want %v", batchRows, workers, gotErr, wantErr)
	}
	if gotN != wantN {
		t.Errorf("batches of %d, %d workers: counts %+v, want %+v", batchRows, workers, gotN, wantN)
	}
	if wantErr == nil && got != want {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Errorf("batches of %d, %d workers: output differs from byte %d: %q, want %q", batchRows, workers, i,
			got[i:min(len(got), i+80)], want[i:min(len(want), i+80)])
	}
}

// TestCSVRewritePipelineMatchesSerial holds the pipeline, at batch sizes
// from one record up and with one to eight workers, to the output, counts
// and errors of the rewrite that took one record at a time.
func TestCSVRewritePipelineMatchesSerial(t *testing.T) {
	base := runtime.NumGoroutine()
	files := map[string]string{
		"semicolons":        genMessyCSV(1, 3000, ";"),
		"commas":            genMessyCSV(2, 3000, ","),
		"final line ending": genMessyCSV(3, 700, ";") + "\r\n",
		"header only":       "Naam kind;Datum;Notitie;E-mail\n",
		"blank lines only":  "\n\r\n;;\n",
		"empty":             "",
		"bad header":        "Naam kind;Datum\n" + genMessyCSV(4, 50, ";"),
		"unclosed quote":    genMessyCSV(5, 2000, ";") + "\n9999;\"Piet;x;y;z\n" + genMessyCSV(6, 500, ";"),
		"text after quote":  genMessyCSV(7, 1500, ";") + "\n9999;\"Piet\"x;;;\n" + genMessyCSV(8, 500, ";"),
	}
	editors := map[string]func() *editor{
		"edit and drop": func() *editor { return &editor{editFn: pipeEdit(0), dropFn: pipeDrop} },
		"edit only":     func() *editor { return &editor{editFn: pipeEdit(0)} },
		"drop only":     func() *editor { return &editor{dropFn: pipeDrop} },
		"neither":       func() *editor { return &editor{} },
		"edit fails":    func() *editor { return &editor{editFn: pipeEdit(1200), dropFn: pipeDrop} },
	}
	for name, content := range files {
		for ename, mk := range editors {
			t.Run(name+"/"+ename, func(t *testing.T) {
				for _, batchRows := range []int{1, 2, 3, 17, csvBatchRows} {
					for _, workers := range []int{1, 2, 3, 8} {
						rewriteBoth(t, content, batchRows, workers, mk)
					}
				}
			})
		}
	}
	waitGoroutines(t, base)
}

// waitGoroutines fails t if the goroutines a rewrite started have not
// ended shortly after it returned.
func waitGoroutines(t *testing.T, base int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > base; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines after the rewrite, %d before: the pipeline leaks", runtime.NumGoroutine(), base)
		}
	}
}

// TestCSVRewriteFailsInOrder fails the edit of a row in the middle of a
// large export, and of every row after it: Rewrite must return the
// failing row's error (the first in input order, although workers edit
// later rows at the same time), leave the file alone, and leave no
// goroutine behind.
func TestCSVRewriteFailsInOrder(t *testing.T) {
	dir := t.TempDir()
	content := genMessyCSV(9, 50_000, ";")
	path := writeFile(t, dir, "f.csv", content)
	s := openStore(t, filepath.Join(dir, "*.csv"), diary())
	v := fileVersion(t, s, "f.csv")
	base := runtime.NumGoroutine()
	const failFrom = 20_000
	// The serial rewrite's error and counts: those of the first data row
	// from line failFrom on, and of the rows before it.
	var serialCalls int64
	ed := &editor{editFn: func(row int, sheet, field string, c Cell) (Cell, error) {
		serialCalls++
		return pipeEdit(failFrom)(row, sheet, field, c)
	}, dropFn: pipeDrop}
	wantErr := csvRewriteSerial(context.Background(), strings.NewReader(content), bufio.NewWriter(&bytes.Buffer{}), diary(), ed)
	if wantErr == nil {
		t.Fatal("the serial rewrite did not fail")
	}
	var calls atomic.Int64
	edit := pipeEdit(failFrom)
	n, err := s.Rewrite(context.Background(), "f.csv", v, func(row int, sheet, field string, c Cell) (Cell, error) {
		calls.Add(1)
		return edit(row, sheet, field, c)
	}, pipeDrop)
	if err == nil || !strings.HasSuffix(err.Error(), wantErr.Error()) {
		t.Fatalf("Rewrite: %v, want %v", err, wantErr)
	}
	if n != ed.counts {
		t.Errorf("counts %+v, want %+v (those of the rows up to the failing one)", n, ed.counts)
	}
	waitGoroutines(t, base)
	if got := readString(t, path); got != content {
		t.Error("a failed rewrite changed the file")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files in the folder, want 1 (the temporary file removed)", len(entries))
	}
	// Workers may have edited the batches in flight after the failing row.
	if c, most := calls.Load(), serialCalls+int64(csvInFlight(runtime.GOMAXPROCS(0))*csvBatchRows*3); c < serialCalls || c > most {
		t.Errorf("edit was called %d times, want %d to %d: the rewrite went on after the failing row", c, serialCalls, most)
	}
}

// TestCSVRewriteCancel cancels the context half-way through: the rewrite
// stops with the context's error and its goroutines end.
func TestCSVRewriteCancel(t *testing.T) {
	content := genMessyCSV(10, 20_000, ";")
	base := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var calls atomic.Int64
	ed := &editor{editFn: func(row int, sheet, field string, c Cell) (Cell, error) {
		if row >= 5000 {
			cancel()
		}
		calls.Add(1)
		return pipeEdit(0)(row, sheet, field, c)
	}}
	err := csvRewriteWith(ctx, strings.NewReader(content), bufio.NewWriter(&bytes.Buffer{}), diary(), ed, 64, 2)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("rewrite: %v, want context.Canceled", err)
	}
	if c := calls.Load(); c > 3*5000 {
		t.Errorf("edit was called %d times: the rewrite went on long after the cancel", c)
	}
	waitGoroutines(t, base)
}

// TestCSVRewritePanic: a panic in edit on a worker comes out of the
// rewrite, in the caller's goroutine, and the workers end.
func TestCSVRewritePanic(t *testing.T) {
	content := genMessyCSV(11, 5000, ";")
	base := runtime.NumGoroutine()
	ed := &editor{editFn: func(row int, sheet, field string, c Cell) (Cell, error) {
		if row >= 3000 {
			panic("edit broke")
		}
		return c, nil
	}}
	got := func() (p any) {
		defer func() { p = recover() }()
		csvRewriteWith(context.Background(), strings.NewReader(content), bufio.NewWriter(&bytes.Buffer{}), diary(), ed, 16, 2)
		return nil
	}()
	if got != "edit broke" {
		t.Fatalf("recovered %v, want edit's panic", got)
	}
	waitGoroutines(t, base)
}

// TestCSVRewriteSmallFileInline: a file of fewer records than a batch is
// rewritten in the caller's goroutine, without starting any; a larger
// one uses workers.
func TestCSVRewriteSmallFileInline(t *testing.T) {
	for _, tc := range []struct {
		rows     int
		parallel bool
	}{{csvBatchRows / 2, false}, {20 * csvBatchRows, true}} {
		base := runtime.NumGoroutine()
		var most atomic.Int64
		ed := &editor{editFn: func(row int, sheet, field string, c Cell) (Cell, error) {
			if n := int64(runtime.NumGoroutine()); n > most.Load() {
				most.Store(n)
			}
			return c, nil
		}}
		err := csvRewriteWith(context.Background(), strings.NewReader(genMessyCSV(12, tc.rows, ";")),
			bufio.NewWriter(&bytes.Buffer{}), diary(), ed, csvBatchRows, 2)
		if err != nil {
			t.Fatal(err)
		}
		if parallel := most.Load() > int64(base); parallel != tc.parallel {
			t.Errorf("%d rows: up to %d goroutines during the rewrite, %d before; want parallel %v", tc.rows, most.Load(), base, tc.parallel)
		}
	}
}
