package statefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// SweepTemps removes the temporary files a writer of the state file at
// path left when it was killed before its rename (".NAME.DIGITS": a copy
// of holds, requests or resolutions, with their reasons and record paths).
// It takes the file's lock first, so that a live writer's temporary file
// is never taken from under it, and removes only regular files of that
// exact form. It returns how many it removed.
func SweepTemps(path string) (int, error) {
	if len(temps(path)) == 0 {
		return 0, nil // nothing to do: no lock (and no lock file) needed
	}
	unlock, err := lock(path+".lock", LockWait)
	if err != nil {
		return 0, err
	}
	defer unlock()
	n := 0
	for _, p := range temps(path) {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, err
		}
		n++
	}
	return n, nil
}

// temps lists the regular files beside path named ".NAME.DIGITS".
func temps(path string) []string {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	prefix := "." + base + "."
	var out []string
	for _, e := range ents {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if ok && rest != "" && strings.Trim(rest, "0123456789") == "" && e.Type().IsRegular() {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}
