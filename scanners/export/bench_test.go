package export

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

// benchProfile maps 4 of the 12 columns genCSV writes as fields.
func benchProfile() Profile {
	return Profile{
		Name: "bench", Subject: "child", SubjectBy: "id", SubjectColumn: "Kindnummer", Category: "child-dossier",
		Fields: map[string]string{FieldName: "Naam kind", FieldBSN: "BSN", FieldEmail: "E-mail", FieldPhone: "Telefoon"},
	}
}

// genCSV writes a Dutch-Excel style export (";", BOM, CRLF) of rows rows
// and 12 columns with made-up values, and returns its size.
func genCSV(t testing.TB, path string, rows int) int64 {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.Write(bom)
	w.WriteString("Kindnummer;Naam kind;BSN;Straat;Postcode;Woonplaats;Geboortedatum;IBAN;E-mail;Telefoon;Datum;Notitie\r\n")
	var b []byte
	for i := range rows {
		n := strconv.Itoa(100000 + i)
		b = append(b[:0], n...)
		b = append(b, ";Kind "...)
		b = append(b, n...)
		b = append(b, " van Achternaam;"...)
		b = strconv.AppendInt(b, int64(100000000+i*7), 10)
		b = append(b, ";Dorpsstraat "...)
		b = strconv.AppendInt(b, int64(i%200+1), 10)
		b = append(b, ";1234 AB;Amersfoort;"...)
		b = append(b, "15-03-2019;NL91ABNA0417164300;ouder"...)
		b = append(b, n...)
		b = append(b, "@example.nl;06-12345678;01-09-2023;\"Allergie: pinda's; let op\"\r\n"...)
		w.Write(b)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	f.Close()
	return fi.Size()
}

// mask is a cheap edit: keep the last two characters.
func mask(_ int, _, _ string, c Cell) (Cell, error) {
	if len(c.S) > 2 {
		c.S = "**" + c.S[len(c.S)-2:]
	}
	return c, nil
}

// BenchmarkRewriteCSV rewrites a 1,000,000-row, 12-column CSV export with
// 4 columns masked. The export is restored from a pristine copy before
// each run, outside the timer.
func BenchmarkRewriteCSV(b *testing.B) {
	const rows = 1_000_000
	dir := b.TempDir()
	pristine := filepath.Join(dir, "pristine.data")
	size := genCSV(b, pristine, rows)
	path := filepath.Join(dir, "export.csv")
	s := openStore(b, filepath.Join(dir, "*.csv"), benchProfile())
	ctx := context.Background()
	var total time.Duration
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		copyFile(b, pristine, path)
		v := fileVersion(b, s, "export.csv")
		b.StartTimer()
		start := time.Now()
		n, err := s.Rewrite(ctx, "export.csv", v, mask, nil)
		total += time.Since(start)
		if err != nil || n.Rows != rows || n.Changed != 4*rows {
			b.Fatalf("Rewrite: %+v, %v", n, err)
		}
	}
	secs := total.Seconds() / float64(b.N)
	b.ReportMetric(float64(rows)/secs, "rows/s")
	b.ReportMetric(float64(size)/1e6/secs, "MB/s")
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestCSVRewriteStreams checks that rewriting a CSV export holds about one
// record in memory, not the file: the heap stays far below the file's size.
func TestCSVRewriteStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 60 MB file")
	}
	dir := t.TempDir()
	size := genCSV(t, filepath.Join(dir, "export.csv"), 450_000)
	s := openStore(t, filepath.Join(dir, "*.csv"), benchProfile())
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, ms.HeapAlloc
	var mu sync.Mutex // edit runs on several goroutines
	edit := func(row int, sheet, field string, c Cell) (Cell, error) {
		if row%25_000 == 0 && field == FieldName {
			mu.Lock()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
			mu.Unlock()
		}
		return mask(row, sheet, field, c)
	}
	if _, err := s.Rewrite(context.Background(), "export.csv", fileVersion(t, s, "export.csv"), edit, nil); err != nil {
		t.Fatal(err)
	}
	grown := int64(peak) - int64(base)
	t.Logf("file %d MB, heap grew by at most %d MB", size>>20, grown>>20)
	if grown > size/4 {
		t.Errorf("the heap grew by %d MB rewriting a %d MB file: the rewrite does not stream", grown>>20, size>>20)
	}
}
