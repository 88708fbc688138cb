package localfs

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/retentiond/retentiond/scanners"
)

// BenchmarkScan scans a tree of 20,000 files in 200 folders (100 in each of
// two levels). Allocations per op grow with the files (on Unix four each:
// the name read, its copy as a C string for fstatat, the ID and the version)
// but none outlives its callback.
func BenchmarkScan(b *testing.B) {
	dir := b.TempDir()
	const folders, perFolder = 200, 100
	for i := range folders {
		sub := filepath.Join(dir, fmt.Sprintf("groep %d", i/20), fmt.Sprintf("kind %03d", i))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			b.Fatal(err)
		}
		for j := range perFolder {
			if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("document %03d.pdf", j)), []byte("x"), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	s, err := Open(dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if err := s.Scan(b.Context(), func(scanners.Record) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		if n != folders*perFolder {
			b.Fatalf("listed %d files, want %d", n, folders*perFolder)
		}
	}
	b.ReportMetric(float64(folders*perFolder), "files/op")
}
