package statefile

import "errors"

// ErrInput is in every error a set kept in a state file (holds,
// requests, resolutions) returns about what its caller gave: an id that
// names nothing, a field missing or malformed. Find it with errors.Is: it
// is the front end's bad input (the command line exits 2 on it), not a
// failure to read or write the state.
var ErrInput = errors.New("bad input")

// Input marks err as the caller's (ErrInput); its text stays err's. A
// nil err stays nil.
func Input(err error) error {
	if err == nil {
		return nil
	}
	return inputError{err}
}

type inputError struct{ err error }

func (e inputError) Error() string   { return e.err.Error() }
func (e inputError) Unwrap() []error { return []error{e.err, ErrInput} }
