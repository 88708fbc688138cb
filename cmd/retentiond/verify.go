package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/retentiond/retentiond/agent/keys"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/pseudonym"
)

// runVerify checks the ledger's entries against every signed checkpoint,
// and with --record proves that one record's entries are in the log.
func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("verify", stderr)
	dir := fs.String("ledger", "", "the ledger directory (STATE_DIR/ledger) (required)")
	key := fs.String("key", "", "the verifier key: ledger.pub, or its text (required)")
	record := fs.String("record", "", "prove this record's entries: STORE:RECORD (needs --config for the pseudonym key) or its pseudonym")
	cfgPath := fs.String("config", "", "config file, to turn --record STORE:RECORD into its pseudonym, and for --copies")
	copies := fs.Bool("copies", false, "also check the ledger against its copies in the config's ledger_copy bucket")
	head := fs.String("head", "", "the ledger's high-water mark (default: next to the ledger folder, STATE_DIR/ledger-head)")
	allowTail := fs.Bool("allow-unsigned-tail", false, "accept entries after the latest checkpoint that an apply still running is writing")
	writeHead := fs.Bool("write-head", false, "write the high-water mark of a ledger that has none, after verifying it (once, for a ledger made before marks existed or restored from its copies)")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if *dir == "" || *key == "" {
		return usageErr("--ledger and --key are required")
	}
	v, err := keys.VerifierFromArg(*key)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	if *copies && *cfgPath == "" {
		return usageErr("--copies needs --config (for the ledger_copy bucket)")
	}
	var rep *ledger.Report
	var lerr error
	if *writeHead {
		rep, lerr = ledger.WriteHead(*dir, *head, v)
		if lerr == nil {
			fmt.Fprintf(stdout, "Wrote the high-water mark %s (size %d).\n", rep.HeadFile, rep.Head.N)
		}
	} else {
		rep, lerr = ledger.VerifyWith(*dir, v, ledger.VerifyOptions{Head: *head})
	}
	if lerr == nil {
		fmt.Fprintln(stdout, rep.String())
	}
	if *copies {
		// Checked even when the local ledger fails: the copies say what
		// it held, which is what the supervisor will want to see.
		svc, err := loadService(*cfgPath, stdout, stderr)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout)
		if cerr := svc.VerifyCopies(ctx, *dir, v); cerr != nil {
			if lerr != nil {
				return fmt.Errorf("the ledger does NOT verify: %w; and %w", lerr, cerr)
			}
			return cerr
		}
	}
	if lerr != nil {
		return fmt.Errorf("the ledger does NOT verify: %w", lerr)
	}
	if rep.Checkpoints == 0 && rep.Entries > 0 && !*allowTail {
		return fmt.Errorf("no entry of the ledger is signed yet: nothing could be verified")
	}
	if rep.Unsigned > 0 && !*allowTail {
		return fmt.Errorf("%d entries of the ledger (lines %d–%d) are not signed yet: an apply is writing them, or was stopped before its checkpoint (the next apply signs them); run verify again when no apply is running, or pass --allow-unsigned-tail while one is", rep.Unsigned, rep.Entries-rep.Unsigned+1, rep.Entries)
	}
	if *record == "" {
		return nil
	}
	p := *record
	if !pseudonym.IsPseudonym(p) {
		if *cfgPath == "" || !strings.Contains(p, ":") {
			return usageErr("--record STORE:RECORD needs --config (for the pseudonym key); or give the record's pseudonym")
		}
		svc, err := loadService(*cfgPath, stdout, stderr)
		if err != nil {
			return err
		}
		store, id, _ := strings.Cut(p, ":")
		if p, err = svc.RecordPseudonym(store, id); err != nil {
			return err
		}
	}
	proofs, err := ledger.ProveWith(*dir, v, p, ledger.VerifyOptions{Head: *head})
	if err != nil {
		return err
	}
	if len(proofs) == 0 {
		return fmt.Errorf("no signed ledger entry for record %s", p)
	}
	fmt.Fprintf(stdout, "\nRecord %s: %d entr%s, each proven to be in the signed log:\n", p, len(proofs), map[bool]string{true: "y", false: "ies"}[len(proofs) == 1])
	for _, pr := range proofs {
		fmt.Fprintln(stdout, pr.String())
	}
	return nil
}
