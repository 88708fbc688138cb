package localfs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
)

// tempName matches the temporary files Rewrite makes, and only those:
// "." + the file's name + "." + 12 hex digits + TempSuffix.
var tempName = regexp.MustCompile(`^\..+\.[0-9a-f]{12}\.retentiond-tmp$`)

// SweepTemps removes the temporary files that rewrites killed before
// their rename left in the store (a zip's new content, with the personal
// data of every entry it kept): Scan skips them as dotfiles, so nothing
// else would. It walks every folder of the root through os.Root, never
// following a link, and removes only regular files with the program's
// own temporary names. The caller must make sure no apply is rewriting at
// the same time (the state dir's apply lock). It returns how many it
// removed.
func (s *Store) SweepTemps(ctx context.Context) (int, error) {
	n := 0
	var errs []error
	err := fs.WalkDir(s.root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, errors.New("localfs: a folder could not be read while looking for stale temporary files"))
			return nil
		}
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if d.IsDir() || !d.Type().IsRegular() || !tempName.MatchString(d.Name()) {
			return nil
		}
		if rerr := s.root.Remove(p); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("localfs: a stale temporary file %d folder(s) deep could not be removed", strings.Count(p, "/")))
			return nil
		}
		n++
		return nil
	})
	if err != nil {
		return n, err
	}
	return n, errors.Join(errs...)
}
