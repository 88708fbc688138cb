package plan

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/retentiond/retentiond/agent/classify"
	"github.com/retentiond/retentiond/agent/holds"
	resolutions "github.com/retentiond/retentiond/agent/review"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
)

// Store is one configured store with its layout.
type Store struct {
	Name       string
	Type       string
	Store      scanners.Store
	Classifier *classify.Classifier
	// OpenErr is why the store could not be opened; it is then not
	// scanned and the plan says its listing failed.
	OpenErr error
	// Rows is set for an export store: its records are rows.
	Rows *RowSpec
	// Operators is an export store's choice of operator per field kind,
	// as the config writes it (checked by pipeline).
	Operators map[string]string
	// Links is the sharing-link check: LinksShared ("" means it too),
	// LinksAll or LinksOff. Only stores that implement
	// scanners.LinkLister are asked.
	Links string
}

// Planner makes a plan. Its fields are set by the caller; Run may be called
// once. A Planner is made per plan or apply run: Recheck, Redecide and
// Explain keep what they list of a store's backups for the run.
type Planner struct {
	Header   Header
	Policy   *rules.Policy
	Subjects *classify.Index
	Stores   []Store
	AsOf     rules.Date
	Location *time.Location
	// All lists keep items too; by default only items that need an action
	// or a person's attention are listed.
	All bool
	// Lang is "nl" or "en": the language of reasons.
	Lang string
	// Erasures are the subjects with an open erasure request and the day
	// it was received (R3): their records are decided as the rules say
	// under such a request (due now unless a statutory minimum holds
	// them). Only, if set, limits the plan to one subject's items (the
	// plan that answers a request).
	Erasures map[SubjectKey]rules.Date
	Only     *SubjectKey
	// Holds are the legal holds active on AsOf (nil: none): a held
	// record is hold in the plan, and in apply's re-check.
	Holds *holds.Matcher
	// Resolutions are what people decided about review items (nil:
	// none): a record that would be review and has one is decided as it
	// says (see resolve.go), in the plan and in apply's re-check.
	Resolutions *resolutions.Matcher
	// Progress, if set, is called now and then during a scan with the
	// store's name and the number of records seen so far.
	Progress func(store string, records int)

	explain bool // fill in Decision.Considered (slower)

	// backupCaches holds, per store, its backups decided as sets for
	// Recheck, Redecide and Explain (see backupcache.go); backupMu guards
	// it and serialises the listings.
	backupMu     sync.Mutex
	backupCaches map[string]*backupCache

	// rows holds what export rows need once per run (rowdone.go).
	rows rowState
}

func (p *Planner) evaluate(f rules.Facts) rules.Decision {
	if p.explain {
		return rules.Explain(p.Policy, f, p.AsOf)
	}
	return rules.Evaluate(p.Policy, f, p.AsOf)
}

// Run scans every store and sends the plan to sink. A store whose listing
// fails contributes no items: its result carries the error, and Run goes on
// with the next store. Run returns an error only if the sink fails or ctx
// is cancelled.
func (p *Planner) Run(ctx context.Context, sink Sink) (Summary, []StoreResult, error) {
	var sum Summary
	var results []StoreResult
	if err := sink.Begin(p.Header); err != nil {
		return sum, nil, err
	}
	for _, st := range p.Stores {
		began := time.Now()
		res, storeSum, err := p.runStore(ctx, st, sink)
		res.Elapsed = time.Since(began)
		if err != nil {
			return sum, results, err
		}
		results = append(results, res)
		sum.Delete += storeSum.Delete
		sum.Pseudonymise += storeSum.Pseudonymise
		sum.Review += storeSum.Review
		sum.Hold += storeSum.Hold
		sum.Keep += storeSum.Keep
	}
	return sum, results, sink.End(results, sum)
}

