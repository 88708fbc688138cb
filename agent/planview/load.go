package planview

import (
	"bufio"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"unicode"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/rules"
)

// Load reads the plan.json at path once, as a stream, into an Index. It
// checks what plan.Read checks (version, header, each item's store,
// record and action); its errors name the file, the item and the field,
// never a value.
func Load(path string) (*Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	ld := newLoader(path)
	if fi, err := f.Stat(); err == nil {
		ld.presize(fi.Size())
	}
	if err := ld.read(io.TeeReader(bufio.NewReaderSize(f, 1<<16), h)); err != nil {
		return nil, err
	}
	return ld.finish(h)
}

// loader builds an Index as the items stream in.
type loader struct {
	path    string
	ix      *Index
	strIdx  map[string]uint32
	trigIdx map[rules.Trigger]uint32
	subjIdx map[subjKey]int32 // subject -> its provisional number (1-based, order of first sight)
	subjs   []plan.SubjectRef
	text    strings.Builder
	keys    strings.Builder
	seen    map[string]bool // top-level keys read, folded
	extras  map[string]*extra
}

type subjKey struct {
	typ rules.SubjectType
	id  string
}

func newLoader(path string) *loader {
	ix := &Index{path: path, strs: []string{""}, triggers: []rules.Trigger{{}}, facetIdx: map[string]uint32{}}
	return &loader{
		path: path, ix: ix,
		strIdx:  map[string]uint32{"": 0},
		trigIdx: map[rules.Trigger]uint32{},
		subjIdx: map[subjKey]int32{},
		seen:    map[string]bool{},
		extras:  map[string]*extra{},
	}
}

// presize makes room for the items of a plan.json of size bytes, as the
// plan writer writes them (about 500 bytes an item), so that the index is
// not copied as it grows.
func (ld *loader) presize(size int64) {
	n := int(min(size/400, 1<<22))
	ld.ix.items = make([]entry, 0, n)
	ld.ix.keyEnd = make([]uint32, 0, n)
	ld.text.Grow(n * 100)
	ld.keys.Grow(n * 60)
}

// errNotPlan is the error of a file that is not valid JSON of a plan's
// shape, worded as plan.Parse words it.
func (ld *loader) errNotPlan(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("%s is not a plan: not valid JSON at byte %d", ld.path, syn.Offset)
	case errors.As(err, &typ):
		return fmt.Errorf("%s is not a plan: field %q has the wrong type", ld.path, typ.Field)
	case errors.Is(err, errShape):
		return fmt.Errorf("%s is not a plan: not a JSON object", ld.path)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return fmt.Errorf("%s is not a plan: it ends too soon", ld.path)
	default:
		return fmt.Errorf("%s is not a plan: not valid JSON", ld.path)
	}
}

// read reads the top-level object: the header's fields are gathered and
// decoded together, the items one by one.
func (ld *loader) read(r io.Reader) error {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return ld.errNotPlan(err)
	}
	head := map[string]json.RawMessage{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return ld.errNotPlan(err)
		}
		key, _ := t.(string)
		// Keys match as encoding/json matches them (plan.Read), in any
		// case; one given twice is refused rather than guessed at.
		if err := ld.once(key); err != nil {
			return err
		}
		switch {
		case strings.EqualFold(key, "items"):
			if err := ld.readItems(dec); err != nil {
				return err
			}
		case strings.EqualFold(key, "stores"):
			err = dec.Decode(&ld.ix.stores)
		case strings.EqualFold(key, "summary"):
			err = dec.Decode(&ld.ix.summary)
		default:
			var raw json.RawMessage
			if err = dec.Decode(&raw); err == nil {
				head[key] = raw
			}
		}
		if err != nil {
			return ld.errNotPlan(err)
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return ld.errNotPlan(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%s is not a plan: not valid JSON after its end", ld.path)
	}
	b, err := json.Marshal(head)
	if err == nil {
		err = json.Unmarshal(b, &ld.ix.header)
	}
	if err != nil {
		return ld.errNotPlan(err)
	}
	h := ld.ix.header
	if h.Version != plan.Version {
		return fmt.Errorf("%s: plan version %d; this retentiond reads version %d: make a new plan", ld.path, h.Version, plan.Version)
	}
	if h.AsOf == "" || h.CreatedAt == "" || h.ConfigSHA256 == "" {
		return fmt.Errorf("%s: the plan lacks as_of, created_at or config_sha256: make a new plan", ld.path)
	}
	return nil
}

// once refuses a top-level key seen before (in any case).
func (ld *loader) once(key string) error {
	k := foldKey(key)
	if ld.seen[k] {
		return fmt.Errorf("%s is not a plan: field %q is given twice", ld.path, key)
	}
	ld.seen[k] = true
	return nil
}

// foldKey is key in the form encoding/json compares object keys in:
// each letter folded to the least of its case-folding set.
func foldKey(key string) string {
	var b strings.Builder
	for _, r := range key {
		for {
			r2 := unicode.SimpleFold(r)
			if r2 <= r {
				r = r2
				break
			}
			r = r2
		}
		b.WriteRune(r)
	}
	return b.String()
}

