package export

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/scanners"
)

// diary is the profile the tests read with. The names in the tests'
// files are made up.
func diary() Profile {
	return Profile{
		Name: "test-diary", Subject: "child", SubjectBy: "name", SubjectColumn: "Naam kind",
		Category: "diary", DateColumn: "Datum",
		Fields: map[string]string{FieldName: "Naam kind", FieldNotes: "Notitie", FieldEmail: "E-mail"},
	}
}

func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func openStore(t testing.TB, glob string, p Profile) *Store {
	t.Helper()
	s, err := Open(glob, p)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func scanAll(t testing.TB, s *Store) ([]scanners.Record, error) {
	t.Helper()
	var out []scanners.Record
	err := s.Scan(context.Background(), func(r scanners.Record) error {
		out = append(out, r)
		return nil
	})
	return out, err
}

// summary writes a row record on one line: ID, subject, date and fields.
func summary(r scanners.Record) string {
	if r.Row == nil {
		return r.ID + " (no row)"
	}
	return r.ID + " | " + r.Row.Subject + " | " + r.Row.Date + " | " + strings.Join(r.Row.Fields, ",") +
		" | " + r.Row.File + " " + r.Row.Sheet + " " + strconv.Itoa(r.Row.Index)
}

func summaries(recs []scanners.Record) string {
	var b strings.Builder
	for _, r := range recs {
		b.WriteString(summary(r))
		b.WriteByte('\n')
	}
	return b.String()
}

// fileVersion is the version Scan gives the rows of file rel.
func fileVersion(t testing.TB, s *Store, rel string) string {
	t.Helper()
	rec, err := s.Stat(context.Background(), rel)
	if err != nil {
		t.Fatalf("Stat(%s): %v", rel, err)
	}
	return rec.Version
}

func readString(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// upper is an edit that upper-cases text cells and leaves others alone.
func upper(_ int, _ string, _ string, c Cell) (Cell, error) {
	if c.Kind == String {
		c.S = strings.ToUpper(c.S)
	}
	return c, nil
}