// batchSize is how many records the scanning goroutine hands over at a
// time: listing (system calls) and deciding (CPU) then overlap, and a
// plan takes about as long as the slower of the two, not their sum.
const batchSize = 512

func (p *Planner) runStore(ctx context.Context, st Store, sink Sink) (StoreResult, Summary, error) {
	res := StoreResult{Name: st.Name, Type: st.Type}
	var sum Summary
	if st.OpenErr != nil {
		res.Error = st.OpenErr.Error()
		return res, sum, nil
	}
	scanCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []scanners.Record, 4)
	free := make(chan []scanners.Record, 6)
	var scanErr error
	go func() {
		defer close(batches)
		batch := make([]scanners.Record, 0, batchSize)
		send := func() error {
			select {
			case batches <- batch:
			case <-scanCtx.Done():
				return scanCtx.Err()
			}
			select {
			case batch = <-free:
				batch = batch[:0]
			default:
				batch = make([]scanners.Record, 0, batchSize)
			}
			return nil
		}
		scanErr = st.Store.Scan(scanCtx, func(rec scanners.Record) error {
			batch = append(batch, rec)
			if len(batch) == batchSize {
				return send()
			}
			return nil
		})
		if scanErr == nil && len(batch) > 0 {
			scanErr = send()
		}
	}()

	var sinkErr error
	var rd *recordDecider
	rd = p.newRecordDecider(ctx, st, func(it *Item) {
		if !p.wanted(it) {
			rd.unlisted = it
			return
		}
		p.applyHold(it)
		sum.Add(it.Action)
		if Overdue(it, p.AsOf) {
			res.Overdue++
		}
		if it.Locked {
			res.Locked++
		}
		for _, sc := range linkScopes(it.Links) {
			if res.Links == nil {
				res.Links = map[string]int{}
			}
			res.Links[sc]++
		}
		if it.Action == rules.Keep && !p.All && len(it.Links) == 0 && it.Held == "" {
			rd.unlisted = it
			return
		}
		if err := sink.Item(it); err != nil && sinkErr == nil {
			sinkErr = err
			cancel()
		}
	})
	for batch := range batches {
		if sinkErr != nil {
			continue // drain until the scanner sees the cancellation
		}
		for i := range batch {
			res.Records++
			if p.Progress != nil && res.Records%100 == 0 {
				p.Progress(st.Name, res.Records)
			}
			rd.add(&batch[i])
		}
		select {
		case free <- batch:
		default:
		}
	}
	// batches is closed: the scanning goroutine has set scanErr.
	if sinkErr != nil {
		return res, sum, sinkErr
	}
	if scanErr != nil {
		if ctx.Err() != nil {
			return res, sum, ctx.Err()
		}
		// Never plan on a partial listing: drop what the sink has of it.
		res.Error = scanErr.Error()
		res.Overdue, res.Locked, res.Links = 0, 0, nil
		return res, Summary{}, sink.Discard()
	}
	rd.done()
	if sinkErr != nil {
		return res, sum, sinkErr
	}
	res.Resolved = rd.resolved
	if p.Progress != nil {
		p.Progress(st.Name, res.Records)
	}
	res.Summary = sum
	return res, sum, sink.Commit()
}

// recordDecider turns a store's records, in listing order, into items: an
// archive's entries are gathered into the archive's one item, and backups
// under a rotation rule are held back until done decides their sets.
type recordDecider struct {
	ctx  context.Context
	p    *Planner
	st   Store
	arch *archiveAgg
	emit func(*Item)
	// sets holds the backups per layout entry until the listing is done.
	// It grows with the number of backups in the store (a few thousand
	// for twenty years of daily backups, some hundred bytes each), which
	// is fine; the store's other records still stream through.
	sets map[int]*backupSet
	// heldArchive is a zip archive held back as a backup: its entries are
	// part of it, not records to decide.
	heldArchive string
	// backupsOnly skips every record that is not a backup (the backup
	// cache of Recheck and Redecide lists whole stores for their sets).
	backupsOnly bool
	// decision, if set, is told each backup's decision as done makes it.
	decision func(id string, d rules.Decision)
	// resolved counts the records each resolution settled.
	resolved map[string]int
	// memo spares work the records of a folder share (memo.go).
	memo memo
	// unlisted is set by emit to the item it was given if that item went
	// nowhere (a record kept and not listed): add then makes the next
	// record's item in it (spare) instead of a new one.
	unlisted, spare *Item
}

