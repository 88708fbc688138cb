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
