package pipeline

import (
	"errors"
	"io/fs"
	"os"

	"github.com/retentiond/retentiond/agent/keys"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/config"
)

// rowKey loads the pseudonym key for the export stores: with it, the plan
// ties a row whose subject column an earlier apply pseudonymised to its
// subject (plan.RowSpec.Pseudonyms). A config without a key file, or a
// key not yet made (before keygen), gives nil: such rows are then
// reviewed. A key file that exists but cannot be read is an error, which
// fails the export stores (an apply could not work without it either).
func rowKey(cfg *config.Config) (*pseudonym.Keyed, error) {
	if cfg.PseudonymKeyFile == "" {
		return nil, nil
	}
	if _, err := os.Lstat(cfg.PseudonymKeyFile); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	key, err := keys.LoadPseudonymKey(cfg.PseudonymKeyFile)
	if err != nil {
		return nil, err
	}
	return pseudonym.New(key)
}