func (p *Planner) newRecordDecider(ctx context.Context, st Store, emit func(*Item)) *recordDecider {
	return &recordDecider{ctx: ctx, p: p, st: st, emit: emit}
}

func (r *recordDecider) add(rec *scanners.Record) {
	if rec.Kind == scanners.KindArchiveEntry && rec.Archive != "" && rec.Archive == r.heldArchive {
		return
	}
	if r.backupsOnly && (rec.Kind == scanners.KindArchiveEntry || rec.Kind == scanners.KindRow) {
		return
	}
	if rec.Kind == scanners.KindArchiveEntry && r.arch != nil && rec.Archive == r.arch.rec.ID {
		r.arch.add(*rec, r.count(r.p.decideWith(r.st, *rec, &r.memo)))
		return
	}
	r.flush()
	if rec.Kind == scanners.KindArchive || r.backupsOnly {
		// A zip whose own path a backup layout matches is one backup,
		// taken whole; any other zip is judged by its entries.
		m, ok := r.p.match(r.st, rec.ID)
		dc, backup := decided{}, false
		if ok {
			dc, backup = r.p.backup(*rec, m)
		}
		switch {
		case backup && rec.Kind == scanners.KindArchive:
			r.heldArchive = rec.ID
		case !backup && r.backupsOnly:
			return
		case !backup:
			r.arch = r.p.newArchiveAgg(r.st, *rec)
			return
		}
		if dc.rotation != nil {
			r.hold(*rec, dc)
			return
		}
		r.finish(*rec, r.p.item(r.st, *rec, dc))
		return
	}
	dc := r.count(r.p.decideWith(r.st, *rec, &r.memo))
	if dc.rotation != nil {
		r.hold(*rec, dc)
		return
	}
	it := r.p.itemInto(r.spare, r.st, *rec, dc)
	r.spare, r.unlisted = nil, nil
	r.finish(*rec, it)
	if r.unlisted == it {
		r.spare = it
	}
	r.unlisted = nil
}

// done ends the listing: it emits the archive being gathered and decides
// the held backup sets. Call it only when the listing has completed.
func (r *recordDecider) done() {
	r.flush()
	r.decideSets()
}

// finish adds what the store says of the record itself (its lock, its
// sharing links) to its item and emits it.
func (r *recordDecider) finish(rec scanners.Record, it *Item) {
	if rec.Kind != scanners.KindRow {
		r.p.applyLock(rec, it)
		r.p.checkLinks(r.ctx, r.st, rec, it)
	}
	r.emit(it)
}

// count notes that dc's resolution settled a record.
func (r *recordDecider) count(dc decided) decided {
	if dc.resolution != "" {
		if r.resolved == nil {
			r.resolved = map[string]int{}
		}
		r.resolved[dc.resolution]++
	}
	return dc
}

// flush emits the archive being gathered, if any.
func (r *recordDecider) flush() {
	if r.arch != nil {
		for _, it := range r.arch.items() {
			if it.Record == r.arch.rec.ID {
				if it.Resolved != "" {
					r.count(decided{resolution: it.Resolved})
				}
				r.finish(r.arch.rec, it)
			} else {
				r.emit(it)
			}
		}
		r.arch = nil
	}
}

