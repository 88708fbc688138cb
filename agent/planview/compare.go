package planview

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/retentiond/retentiond/agent/plan"
)

// CompareTo marks as new the items that prev has not, by store, record
// and action: a record the previous plan kept and this one deletes is new,
// as is one the previous plan did not list at all. With prev nil (there
// is no previous plan) every item is new. It may be called again, with
// another plan, at any time.
func (ix *Index) CompareTo(prev *Index) {
	isNew := make([]bool, len(ix.items))
	n := 0
	if prev == nil {
		for i := range isNew {
			isNew[i] = true
		}
		n = len(isNew)
	} else {
		seen := prev.records()
		for i := range ix.items {
			e := &ix.items[i]
			if !seen.has(prev, ix.str(e.rec), ix.strs[e.store], ix.strs[e.action]) {
				isNew[i] = true
				n++
			}
		}
	}
	ix.mu.Lock()
	ix.isNew, ix.newCount = isNew, n
	ix.mu.Unlock()
}

// NewCount is the number of items new since the plan CompareTo compared
// with (0 before CompareTo).
func (ix *Index) NewCount() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.newCount
}

// recordSet finds an index's items by record: first[record] is the first
// item of that record, next[i] the next item after i with the same record
// (-1: none). The records are slices of the index's text: building the
// set copies no string.
type recordSet struct {
	first map[string]int32
	next  []int32
}

func (ix *Index) records() recordSet {
	s := recordSet{first: make(map[string]int32, len(ix.items)), next: make([]int32, len(ix.items))}
	for i := len(ix.items) - 1; i >= 0; i-- {
		r := ix.str(ix.items[i].rec)
		if j, ok := s.first[r]; ok {
			s.next[i] = j
		} else {
			s.next[i] = -1
		}
		s.first[r] = int32(i)
	}
	return s
}

// has reports whether ix (whose set s is) has an item of record, store
// and action.
func (s recordSet) has(ix *Index, record, store, action string) bool {
	i, ok := s.first[record]
	if !ok {
		return false
	}
	for ; i >= 0; i = s.next[i] {
		e := &ix.items[i]
		if ix.strs[e.store] == store && ix.strs[e.action] == action {
			return true
		}
	}
	return false
}

// ReadHeader reads the header of the plan.json at path, stopping at its
// items when the header comes before them (as the plan writer puts it).
func ReadHeader(path string) (plan.Header, error) {
	f, err := os.Open(path)
	if err != nil {
		return plan.Header{}, err
	}
	defer f.Close()
	ld := newLoader(path)
	dec := json.NewDecoder(bufio.NewReader(f))
	if err := expectDelim(dec, '{'); err != nil {
		return plan.Header{}, ld.errNotPlan(err)
	}
	head := map[string]json.RawMessage{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return plan.Header{}, ld.errNotPlan(err)
		}
		key, _ := t.(string)
		if err := ld.once(key); err != nil {
			return plan.Header{}, err
		}
		if strings.EqualFold(key, "items") && ld.seen[foldKey("version")] {
			break // the header came first: the rest is items, stores and summary
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return plan.Header{}, ld.errNotPlan(err)
		}
		if !strings.EqualFold(key, "items") && !strings.EqualFold(key, "stores") && !strings.EqualFold(key, "summary") {
			head[key] = raw
		}
	}
	var h plan.Header
	b, err := json.Marshal(head)
	if err == nil {
		err = json.Unmarshal(b, &h)
	}
	if err != nil {
		return plan.Header{}, ld.errNotPlan(err)
	}
	if h.Version != plan.Version {
		return plan.Header{}, fmt.Errorf("%s: plan version %d; this retentiond reads version %d: make a new plan", path, h.Version, plan.Version)
	}
	return h, nil
}

// PlanJSON is the name of a plan folder's plan.json.
const PlanJSON = "plan.json"

// Previous returns the id of the plan made before plan id under plansDir
// (STATE_DIR/plans) that is of the same kind: a plan that answers the
// same request, or, for a regular plan, a regular plan (none that answers
// a request). Folders without a readable plan.json (failed, being made)
// are passed over. It returns "" when there is none.
func Previous(plansDir, id string) (string, error) {
	if !ValidID(id) {
		return "", fmt.Errorf("%q is not a plan id", id)
	}
	cur, err := ReadHeader(filepath.Join(plansDir, id, PlanJSON))
	if err != nil {
		return "", err
	}
	ents, err := os.ReadDir(plansDir)
	if err != nil {
		return "", err
	}
	var older []string
	for _, e := range ents {
		if e.IsDir() && ValidID(e.Name()) && planIDLess(e.Name(), id) {
			older = append(older, e.Name())
		}
	}
	slices.SortFunc(older, func(a, b string) int { // newest first
		switch {
		case planIDLess(a, b):
			return 1
		case planIDLess(b, a):
			return -1
		}
		return 0
	})
	for _, name := range older {
		h, err := ReadHeader(filepath.Join(plansDir, name, PlanJSON))
		var pe *os.PathError
		switch {
		case errors.Is(err, os.ErrNotExist):
			continue // a plan that failed or is being made
		case errors.As(err, &pe):
			return "", err
		case err != nil:
			continue // not a plan this retentiond reads
		}
		if h.Request == cur.Request {
			return name, nil
		}
	}
	return "", nil
}

// ValidID reports whether id can name a plan folder: one path element,
// not "." or "..".
func ValidID(id string) bool {
	return id != "" && id != "." && id != ".." && !strings.ContainsAny(id, `/\`) && !strings.ContainsRune(id, 0)
}

// planIDLess orders plan folder names by time: YYYYMMDD-HHMMSS, then the
// suffix a second plan in the same second gets (-2 … -999).
func planIDLess(a, b string) bool {
	split := func(s string) (string, int) {
		if len(s) > 15 && s[15] == '-' {
			if n, err := strconv.Atoi(s[16:]); err == nil {
				return s[:15], n
			}
		}
		return s, 1
	}
	ab, an := split(a)
	bb, bn := split(b)
	if ab != bb {
		return ab < bb
	}
	return an < bn
}
