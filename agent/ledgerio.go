package agent

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/retentiond/retentiond/agent/keys"
	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/pipeline"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/agent/report"
)

// errNoLedgerKey is the config naming no ledger key, where one is needed.
var errNoLedgerKey = errors.New("the config sets no ledger_key_file: create keys with `retentiond keygen --out DIR` and name DIR/ledger.key in the config")

// Pseudonyms loads the config's pseudonymisation key: the keyed
// pseudonyms the ledger and approvals name records and people by.
func (s *Service) Pseudonyms() (*pseudonym.Keyed, error) {
	if s.cfg.PseudonymKeyFile == "" {
		return nil, badInput(errors.New("the config sets no pseudonym_key_file: create keys with `retentiond keygen --out DIR` and name DIR/pseudonym.key in the config"))
	}
	key, err := keys.LoadPseudonymKey(s.cfg.PseudonymKeyFile)
	if err != nil {
		return nil, err
	}
	return pseudonym.New(key)
}

// LedgerKeys loads the config's ledger signing key and its verifier,
// derived from the key itself (a ledger.pub beside it could be swapped
// along with a ledger re-signed under another key).
func (s *Service) LedgerKeys() (note.Signer, note.Verifier, error) {
	if s.cfg.LedgerKeyFile == "" {
		return nil, nil, badInput(errNoLedgerKey)
	}
	return keys.LoadSignerVerifier(s.cfg.LedgerKeyFile)
}

// errNoVerifyKey is the config naming no verifier key for the ledger.
var errNoVerifyKey = errors.New("ledger_verify_key_file is not set: name the ledger.pub that `retentiond keygen` wrote with ledger.key (the daemon verifies the ledger with it every night; it is not looked for beside ledger.key)")

// LedgerVerifier loads the config's ledger_verify_key_file, the key the
// daemon's nightly verification checks the ledger with, and checks that
// it is the verifier of ledger_key_file: a verifier of keys from another
// `retentiond keygen` run, or one swapped along with a ledger re-signed
// under another key, is an error rather than a ledger that verifies.
func (s *Service) LedgerVerifier() (note.Verifier, error) {
	if s.cfg.LedgerVerifyKeyFile == "" {
		return nil, errNoVerifyKey
	}
	v, err := keys.LoadVerifier(s.cfg.LedgerVerifyKeyFile)
	if err != nil {
		return nil, fmt.Errorf("ledger_verify_key_file: %w", err)
	}
	if s.cfg.LedgerKeyFile == "" {
		return v, nil
	}
	_, own, err := keys.LoadSignerVerifier(s.cfg.LedgerKeyFile)
	if err != nil {
		return nil, fmt.Errorf("ledger_key_file: %w", err)
	}
	if own.Name() != v.Name() || own.KeyHash() != v.KeyHash() {
		return nil, fmt.Errorf("ledger_verify_key_file %s is not the verifier of ledger_key_file %s (keys of two `retentiond keygen` runs, or a replaced ledger.pub): name the ledger.pub made with that ledger.key",
			s.cfg.LedgerVerifyKeyFile, s.cfg.LedgerKeyFile)
	}
	return v, nil
}

// ledgerDir is the state dir's ledger.
func (s *Service) ledgerDir() string { return filepath.Join(s.cfg.StateDir, "ledger") }

// ledgerEvent appends one entry, made with the pseudonym key, to the
// ledger and signs a checkpoint.
func (s *Service) ledgerEvent(entry func(*pseudonym.Keyed) (ledger.Entry, error)) error {
	return s.ledgerEvents(func(k *pseudonym.Keyed) ([]ledger.Entry, error) {
		e, err := entry(k)
		return []ledger.Entry{e}, err
	})
}

// ledgerEvents appends entries, made with the pseudonym key, to the
// ledger and signs a checkpoint.
func (s *Service) ledgerEvents(entries func(*pseudonym.Keyed) ([]ledger.Entry, error)) error {
	k, err := s.Pseudonyms()
	if err != nil {
		return err
	}
	if s.cfg.LedgerKeyFile == "" {
		return fmt.Errorf("the config sets no ledger_key_file")
	}
	signer, err := keys.LoadSigner(s.cfg.LedgerKeyFile)
	if err != nil {
		return err
	}
	es, err := entries(k)
	if err != nil {
		return err
	}
	l, err := ledger.Open(s.ledgerDir(), keys.NameFor(s.cfg.Organisation), ledger.WithSigner(signer))
	if err != nil {
		return err
	}
	defer l.Close()
	for _, e := range es {
		if _, err := l.Append(e); err != nil {
			return err
		}
	}
	_, err = l.Checkpoint(signer)
	return err
}

// ReadPlan reads plan.json from a file or a plan directory, anywhere (the
// command line's --plan; the demo's plan is outside the state dir).
func ReadPlan(p string) (*plan.File, error) {
	if fi, err := os.Stat(p); err == nil && fi.IsDir() {
		p = filepath.Join(p, report.PlanJSON)
	}
	return plan.Read(p)
}

// ShortDigest is the short form of a plan's digest the messages use.
func ShortDigest(d string) string {
	d = strings.TrimPrefix(d, "sha256:")
	if len(d) > 12 {
		return d[:12]
	}
	return d
}

// configErr marks an error of the config's policy, stores or registries
// settings (pipeline.ErrConfig) as the caller's (exit 2).
func configErr(err error) error {
	if errors.Is(err, pipeline.ErrConfig) {
		return badInput(err)
	}
	return err
}
