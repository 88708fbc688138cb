package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/retentiond/retentiond/agent/keys"
)

// runKeygen writes the organisation's keys: the pseudonymisation key and
// the ledger's signing and verifier keys.
func runKeygen(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("keygen", stderr)
	out := fs.String("out", "", "directory to write pseudonym.key, ledger.key and ledger.pub into (required)")
	org := fs.String("organisation", "", "the organisation's name, to name the ledger key after (default: a generic name)")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if *out == "" {
		return usageErr("--out is required")
	}
	pub, err := keys.Generate(*out, keys.NameFor(*org))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote %s, %s and %s (mode 0600).\n",
		filepath.Join(*out, "pseudonym.key"), filepath.Join(*out, "ledger.key"), filepath.Join(*out, "ledger.pub"))
	fmt.Fprintf(stdout, "Keep pseudonym.key and ledger.key secret and backed up: without pseudonym.key the ledger's\n"+
		"pseudonyms cannot be matched to records any more. Give the verifier key to whoever checks the ledger:\n%s\n", pub)
	return nil
}
