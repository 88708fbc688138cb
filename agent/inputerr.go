package agent

import (
	"errors"

	"github.com/retentiond/retentiond/agent/holds/statefile"
)

// callerErr is err as an *InputError when the set that returned it (holds,
// requests, resolutions) says it is about what the caller gave
// (statefile.ErrInput): an id that names nothing, a field missing. Other
// errors, such as a state file that cannot be read, stay as they are.
func callerErr(err error) error {
	if errors.Is(err, statefile.ErrInput) {
		var ie *InputError
		if errors.As(err, &ie) {
			return err
		}
		return badInput(err)
	}
	return err
}
