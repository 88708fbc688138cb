package apply

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent/pseudonym"
)

// seedJournal is a journal as apply writes it: intents and outcomes of
// files, an export file's prepared versions, a retry, a torn last line.
func seedJournal(t testing.TB) []byte {
	k, err := pseudonym.New([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	file := k.Of("export-file", "export:kinderen.csv")
	var b bytes.Buffer
	for _, l := range []journalLine{
		{Item: 1, Record: k.Record("dossiers", "a.pdf"), Phase: "intent", Time: now},
		{Item: 1, Record: k.Record("dossiers", "a.pdf"), Phase: "outcome", Outcome: Done, Time: now},
		{Item: 2, Record: k.Record("dossiers", "b.pdf"), Phase: "intent", Time: now},
		{Item: 2, Record: k.Record("dossiers", "b.pdf"), Phase: "outcome", Outcome: Failed, Time: now},
		{Item: 2, Record: k.Record("dossiers", "b.pdf"), Phase: "intent", Time: now},
		{Record: file, Phase: "prepared", Base: "s:10", Time: now},
		{Item: 3, Record: k.Record("export", "kinderen.csv#2"), Phase: "intent", Time: now},
		{Record: file, Phase: "prepared", Version: "s:8", Base: "s:10", Time: now},
	} {
		line, _ := json.Marshal(l)
		b.Write(line)
		b.WriteByte('\n')
	}
	b.WriteString(`{"item":3,"rec`)
	return b.Bytes()
}

// FuzzParseJournal: parseJournal never panics; what it accepts is a
// prefix of whole lines, and the lines written again read back the same.
func FuzzParseJournal(f *testing.F) {
	f.Add(seedJournal(f))
	f.Fuzz(func(t *testing.T, b []byte) {
		lines, good, err := parseJournal("j.jsonl", b)
		if err != nil {
			return
		}
		if good < 0 || good > len(b) || good > 0 && b[good-1] != '\n' {
			t.Fatalf("good %d of %d bytes", good, len(b))
		}
		var again bytes.Buffer
		for _, l := range lines {
			line, err := json.Marshal(l)
			if err != nil {
				t.Fatal(err)
			}
			again.Write(line)
			again.WriteByte('\n')
		}
		lines2, good2, err := parseJournal("j.jsonl", again.Bytes())
		if err != nil || good2 != again.Len() || len(lines2) != len(lines) {
			t.Fatalf("accepted lines, written again, read back as %d lines (%v)", len(lines2), err)
		}
		for i := range lines {
			if !lines[i].Time.Equal(lines2[i].Time) || lines[i].Item != lines2[i].Item || lines[i].Phase != lines2[i].Phase ||
				lines[i].Record != lines2[i].Record || lines[i].Outcome != lines2[i].Outcome || lines[i].Version != lines2[i].Version || lines[i].Base != lines2[i].Base {
				t.Fatalf("line %d: %+v read back as %+v", i+1, lines[i], lines2[i])
			}
		}
	})
}

// TestJournalRefusesForeignLines: a line apply does not write is not
// taken for one (an outcome without outcome once made an item look
// never tried; an unknown phase was ignored): openJournal refuses the
// journal, naming the line, never its content.
func TestJournalRefusesForeignLines(t *testing.T) {
	k, _ := pseudonym.New([]byte("0123456789abcdef0123456789abcdef"))
	rec := k.Record("dossiers", "Jansen, Piet/a.pdf")
	good := fmt.Sprintf(`{"item":1,"record":%q,"phase":"intent","time":"2026-11-23T02:00:00Z"}`, rec)
	for _, tc := range []struct{ name, line, want string }{
		{"unknown phase", fmt.Sprintf(`{"item":1,"record":%q,"phase":"done","time":"2026-11-23T02:00:00Z"}`, rec), "phase"},
		{"outcome without outcome", fmt.Sprintf(`{"item":1,"record":%q,"phase":"outcome","time":"2026-11-23T02:00:00Z"}`, rec), "outcome: missing"},
		{"no item", fmt.Sprintf(`{"record":%q,"phase":"intent","time":"2026-11-23T02:00:00Z"}`, rec), "item"},
		{"a path for a record", `{"item":1,"record":"Jansen, Piet/a.pdf","phase":"intent","time":"2026-11-23T02:00:00Z"}`, "record: not a keyed pseudonym"},
		{"an extra field", fmt.Sprintf(`{"item":1,"record":%q,"phase":"intent","name":"Piet Jansen","time":"2026-11-23T02:00:00Z"}`, rec), "not a journal line"},
		{"two values", good + good, "not a journal line"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			digest := "sha256:" + strings.Repeat("0", 64)
			os.MkdirAll(filepath.Join(dir, "journal"), 0o700)
			os.WriteFile(filepath.Join(dir, "journal", strings.Repeat("0", 64)+".jsonl"), []byte(good+"\n"+tc.line+"\n"), 0o600)
			_, err := openJournal(dir, digest)
			if err == nil || !strings.Contains(err.Error(), "line 2: "+tc.want) {
				t.Fatalf("openJournal: %v, want line 2: %s", err, tc.want)
			}
			if strings.Contains(err.Error(), "Jansen") {
				t.Errorf("the error shows the line: %v", err)
			}
		})
	}
}

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the fuzz seed corpora in testdata/fuzz")

// TestJournalSeeds writes (with -update-seeds) and checks the committed
// seed: a journal openJournal reads.
func TestJournalSeeds(t *testing.T) {
	path := filepath.Join("testdata", "fuzz", "FuzzParseJournal", "seed-1")
	b := seedJournal(t)
	if *updateSeeds {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("%s: %v (go test -run TestJournalSeeds -update-seeds writes it)", path, err)
	}
	lines, good, err := parseJournal("j.jsonl", b)
	if err != nil || len(lines) != 8 || good != bytes.LastIndexByte(b, '\n')+1 {
		t.Fatalf("seed: %d lines, %d bytes, %v", len(lines), good, err)
	}
}
