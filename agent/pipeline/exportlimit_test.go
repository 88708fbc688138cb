package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/scanners"
	"github.com/xuri/excelize/v2"
)

// TestExportMaxUnzipped: an export store's max_unzipped_mb reaches the
// store: a workbook that unpacks to more is refused, naming the file.
func TestExportMaxUnzipped(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "exports"), 0o700); err != nil {
		t.Fatal(err)
	}
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"Naam kind", "Datum", "Notitie"})
	for r := 2; r < 20000; r++ {
		cell, _ := excelize.CoordinatesToCellName(1, r)
		f.SetSheetRow("Sheet1", cell, &[]any{"Kind", "2024-01-01", strings.Repeat("notitie ", 10)})
	}
	if err := f.SaveAs(filepath.Join(dir, "exports", "dagboek.xlsx")); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, c := range []struct {
		limit string
		fails bool
	}{{"", false}, {"    max_unzipped_mb: 1\n", true}} {
		cfgText := "organisation: X\nstores:\n  - name: dagboek\n    type: export\n    files: exports/*.xlsx\n    profile: konnect-diary\n" + c.limit
		path := filepath.Join(dir, "retentiond.yaml")
		if err := os.WriteFile(path, []byte(cfgText), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		stores, err := Stores(context.Background(), cfg)
		if err != nil || len(stores) != 1 || stores[0].Store == nil {
			t.Fatalf("stores: %v", err)
		}
		n := 0
		err = stores[0].Store.Scan(context.Background(), func(scanners.Record) error { n++; return nil })
		switch {
		case c.fails && (err == nil || !strings.Contains(err.Error(), "dagboek.xlsx") || !strings.Contains(err.Error(), "over the limit of 1 MB")):
			t.Errorf("max_unzipped_mb 1: %v, want the workbook refused", err)
		case !c.fails && (err != nil || n != 19998):
			t.Errorf("default limit: %d rows, %v", n, err)
		}
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("organisation: X\nstores:\n  - name: dagboek\n    type: export\n    files: exports/*.xlsx\n    profile: konnect-diary\n    max_unzipped_mb: -1\n"), 0o600)
	if _, err := config.Load(bad); err == nil || !strings.Contains(err.Error(), "max_unzipped_mb") {
		t.Errorf("a negative max_unzipped_mb: %v, want an error naming the key", err)
	}
}
