package export

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"path/filepath"
	"regexp"
)

// tempName matches the temporary files createTemp makes, and only those:
// "." + the file's name + "." + 12 hex digits + ".retentiond-tmp".
var tempName = regexp.MustCompile(`^\..+\.[0-9a-f]{12}\.retentiond-tmp$`)

// IsTempName reports whether name is the name of one of this program's
// temporary files (a rewrite's new content before it is renamed into
// place).
func IsTempName(name string) bool { return tempName.MatchString(name) }

// SweepTemps removes the temporary files that a rewrite killed before its
// rename left beside the store's files: full copies of an export, with
// every BSN in it, which Scan skips as dotfiles and nothing else would
// remove. Only regular files with this program's temporary names go;
// links and anything else stay. The caller must make sure no apply is
// rewriting at the same time (the state dir's apply lock). It returns how
// many it removed.
func (s *Store) SweepTemps(ctx context.Context) (int, error) {
	files, err := s.match(ctx)
	if err != nil {
		return 0, err
	}
	seen := map[string]bool{}
	n := 0
	var errs []error
	for _, f := range files {
		dir := path.Dir(f)
		if seen[dir] {
			continue
		}
		seen[dir] = true
		d, err := s.root.Open(nativeOrDot(dirOrEmpty(dir)))
		if err != nil {
			errs = append(errs, listErr(dir, err))
			continue
		}
		names, err := d.Readdirnames(-1)
		d.Close()
		if err != nil {
			errs = append(errs, listErr(dir, err))
			continue
		}
		for _, name := range names {
			if !IsTempName(name) {
				continue
			}
			rel := filepath.FromSlash(joinRel(dirOrEmpty(dir), name))
			fi, err := s.root.Lstat(rel)
			if err != nil || !fi.Mode().IsRegular() {
				continue
			}
			if err := s.root.Remove(rel); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
				continue
			}
			n++
		}
	}
	return n, errors.Join(errs...)
}
