package agent

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/ledger/lockcopy"
	"github.com/retentiond/retentiond/agent/pipeline"
)

// LedgerStatus is the result of verifying the state dir's ledger.
type LedgerStatus struct {
	OK      bool
	Entries int
	Checked time.Time
	// Problem says why the ledger does not verify; it names no person.
	Problem string
	// Empty is a ledger nothing was recorded in yet.
	Empty bool
}

// VerifyLedger checks the state dir's ledger: its chain, signatures and
// high-water mark (STATE_DIR/ledger-head), with the config's
// ledger_verify_key_file (LedgerVerifier: it must be the verifier of the
// ledger key). Entries after the latest checkpoint pass only with an
// intent signed by retentiond. The error is for a ledger that could not
// be checked (no verifier key, or not the ledger key's); one that does
// not verify has OK false. The metrics, if any, get the result: a
// verification that could not run counts as failed, so that its alert
// fires.
func (s *Service) VerifyLedger(_ context.Context) (LedgerStatus, error) {
	st := LedgerStatus{Checked: time.Now()}
	v, err := s.LedgerVerifier()
	if err != nil {
		if s.metrics != nil {
			s.metrics.SetLedger(0, false, st.Checked)
		}
		return st, err
	}
	dir := s.ledgerDir()
	if _, err := os.Stat(dir); err != nil {
		st.OK, st.Empty = true, true // nothing applied yet
		return st, nil
	}
	rep, err := ledger.Verify(dir, v)
	if rep != nil {
		st.Entries = int(rep.Entries)
	}
	st.OK = err == nil
	if err != nil {
		st.Problem = err.Error()
	}
	if s.metrics != nil {
		s.metrics.SetLedger(int64(st.Entries), st.OK, st.Checked)
	}
	return st, nil
}

// RecordPseudonym is the keyed pseudonym the ledger names store:record
// by.
func (s *Service) RecordPseudonym(store, record string) (string, error) {
	k, err := s.Pseudonyms()
	if err != nil {
		return "", err
	}
	return k.Record(store, record), nil
}

// Proof proves that the state dir's ledger holds the entries of one
// record (what was done to it, by which plan), each with its inclusion
// proof in the signed log, as text (as verify --record prints it). A
// record the signed ledger has no entry for is an error.
func (s *Service) Proof(_ context.Context, store, record string) (string, error) {
	_, v, err := s.LedgerKeys()
	if err != nil {
		return "", err
	}
	p, err := s.RecordPseudonym(store, record)
	if err != nil {
		return "", err
	}
	proofs, err := ledger.Prove(s.ledgerDir(), v, p)
	if err != nil {
		return "", err
	}
	if len(proofs) == 0 {
		return "", fmt.Errorf("no signed ledger entry for record %s", p)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Record %s: %d entr%s, each proven to be in the signed log:\n", p, len(proofs), map[bool]string{true: "y", false: "ies"}[len(proofs) == 1])
	for _, pr := range proofs {
		fmt.Fprintln(&b, pr.String())
	}
	return b.String(), nil
}

// ledgerCopier opens the config's ledger_copy bucket; nil when the
// config has none.
func (s *Service) ledgerCopier(ctx context.Context) (*lockcopy.Copier, error) {
	l := s.cfg.LedgerCopy
	if l == nil {
		return nil, nil
	}
	lc := lockcopy.Config{Bucket: l.Bucket, Prefix: l.Prefix, Region: l.Region, Endpoint: l.Endpoint, PathStyle: l.PathStyle,
		RetainDays: l.RetainDays, CAFile: l.CAFile, Profile: l.AWSProfile, AccessKeyID: l.AccessKeyID}
	if lc.RetainDays == 0 {
		lc.RetainDays = lockcopy.DefaultRetainDays
	}
	if l.AccessKeyID != "" {
		key := "ledger_copy.secret_access_key_file"
		if l.SecretAccessKeyEnv != "" {
			key = "ledger_copy.secret_access_key_env"
		}
		sec, err := pipeline.ReadSecret(key, l.SecretAccessKeyFile, l.SecretAccessKeyEnv)
		if err != nil {
			return nil, err
		}
		lc.SecretAccessKey = sec
	}
	c, err := lockcopy.Open(ctx, lc)
	if err != nil {
		return nil, fmt.Errorf("ledger_copy: %w", err)
	}
	return c, nil
}

// CopyLedger ships the ledger's new lines and latest checkpoint to the
// Object Lock bucket, if the config names one, and says so on Out. A
// failure is returned: the deletions stand (they are in the local
// ledger), and the next run copies what this one could not.
func (s *Service) CopyLedger(ctx context.Context) error {
	c, err := s.ledgerCopier(ctx)
	if err != nil || c == nil {
		return err
	}
	up, err := c.Upload(ctx, s.ledgerDir())
	if err != nil {
		return fmt.Errorf("copying the ledger to the Object Lock bucket: %w", err)
	}
	fmt.Fprintf(s.out, "Ledger copied to bucket %s: %d new line(s), %d in all, checkpoint of size %d (compliance lock)\n",
		s.cfg.LedgerCopy.Bucket, up.Lines, up.Copied, up.Checkpoint)
	return nil
}

// VerifyCopies checks the ledger in dir against its copies in the config's
// Object Lock bucket, and says what it found on Out.
func (s *Service) VerifyCopies(ctx context.Context, dir string, v note.Verifier) error {
	c, err := s.ledgerCopier(ctx)
	if err != nil {
		return err
	}
	if c == nil {
		return fmt.Errorf("%s sets no ledger_copy: there are no copies to check against", s.cfg.Path)
	}
	rep, err := c.Verify(ctx, dir, v)
	if err != nil {
		return err
	}
	fmt.Fprintln(s.out, rep.String())
	if err := rep.Err(); err != nil {
		return fmt.Errorf("the ledger DIFFERS from its Object Lock copies: %w", err)
	}
	return nil
}
