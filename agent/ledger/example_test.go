package ledger_test

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/pseudonym"
)

// Example shows apply's use of the ledger: append each action, sign a
// checkpoint at the end of the run; and an auditor's: verify with the
// public key, and prove one record's entry.
func Example() {
	// Real keys come from agent/keys; these are fixed so the output is.
	signer, _ := note.NewSigner("PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")
	verifier, _ := note.NewVerifier("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
	pseudonyms, _ := pseudonym.New(bytes.Repeat([]byte{1}, 32))

	dir, _ := os.MkdirTemp("", "ledger")
	defer os.RemoveAll(dir)
	dir = filepath.Join(dir, "ledger")

	l, err := ledger.Open(dir, "retentiond/kinderopvang-voorbeeld")
	if err != nil {
		log.Fatal(err)
	}
	for i, id := range []string{"Jansen, Piet/intake.pdf", "Jansen, Piet/contract.pdf", "de Vries, Anna/intake.pdf"} {
		_, err := l.Append(ledger.Entry{
			Time:     time.Date(2026, 11, 23, 2, 0, i, 0, time.UTC),
			Plan:     "sha256:4f3c2a1b0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b",
			Store:    "dossiers",
			Record:   pseudonyms.Record("dossiers", id), // never the path itself
			Subject:  pseudonyms.Subject("child", "1234"),
			Category: "child-dossier",
			Rule:     "C1",
			Action:   ledger.ActionDelete,
			Outcome:  ledger.OutcomeDone,
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	tree, err := l.Checkpoint(signer)
	if err != nil {
		log.Fatal(err)
	}
	l.Close()
	fmt.Println("signed tree of size", tree.N)

	r, err := ledger.Verify(dir, verifier)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("verified:", r.Entries, "entries,", r.Checkpoints, "checkpoint")

	proofs, err := ledger.Prove(dir, verifier, pseudonyms.Record("dossiers", "Jansen, Piet/contract.pdf"))
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range proofs {
		fmt.Println("line", p.Index+1, "is in the signed tree:", ledger.CheckProof(p, verifier) == nil)
	}
	// Output:
	// signed tree of size 3
	// verified: 3 entries, 1 checkpoint
	// line 2 is in the signed tree: true
}