// decided is one record's classification and decision.
type decided struct {
	subject  *rules.Subject
	category rules.Category
	d        rules.Decision
	fields   []rules.FieldDecision // export rows only
	// resolution is the id of the review resolution applied, if any.
	resolution string
	// rotation is set for a backup of a rotation set: it is decided with
	// its set (layout is the set's layout entry; date its date, if its
	// path gives one), and d is only a fallback.
	rotation *rules.Rule
	layout   int
	date     rules.Date
}

// decide classifies a record and evaluates the policy on it; a review
// decision is then settled by the record's resolution, if it has one.
func (p *Planner) decide(st Store, rec scanners.Record) decided {
	return p.decideWith(st, rec, &memo{})
}

// decideWith is decide with the memo of a scan.
func (p *Planner) decideWith(st Store, rec scanners.Record, m *memo) decided {
	return p.resolveReview(st, rec, p.decideAlone(st, rec, m))
}

// decideAlone is decide without resolutions.
func (p *Planner) decideAlone(st Store, rec scanners.Record, mm *memo) decided {
	if rec.Kind == scanners.KindRow {
		return p.decideRow(st, rec)
	}
	path := classifyPath(rec.ID)
	m, ok := st.Classifier.MatchIn(&mm.folder, path)
	if !ok {
		return decided{d: review(msgNoLayout)}
	}
	if dc, ok := p.backup(rec, m); ok {
		return dc
	}
	out := decided{category: m.Category}
	if m.SubjectType == "" {
		out.d = review(msgNoSubjectInLayout)
		return out
	}
	subj, why := mm.resolve(p, m)
	if subj == nil {
		out.d = review(why)
		return out
	}
	out.subject = subj
	out.d = mm.evaluate(p, p.facts(subj, m.Category, &m, rec))
	return out
}

// facts are what the rules need to decide rec as a record of subj in
// category c; m is the layout match that gives its dates, if any.
func (p *Planner) facts(subj *rules.Subject, c rules.Category, m *classify.Match, rec scanners.Record) rules.Facts {
	f := rules.Facts{
		Subject:  subj,
		Category: c,
		ModDate:  rules.DateIn(rec.ModTime, p.Location),
		Erasure:  p.erasure(subj),
	}
	if m != nil {
		f.PathDate, f.EndYear = m.Date, m.EndYear
	}
	if (subj.Type == rules.Applicant || subj.Type == rules.Intern) && subj.Flag(rules.Hired) {
		if emp := p.Subjects.ByName(rules.Employee, subj.Name); len(emp) == 1 {
			f.Employee = emp[0]
		}
	}
	return f
}

// resolve finds the one subject a layout match names, or says why not.
func (p *Planner) resolve(m classify.Match) (*rules.Subject, rules.Text) {
	t := m.SubjectType
	if m.ID != "" {
		s := p.Subjects.ByID(t, m.ID)
		if s == nil {
			return nil, msgIDNotFound.with(t)
		}
		if m.Name != "" && !containsSubject(p.Subjects.ByName(t, m.Name), s) {
			return nil, msgNameIDDisagree.with(t)
		}
		return s, rules.Text{}
	}
	found := p.Subjects.ByName(t, m.Name)
	switch len(found) {
	case 0:
		return nil, msgNameNotFound.with(t)
	case 1:
		return found[0], rules.Text{}
	default:
		return nil, msgAmbiguous.with(t, len(found))
	}
}

func containsSubject(list []*rules.Subject, s *rules.Subject) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// classifyPath is the path layouts see: an archive's entries are inside
// a folder named like the archive without ".zip", so that a zipped year
// folder of the paper archive matches the same layout as the unzipped one.
func classifyPath(id string) string {
	i := strings.Index(id, scanners.ArchiveSep)
	if i < 0 {
		return id
	}
	zip, entry := id[:i], id[i+len(scanners.ArchiveSep):]
	if len(zip) > 4 && strings.EqualFold(zip[len(zip)-4:], ".zip") {
		zip = zip[:len(zip)-4]
	}
	return zip + "/" + entry
}
