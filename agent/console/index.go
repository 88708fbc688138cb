package console

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sync"

	"github.com/retentiond/retentiond/agent/planview"
)

// planIDRe is what a plan id may look like before it is used anywhere;
// the service checks again that the plan exists.
var planIDRe = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z_-]{0,63}$`)

// errNoPlan is the error of an unknown plan id.
var errNoPlan = errors.New("no such plan")

// indexCache keeps the loaded indexes of the last few plans viewed, so
// that paging through a plan of 100,000 items reads plan.json once. An
// index is loaded again when plan.json's size or time changes (it does
// not, once written; a pruned plan is gone).
type indexCache struct {
	mu    sync.Mutex
	max   int
	tick  int
	items map[string]*cached
}

type cached struct {
	ready chan struct{}
	ix    *planview.Index
	err   error
	size  int64
	mtime int64
	used  int
	prev  *planview.Index // the index CompareTo was given
	// facets are the index's, counted once (they do not change)
	facets *planview.Facets
}

func newIndexCache(max int) *indexCache {
	return &indexCache{max: max, items: map[string]*cached{}}
}

// get returns the index of the plan.json in dir, loading it once however
// many requests ask at the same time.
func (c *indexCache) get(dir string) (*planview.Index, error) {
	path := filepath.Join(dir, "plan.json")
	fi, err := os.Stat(path)
	if err != nil {
		return nil, errNoPlan
	}
	c.mu.Lock()
	c.tick++
	e := c.items[path]
	if e != nil && e.ready != nil {
		select {
		case <-e.ready:
			if e.err != nil || e.size != fi.Size() || e.mtime != fi.ModTime().UnixNano() {
				e = nil // failed or changed: load again
			}
		default: // being loaded
		}
	}
	if e == nil {
		e = &cached{ready: make(chan struct{}), size: fi.Size(), mtime: fi.ModTime().UnixNano()}
		c.items[path] = e
		c.evict(path)
		c.mu.Unlock()
		e.ix, e.err = planview.Load(path)
		close(e.ready)
		c.mu.Lock()
	}
	e.used = c.tick
	c.mu.Unlock()
	<-e.ready
	return e.ix, e.err
}

// evict drops the least recently used indexes beyond max (not keep).
// It is called with mu held.
func (c *indexCache) evict(keep string) {
	for len(c.items) > c.max {
		var old string
		for k, e := range c.items {
			if k != keep && (old == "" || e.used < c.items[old].used) {
				old = k
			}
		}
		if old == "" {
			return
		}
		delete(c.items, old)
	}
}

// compared returns the index of the plan in dir with its items marked
// new against the plan in prevDir (none when prevDir is "" or cannot be
// read).
func (c *indexCache) compared(dir, prevDir string) (*planview.Index, error) {
	ix, err := c.get(dir)
	if err != nil || prevDir == "" {
		return ix, err
	}
	pix, err := c.get(prevDir)
	if err != nil {
		return ix, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.items[filepath.Join(dir, "plan.json")]
	if e == nil || e.ix != ix {
		ix.CompareTo(pix) // no longer cached: this request's own copy
		return ix, nil
	}
	if e.prev != pix {
		ix.CompareTo(pix)
		e.prev = pix
	}
	return ix, nil
}

// facets returns ix's facets, counted once while ix is cached.
func (c *indexCache) facets(ix *planview.Index) planview.Facets {
	c.mu.Lock()
	var e *cached
	for _, x := range c.items {
		if x.ix == ix {
			e = x
		}
	}
	if e != nil && e.facets != nil {
		f := *e.facets
		c.mu.Unlock()
		return f
	}
	c.mu.Unlock()
	f := ix.Facets()
	if e != nil {
		c.mu.Lock()
		e.facets = &f
		c.mu.Unlock()
	}
	return f
}
