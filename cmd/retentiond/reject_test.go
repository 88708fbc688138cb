package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRejectCommand: `retentiond reject` stops `retentiond apply` from
// carrying out an approved plan; nothing is deleted; the comment stays
// out of the ledger.
func TestRejectCommand(t *testing.T) {
	dir, files := approvedOrg(t, 3)
	cfg := filepath.Join(dir, "retentiond.yaml")
	pdir := filepath.Join(dir, "plan")
	var out, errs bytes.Buffer
	if err := runReject(context.Background(), []string{"--config", cfg, "--plan", pdir, "--by", "Privacy Officer"}, &out, &errs); err == nil {
		t.Error("reject without --comment")
	}
	code, stdout, stderr := runCLI(t, "reject", "--config", cfg, "--plan", pdir, "--by", "Privacy Officer", "--comment", "Kind2 blijft")
	if code != 0 || !strings.Contains(stdout, "Rejected plan") {
		t.Fatalf("reject: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, _, stderr = runCLI(t, "apply", "--config", cfg, "--plan", pdir)
	if code == 0 || !strings.Contains(stderr, "rejected") {
		t.Fatalf("apply of a rejected plan: exit %d, %s", code, stderr)
	}
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("a rejected plan deleted %s", f)
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "state", "ledger", "entries.jsonl"))
	if !strings.Contains(string(b), `"action":"rejected"`) || strings.Contains(string(b), "Kind2") || strings.Contains(string(b), "Privacy") {
		t.Errorf("ledger:\n%s", b)
	}
}
