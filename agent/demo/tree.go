package demo

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/retentiond/retentiond/rules"
)

// tree collects the files of the demo, each with the modification time of
// the day the document was made, and then writes them all at once. Making
// every byte and date first, in one goroutine, keeps the demo the same for
// the same seed; writing afterwards in parallel keeps it fast on slow disks.
type tree struct {
	root    string
	loc     *time.Location
	last    rules.Date // no document is dated later
	r       *rand.Rand
	pending []pending
	files   map[string]bool
}

// pending is a file to write.
type pending struct {
	rel   string
	data  []byte
	mtime time.Time
}

func newTree(root string, last rules.Date, r *rand.Rand) *tree {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		// No zone database (a bare container): standard time is close
		// enough for modification times of made-up documents.
		loc = time.FixedZone("CET", 3600)
	}
	return &tree{root: root, loc: loc, last: last, r: r, files: map[string]bool{}}
}

// stamp returns an office-hours instant on d, or on the last allowed day
// if d is later.
func (t *tree) stamp(d rules.Date) time.Time {
	d = minDate(d, t.last)
	return time.Date(d.Year, d.Month, d.Day, 8+t.r.IntN(9), t.r.IntN(60), t.r.IntN(60), 0, t.loc)
}

// file adds data at the slash-separated path rel, dated d. A path added
// before gets a " (2)" before its extension, the way a sync client names a
// conflicting copy.
func (t *tree) file(rel string, data []byte, d rules.Date) error {
	return t.fileAt(rel, data, t.stamp(d))
}

// fileAt adds data at rel with modification time mt. It returns an error
// only to keep the writers' signatures uniform: nothing is written yet.
func (t *tree) fileAt(rel string, data []byte, mt time.Time) error {
	if t.files[rel] {
		ext := path.Ext(rel)
		rel = strings.TrimSuffix(rel, ext) + " (2)" + ext
	}
	t.files[rel] = true
	t.pending = append(t.pending, pending{rel, data, mt})
	return nil
}

// flush creates the folders, writes the files in parallel, and dates every
// folder like its newest file, so that folders too look as old as what
// they hold and two runs with the same seed give the same tree.
func (t *tree) flush() error {
	dirTimes := map[string]time.Time{}
	var dirs []string
	for _, p := range t.pending {
		for d := path.Dir(p.rel); ; d = path.Dir(d) {
			old, seen := dirTimes[d]
			if !seen {
				dirs = append(dirs, d)
			}
			if !seen || p.mtime.After(old) {
				dirTimes[d] = p.mtime
			}
			if d == "." {
				break
			}
		}
	}
	// Parents before children: a folder's path is shorter than any path
	// below it.
	slices.SortFunc(dirs, func(a, b string) int { return cmp.Compare(len(a), len(b)) })
	for _, d := range dirs[1:] { // dirs[0] is ".", the demo folder itself
		if err := os.Mkdir(filepath.Join(t.root, filepath.FromSlash(d)), 0o755); err != nil {
			return writeErr(d+"/", err)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for w := range errs {
		wg.Go(func() {
			for i := w; i < len(t.pending); i += len(errs) {
				if errs[w] = t.write(t.pending[i]); errs[w] != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for _, d := range dirs {
		if err := os.Chtimes(filepath.Join(t.root, filepath.FromSlash(d)), dirTimes[d], dirTimes[d]); err != nil {
			return writeErr(d+"/", err)
		}
	}
	return nil
}

func (t *tree) write(p pending) error {
	full := filepath.Join(t.root, filepath.FromSlash(p.rel))
	if err := os.WriteFile(full, p.data, 0o644); err != nil {
		return writeErr(p.rel, err)
	}
	if err := os.Chtimes(full, p.mtime, p.mtime); err != nil {
		return writeErr(p.rel, err)
	}
	return nil
}

// writeErr reports a failed write naming the store folder but not the
// person's folder or document below it, as errors must not carry names.
func writeErr(rel string, err error) error {
	parts := strings.Split(rel, "/")
	n := 1
	if parts[0] == "data" {
		n = 3
	}
	area := strings.Join(parts[:min(n, len(parts)-1)], "/")
	if area == "" {
		area = "."
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("demo: cannot write a file under %s: %s: %w", area, pe.Op, pe.Err)
	}
	return fmt.Errorf("demo: cannot write a file under %s: %w", area, err)
}

// bare strips the path from a file system error: paths below a store's
// root carry people's names, which errors must not.
func bare(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
