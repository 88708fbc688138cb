package plan

import (
	"errors"
	"fmt"
	"strings"

	"github.com/retentiond/retentiond/config"
)

// ErrConfigChanged is wrapped by CheckDecision's error: what decides the
// plan changed since it was made, so that neither approve nor apply may
// take it (the daemon marks such a plan stale).
var ErrConfigChanged = errors.New("the config changed since the plan was made")

// maxChanges is how many changes CheckDecision's error lists by name.
const maxChanges = 8

// CheckDecision checks that the plan may still be approved and applied
// under the config whose decision digest is now (config.DecisionDigest)
// and whose file has the hex SHA-256 configSHA256: what decides must be
// as it was when the plan was made. Edits that decide nothing (comments,
// schedules, notify, the listen address) pass. The error wraps
// ErrConfigChanged and says which sections changed, never a value.
//
// A plan of an earlier version records only config_sha256: it passes only
// while the config file is byte for byte the one it was made with, as it
// did then; otherwise a new plan is needed.
func (f *File) CheckDecision(now config.Decision, configSHA256 string) error {
	if f.Decision == nil {
		if f.ConfigSHA256 != "" && f.ConfigSHA256 == configSHA256 {
			return nil
		}
		return fmt.Errorf("%w: the plan was made by an earlier version of retentiond, which bound it to the config file's bytes, and the file changed since", ErrConfigChanged)
	}
	if now.Version == 0 || now.Digest == "" {
		return errors.New("what decides the plan now is not known: the plan is not applied") // a caller's mistake
	}
	changes := now.Changes(*f.Decision)
	if len(changes) == 0 {
		return nil
	}
	if n := len(changes) - maxChanges; n > 0 {
		changes = append(changes[:maxChanges], fmt.Sprintf("%d more", n))
	}
	return fmt.Errorf("%w: %s", ErrConfigChanged, strings.Join(changes, "; "))
}