func expectDelim(dec *json.Decoder, d json.Delim) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if t != d {
		return errShape
	}
	return nil
}

// errShape is the error of JSON that is not an object where a plan has
// one; it says nothing of what is there instead.
var errShape = errors.New("not of a plan's shape")

func (ld *loader) readItems(dec *json.Decoder) error {
	t, err := dec.Token()
	if err != nil {
		return ld.errNotPlan(err)
	}
	if t == nil {
		return nil // "items": null, as plan.Read takes it
	}
	if t != json.Delim('[') {
		return fmt.Errorf("%s is not a plan: field %q has the wrong type", ld.path, "items")
	}
	// The items are decoded on a goroutine of their own while the ones
	// before are added to the index: decoding is most of the work.
	batches := make(chan itemBatch, 4)
	stop := make(chan struct{})
	go ld.decodeItems(dec, batches, stop)
	defer func() {
		close(stop)
		for range batches { // the decoder has stopped when batches is closed
		}
	}()
	for b := range batches {
		for i := range b.items {
			if err := ld.add(&b.items[i]); err != nil {
				return err
			}
		}
		if b.err != nil {
			return b.err
		}
	}
	return nil
}

// itemBatch is some items decoded, and the error that stopped decoding.
type itemBatch struct {
	items []plan.Item
	err   error
}

// decodeItems decodes the items and the end of the items array into
// batches, until the end, an error, or stop; it closes batches when done.
func (ld *loader) decodeItems(dec *json.Decoder, batches chan<- itemBatch, stop <-chan struct{}) {
	defer close(batches)
	const size = 256
	n := 0 // items decoded
	b := itemBatch{items: make([]plan.Item, 0, size)}
	send := func() bool {
		select {
		case batches <- b:
			b = itemBatch{items: make([]plan.Item, 0, size)}
			return true
		case <-stop:
			return false
		}
	}
	for dec.More() {
		b.items = append(b.items, plan.Item{})
		it := &b.items[len(b.items)-1]
		n++
		if err := dec.Decode(&it); err != nil {
			b.items = b.items[:len(b.items)-1]
			var typ *json.UnmarshalTypeError
			if errors.As(err, &typ) {
				b.err = fmt.Errorf("%s is not a plan: item %d: field %q has the wrong type", ld.path, n, typ.Field)
			} else {
				b.err = ld.errNotPlan(err)
			}
			send()
			return
		}
		if it == nil || it.Store == "" || it.Record == "" || it.Action == "" {
			b.items = b.items[:len(b.items)-1]
			b.err = fmt.Errorf("%s: item %d lacks store, record or action", ld.path, n)
			send()
			return
		}
		if len(b.items) == size && !send() {
			return
		}
	}
	if _, err := dec.Token(); err != nil { // ']'
		b.err = ld.errNotPlan(err)
	}
	send()
}

func (ld *loader) intern(s string) uint32 {
	if i, ok := ld.strIdx[s]; ok {
		return i
	}
	s = strings.Clone(s) // not a slice of a bigger decoded buffer
	i := uint32(len(ld.ix.strs))
	ld.ix.strs = append(ld.ix.strs, s)
	ld.strIdx[s] = i
	return i
}

func (ld *loader) internAll(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = ld.ix.strs[ld.intern(s)]
	}
	return out
}

// put appends s to the text and returns its span.
func (ld *loader) put(s string) (span, error) {
	off := ld.text.Len()
	if off+len(s) > math.MaxUint32 {
		return span{}, fmt.Errorf("%s: the plan is too large to view", ld.path)
	}
	ld.text.WriteString(s)
	return span{uint32(off), uint32(len(s))}, nil
}

func (ld *loader) add(it *plan.Item) error {
	e := entry{
		size:     it.Size,
		store:    ld.intern(it.Store),
		kind:     ld.intern(it.Kind),
		category: ld.intern(string(it.Category)),
		rule:     ld.intern(it.Rule),
		action:   ld.intern(string(it.Action)),
		due:      ld.intern(it.Due),
		reason:   ld.intern(it.Reason),
		basis:    ld.intern(it.Basis),
		held:     ld.intern(it.Held),
		resolved: ld.intern(it.Resolved),
		file:     ld.intern(it.File),
		locked:   it.Locked,
	}
	for _, k := range [...]uint32{e.store, e.kind, e.category, e.rule, e.action} {
		ld.ix.facetIdx[ld.ix.strs[k]] = k
	}
	var err error
	if e.rec, err = ld.put(it.Record); err != nil {
		return err
	}
	if e.version, err = ld.put(it.Version); err != nil {
		return err
	}
	if e.modified, err = ld.put(it.Modified); err != nil {
		return err
	}
	if t := it.Trigger; t != nil {
		k, ok := ld.trigIdx[*t]
		if !ok {
			k = uint32(len(ld.ix.triggers))
			ld.ix.triggers = append(ld.ix.triggers, rules.Trigger{Event: rules.Event(ld.ix.strs[ld.intern(string(t.Event))]), Date: t.Date})
			ld.trigIdx[*t] = k
		}
		e.trigger = k
	}
	if s := it.Subject; s != nil {
		k := subjKey{s.Type, s.ID}
		p, ok := ld.subjIdx[k]
		if !ok {
			p = int32(len(ld.subjs) + 1)
			ld.subjs = append(ld.subjs, plan.SubjectRef{Type: rules.SubjectType(ld.ix.strs[ld.intern(string(s.Type))]), ID: strings.Clone(s.ID), Name: strings.Clone(s.Name)})
			ld.subjIdx[k] = p
		}
		e.person = p
	}
	if it.Entries != nil || len(it.Fields) > 0 || len(it.FieldDecisions) > 0 || len(it.Warnings) > 0 || len(it.Links) > 0 {
		e.extra, err = ld.extra(it)
		if err != nil {
			return err
		}
	}
	// The search key: the folded record, and a NUL after it.
	if len(ld.ix.items) > 0 {
		ld.keys.WriteByte(0)
	}
	foldInto(&ld.keys, it.Record)
	if ld.keys.Len() > math.MaxUint32 {
		return fmt.Errorf("%s: the plan is too large to view", ld.path)
	}
	ld.ix.keyEnd = append(ld.ix.keyEnd, uint32(ld.keys.Len()))
	ld.ix.items = append(ld.ix.items, e)
	return nil
}

