package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"github.com/retentiond/retentiond/agent"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent/metrics"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
)

const zipErasureConfig = `organisation: Zip Test
state_dir: state
pseudonym_key_file: keys/pseudonym.key
ledger_key_file: keys/ledger.key
registries:
  - name: kinderen
    subject: child
    file: kinderen.csv
    columns: {id: Nummer, name: Naam, end_of_care: Einde}
stores:
  - name: archief
    type: localfs
    root: data
    layout:
      - path: "Archief/*/{child.name}/**"
        category: child-dossier
`

// TestErasureOfZipEntries (issue 12, item 9): a zip on a local store holds
// one child's files and another child's. An access package of the first
// child holds her entries' contents and nothing of the other child; the
// plan that answers her erasure request lists her entries; the daemon
// keeps the request open while they are in the zip; apply takes them out
// by rewriting the zip (the other child's entry stays, byte for byte), the
// ledger records each, and only then is the request closed.
func TestErasureOfZipEntries(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "retentiond.yaml"), zipErasureConfig)
	writeFile(t, filepath.Join(dir, "kinderen.csv"), "Nummer;Naam;Einde\n1;Piet Jansen;30-06-2025\n2;Anna Berg;\n")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range [][2]string{
		{"Piet Jansen/intake.pdf", "piet intake"},
		{"Anna Berg/intake.pdf", "anna intake"},
		{"Piet Jansen/verslag.pdf", "piet verslag"},
	} {
		w, _ := zw.Create(e[0])
		w.Write([]byte(e[1]))
	}
	zw.Close()
	zipPath := filepath.Join(dir, "data", "Archief", "2025.zip")
	writeFile(t, zipPath, buf.String())
	cfg := filepath.Join(dir, "retentiond.yaml")
	cli := func(args ...string) string {
		t.Helper()
		code, out, errs := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errs)
		}
		return out
	}
	cli("keygen", "--out", filepath.Join(dir, "keys"))

	// The access package holds her entries' contents.
	cli("request", "open", "--config", cfg, "--subject", "child:1", "--kind", "access", "--lang", "en")
	pkg := filepath.Join(dir, "pkg")
	out := cli("request", "package", "--config", cfg, "--id", "REQ-0001", "--out", pkg)
	if !strings.Contains(out, "2 record(s)") {
		t.Errorf("package: %s", out)
	}
	for f, want := range map[string]string{"intake.pdf": "piet intake", "verslag.pdf": "piet verslag"} {
		got, err := os.ReadFile(filepath.Join(pkg, "files", "archief", "Archief", "2025.zip", "Piet Jansen", f))
		if err != nil || string(got) != want {
			t.Errorf("package: %s = %q, %v", f, got, err)
		}
	}
	filepath.WalkDir(pkg, func(p string, d os.DirEntry, err error) error {
		if b, _ := os.ReadFile(p); bytes.Contains(b, []byte("anna")) || strings.Contains(p, "Anna") {
			t.Errorf("the package holds the other child's data: %s", p)
		}
		return nil
	})
	cli("request", "close", "--config", cfg, "--id", "REQ-0001")

	cli("request", "open", "--config", cfg, "--subject", "child:1", "--kind", "erase", "--received", "2026-11-20", "--lang", "en")
	pdir := filepath.Join(dir, "plan-req")
	cli("plan", "--config", cfg, "--as-of", "2026-11-23", "--request", "REQ-0002", "--out", pdir)
	var p struct {
		Items []struct{ Record, Kind, Action, Rule string }
	}
	b, _ := os.ReadFile(filepath.Join(pdir, "plan.json"))
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, it := range p.Items {
		got[it.Record] = it.Kind + " " + it.Action + " " + it.Rule
	}
	want := map[string]string{
		"Archief/2025.zip!/Piet Jansen/intake.pdf":  "archive-entry delete R2",
		"Archief/2025.zip!/Piet Jansen/verslag.pdf": "archive-entry delete R2",
	}
	if len(got) != len(want) || got["Archief/2025.zip!/Piet Jansen/intake.pdf"] != want["Archief/2025.zip!/Piet Jansen/intake.pdf"] ||
		got["Archief/2025.zip!/Piet Jansen/verslag.pdf"] != want["Archief/2025.zip!/Piet Jansen/verslag.pdf"] {
		t.Fatalf("the request's plan: %v, want %v", got, want)
	}

	// The night's plan holds her entries too: the daemon keeps the request
	// open.
	c, err := config.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	night := filepath.Join(dir, "night")
	cli("plan", "--config", cfg, "--as-of", "2026-11-23", "--out", night)
	asOf, _ := rules.ParseDate("2026-11-23")
	m := metrics.New()
	d, err := agent.New(c, agent.Options{Metrics: m, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	d.SettleErasures(night, asOf)
	if out := cli("request", "list", "--config", cfg); !strings.Contains(out, "REQ-0002") {
		t.Fatalf("the request was closed while her entries are in the zip:\n%s", out)
	}

	cli("approve", "--config", cfg, "--plan", pdir, "--by", "Privacy officer")
	out = cli("apply", "--config", cfg, "--plan", pdir)
	if !strings.Contains(out, "carried out and completed") {
		t.Errorf("apply:\n%s", out)
	}
	raw, _ := os.ReadFile(zipPath)
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil || len(zr.File) != 1 || zr.File[0].Name != "Anna Berg/intake.pdf" {
		t.Fatalf("the zip after apply: %v, %v", zr, err)
	}
	if rc, err := zr.File[0].Open(); err != nil {
		t.Error(err)
	} else {
		var b bytes.Buffer
		b.ReadFrom(rc)
		if b.String() != "anna intake" {
			t.Errorf("the other child's entry: %q", b.String())
		}
	}
	if got := ledgerOutcomes(t, dir); len(got) != 2 || got[0] != "done" || got[1] != "done" {
		t.Errorf("ledger: %v, want two deletions done", got)
	}
	led, _ := os.ReadFile(filepath.Join(dir, "state", "ledger", "entries.jsonl"))
	if !strings.Contains(string(led), `"action":"request-done"`) {
		t.Errorf("the ledger does not record the request as carried out")
	}
	if ents, _ := os.ReadDir(filepath.Dir(zipPath)); len(ents) != 1 {
		t.Errorf("the zip's folder holds %d files, want the zip alone", len(ents))
	}
}

// TestZipErasureKeepsRequestOpen: where the zip cannot be rewritten (its
// entries cannot all be named), her entries go to review, and apply leaves
// the request open with the zip as it was.
func TestZipErasureKeepsRequestOpen(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "retentiond.yaml"), zipErasureConfig)
	writeFile(t, filepath.Join(dir, "kinderen.csv"), "Nummer;Naam;Einde\n1;Piet Jansen;30-06-2025\n2;Anna Berg;\n")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"Piet Jansen/intake.pdf", "Anna Berg/intake.pdf", "../evil.pdf"} {
		w, _ := zw.Create(name)
		w.Write([]byte(name))
	}
	zw.Close()
	zipPath := filepath.Join(dir, "data", "Archief", "2025.zip")
	writeFile(t, zipPath, buf.String())
	cfg := filepath.Join(dir, "retentiond.yaml")
	cli := func(args ...string) string {
		t.Helper()
		code, out, errs := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errs)
		}
		return out
	}
	cli("keygen", "--out", filepath.Join(dir, "keys"))
	cli("request", "open", "--config", cfg, "--subject", "child:1", "--kind", "erase", "--received", "2026-11-20", "--lang", "en")
	pdir := filepath.Join(dir, "plan-req")
	cli("plan", "--config", cfg, "--as-of", "2026-11-23", "--request", "REQ-0001", "--out", pdir)
	b, _ := os.ReadFile(filepath.Join(pdir, "plan.json"))
	if !bytes.Contains(b, []byte(`Archief/2025.zip!/Piet Jansen/intake.pdf`)) {
		t.Fatalf("the request's plan leaves out her entry:\n%s", b)
	}
	cli("approve", "--config", cfg, "--plan", pdir, "--by", "x")
	if out := cli("apply", "--config", cfg, "--plan", pdir); !strings.Contains(out, "stays open") {
		t.Errorf("apply:\n%s", out)
	}
	if now, _ := os.ReadFile(zipPath); !bytes.Equal(now, buf.Bytes()) {
		t.Error("the zip changed")
	}
	if out := cli("request", "list", "--config", cfg); !strings.Contains(out, "REQ-0001") {
		t.Errorf("the request was closed:\n%s", out)
	}
}
