package export_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/operators"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners/export"
)

// BenchmarkRewriteCSVPseudonymise rewrites a 200,000-row, 12-column CSV
// export (GenCSV) with the default operators on five columns of every row,
// as bench/exportbench does: name and BSN become keyed tokens, postcode
// and date of birth are generalised, the e-mail address is blanked. The
// export is restored from a pristine copy before each run, outside the
// timer. Profile it with -cpuprofile or -memprofile.
func BenchmarkRewriteCSVPseudonymise(b *testing.B) {
	const rows = 200_000
	dir := b.TempDir()
	pristine := filepath.Join(dir, "pristine.data")
	size := export.GenCSV(b, pristine, rows)
	path := filepath.Join(dir, "export.csv")
	prof := export.Profile{
		Name: "bench", Subject: "child", SubjectBy: "id", SubjectColumn: "Kindnummer", Category: "child-dossier",
		Fields: map[string]string{export.FieldName: "Naam kind", export.FieldBSN: "BSN", export.FieldPostcode: "Postcode",
			export.FieldBirthDate: "Geboortedatum", export.FieldEmail: "E-mail"},
	}
	s, err := export.Open(filepath.Join(dir, "*.csv"), prof)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	k, err := pseudonym.New([]byte(goldenKey))
	if err != nil {
		b.Fatal(err)
	}
	set, err := operators.Parse(nil)
	if err != nil {
		b.Fatal(err)
	}
	edit := func(_ int, _, field string, c export.Cell) (export.Cell, error) {
		return set.Cell(k, rules.Child, field, c)
	}
	ctx := context.Background()
	var total time.Duration
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		export.CopyFile(b, pristine, path)
		rec, err := s.Stat(ctx, "export.csv")
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		n, err := s.Rewrite(ctx, "export.csv", rec.Version, edit, nil)
		total += time.Since(start)
		if err != nil || n.Rows != rows || n.Changed != 5*rows {
			b.Fatalf("Rewrite: %+v, %v", n, err)
		}
	}
	secs := total.Seconds() / float64(b.N)
	b.ReportMetric(float64(rows)/secs, "rows/s")
	b.ReportMetric(float64(size)/1e6/secs, "MB/s")
}