// extra returns the rarer parts of it, shared with every earlier item
// that has the same (the rows of one export file and subject mostly do).
func (ld *loader) extra(it *plan.Item) (*extra, error) {
	key, err := json.Marshal([]any{it.Entries, it.Fields, it.FieldDecisions, it.Warnings, it.Links})
	if err != nil {
		return nil, err
	}
	if x, ok := ld.extras[string(key)]; ok {
		return x, nil
	}
	x := &extra{entries: it.Entries, fields: ld.internAll(it.Fields), warnings: ld.internAll(it.Warnings)}
	if len(it.FieldDecisions) > 0 {
		x.fieldDecisions = make([]plan.FieldItem, len(it.FieldDecisions))
		for i, fd := range it.FieldDecisions {
			x.fieldDecisions[i] = plan.FieldItem{Field: ld.ix.strs[ld.intern(fd.Field)], Action: rules.Action(ld.ix.strs[ld.intern(string(fd.Action))]),
				Due: ld.ix.strs[ld.intern(fd.Due)], Rule: ld.ix.strs[ld.intern(fd.Rule)], Reason: ld.ix.strs[ld.intern(fd.Reason)]}
		}
	}
	if len(it.Links) > 0 {
		x.links = make([]plan.Link, len(it.Links))
		for i, l := range it.Links {
			l.Scope, l.Type, l.Expires = ld.ix.strs[ld.intern(l.Scope)], ld.ix.strs[ld.intern(l.Type)], ld.ix.strs[ld.intern(l.Expires)]
			l.Roles = ld.internAll(l.Roles)
			x.links[i] = l
		}
	}
	ld.extras[string(key)] = x
	return x, nil
}

// finish sorts the persons, lists their items and trims the index to
// size.
func (ld *loader) finish(h hash.Hash) (*Index, error) {
	ix := ld.ix
	ix.digest = "sha256:" + hex.EncodeToString(h.Sum(nil))
	// Copied to their size: presize guessed.
	ix.text = strings.Clone(ld.text.String())
	ix.keys = strings.Clone(ld.keys.String())
	ld.text, ld.keys = strings.Builder{}, strings.Builder{}
	ix.items = slices.Clone(ix.items)
	ix.keyEnd = slices.Clone(ix.keyEnd)
	ix.strs = slices.Clip(ix.strs)

	// Persons in a stable order: type, folded name, id.
	n := len(ld.subjs)
	folded := make([]string, n)
	for i, s := range ld.subjs {
		folded[i] = fold(s.Name)
	}
	order := make([]int32, n) // order[rank] = provisional number - 1
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		sa, sb := ld.subjs[a], ld.subjs[b]
		return cmp.Or(strings.Compare(string(sa.Type), string(sb.Type)), strings.Compare(folded[a], folded[b]), strings.Compare(sa.ID, sb.ID))
	})
	rank := make([]int32, n) // rank[provisional number - 1] = final number - 1
	ix.persons = make([]plan.SubjectRef, n)
	ix.personKeys = make([]string, n)
	for r, p := range order {
		rank[p] = int32(r)
		ix.persons[r] = ld.subjs[p]
		ix.personKeys[r] = folded[p]
	}
	ix.personStart = make([]int32, n+1)
	for i := range ix.items {
		if p := ix.items[i].person; p > 0 {
			ix.items[i].person = rank[p-1] + 1
			ix.personStart[rank[p-1]+1]++
		}
	}
	for k := 1; k <= n; k++ {
		ix.personStart[k] += ix.personStart[k-1]
	}
	ix.personItems = make([]int32, ix.personStart[n])
	fill := slices.Clone(ix.personStart[:n])
	for i := range ix.items {
		if p := ix.items[i].person; p > 0 {
			ix.personItems[fill[p-1]] = int32(i)
			fill[p-1]++
		}
	}
	ix.isNew = make([]bool, len(ix.items))
	return ix, nil
}
