package ledger

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Report is what Verify checked.
type Report struct {
	Dir  string
	Name string // log name in the checkpoints
	Key  string // verifier key, "name+hash"

	Entries     int64     // entry lines in entries.jsonl
	Checkpoints int       // checkpoints whose signature, size and root were verified
	Latest      tlog.Tree // the latest checkpoint's tree (zero if none)
	// Unsigned counts the entries after the latest checkpoint (or mark),
	// each with an intent signed with the ledger key: an apply is writing
	// them, or was killed before its checkpoint and the next run signs
	// them. An entry there without such an intent fails Verify.
	Unsigned int64

	HeadFile string    // the high-water mark checked ("" if none)
	Head     tlog.Tree // its tree: the ledger extends it

	First, Last time.Time        // times of the first and last entry
	Actions     map[string]int64 // entries per action
	Outcomes    map[string]int64 // entries per outcome

	// Notes are traces of an interrupted write that are not errors (they
	// cover nothing signed) and that the next Open repairs.
	Notes []string
}

// scanned is the state Verify rebuilds from entries.jsonl alone.
type scanned struct {
	count   int64
	stored  memHashes   // every stored hash, recomputed
	leaves  []tlog.Hash // record hashes, by index
	matches []match     // entries whose Record was asked for (Prove)
	cps     []checkpoint
	latest  *checkpoint // latest verified checkpoint
}

type match struct {
	index int64
	line  string
	entry Entry
}

// VerifyOptions change what Verify checks.
type VerifyOptions struct {
	// Head is the high-water mark file; "" means HeadPath(dir).
	Head string
	// NoHead accepts a ledger with checkpoints but no mark (WriteHead
	// uses it to write the first mark of a ledger made without one).
	NoHead bool
}

// Verify checks the ledger in dir against the verifier key v, trusting
// nothing but the key: it recomputes every record hash from entries.jsonl,
// rebuilds the Merkle tree, and checks every checkpoint's signature, that
// its size does not exceed the entries, that its root hash is the tree hash
// of that many entries (so a change, drop, insertion, reordering or
// truncation of any signed entry is found), and that each checkpoint is
// consistent with the one before (tlog.ProveTree, tlog.CheckTree). Last it
// checks that the stored hashes file agrees with the recomputation.
//
// It checks the high-water mark (HeadPath): its signature, and that the
// ledger is not shorter than it and extends it; a ledger with checkpoints
// and no mark fails. Every entry after the latest checkpoint must carry an
// intent signed with the key (see WithSigner): such entries are counted
// in Report.Unsigned; any other is an error naming its line.
//
// The error names where the ledger fails: a line of entries.jsonl, a
// checkpoint, or a stored hash. Verify only reads; it takes no lock, so a
// ledger being appended to may show an incomplete last line (a note in the
// Report, not an error). It holds all stored hashes in memory, about 64
// bytes per entry.
func Verify(dir string, v note.Verifier) (*Report, error) {
	return VerifyWith(dir, v, VerifyOptions{})
}

// VerifyWith is Verify with options.
func VerifyWith(dir string, v note.Verifier, o VerifyOptions) (*Report, error) {
	r, _, err := verify(dir, v, "", o)
	return r, err
}

func verify(dir string, v note.Verifier, record string, o VerifyOptions) (*Report, *scanned, error) {
	if o.Head == "" {
		o.Head = HeadPath(dir)
	}
	for attempt := 1; ; attempt++ {
		r, s, cps, err := verifyOnce(dir, v, record, o)
		var te *tailError
		if errors.As(err, &te) && attempt < 3 {
			// An apply may have signed a checkpoint and emptied its
			// intents between the reads: if the checkpoints changed,
			// look again.
			if now, rerr := os.ReadFile(filepath.Join(dir, CheckpointsFile)); rerr == nil && !bytes.Equal(now, cps) {
				continue
			}
		}
		if err != nil {
			return nil, nil, err
		}
		return r, s, nil
	}
}

// verifyOnce reads the files in the order a writer makes them durable in
// reverse (checkpoints, mark, hashes, entries, intents), so that a ledger being
// appended to is seen whole: every checkpoint read covers entries that
// are read after it, every entry read has its intent on disk.
func verifyOnce(dir string, v note.Verifier, record string, o VerifyOptions) (*Report, *scanned, []byte, error) {
	r := &Report{
		Dir:      dir,
		Key:      fmt.Sprintf("%s+%08x", v.Name(), v.KeyHash()),
		Actions:  map[string]int64{},
		Outcomes: map[string]int64{},
	}
	s := &scanned{}
	// Checkpoint writes the mark before the checkpoint, so the
	// checkpoints are read first: a mark read after them is never older
	// than the latest of them (at most a checkpoint ahead, being written).
	cps, cerr := os.ReadFile(filepath.Join(dir, CheckpointsFile))
	hd, haveHead, herr := readHead(o.Head)
	if o.NoHead {
		haveHead, herr = false, nil
	}
	// Append makes an entry's line durable before its stored hashes, so
	// the hashes are read before the entries: every hash read has its
	// line on disk.
	hashes, hserr := os.ReadFile(filepath.Join(dir, HashesFile))
	if err := scanEntries(dir, r, s, record); err != nil {
		return nil, nil, nil, err
	}
	intents, ierr := os.ReadFile(filepath.Join(dir, IntentsFile))
	switch {
	case cerr != nil:
		return nil, nil, nil, fmt.Errorf("ledger: %w", cerr)
	case herr != nil:
		return nil, nil, nil, herr
	case ierr != nil && !errors.Is(ierr, fs.ErrNotExist):
		return nil, nil, nil, fmt.Errorf("ledger: %w", ierr)
	}
	if err := checkCheckpoints(cps, v, r, s); err != nil {
		return nil, nil, nil, err
	}
	if err := checkStoredHashes(hashes, hserr, r, s); err != nil {
		return nil, nil, nil, err
	}
	signedN := r.Latest.N
	if haveHead {
		if err := checkHead(hd, v, r, s); err != nil {
			return nil, nil, cps, err
		}
		signedN = max(signedN, hd.tree.N)
	} else if r.Checkpoints > 0 && !o.NoHead {
		return nil, nil, cps, headMissing(o.Head, r.Checkpoints)
	}
	ins, _, err := parseIntents(intents)
	if err != nil {
		return nil, nil, cps, err
	}
	if err := checkTail(signedN, s.leaves[signedN:], ins, v.Verify); err != nil {
		return nil, nil, cps, err
	}
	r.Unsigned = s.count - signedN
	return r, s, cps, nil
}

// checkHead checks the high-water mark: signed with v, of this log, and
// the ledger extends it.
func checkHead(hd head, v note.Verifier, r *Report, s *scanned) error {
	n, err := note.Open(hd.msg, note.VerifierList(v))
	if err != nil {
		var unknown *note.UnverifiedNoteError
		if errors.As(err, &unknown) {
			return fmt.Errorf("the high-water mark %s is not signed by key %s: a wrong --key or --head, or a mark not made by this ledger's key", hd.path, r.Key)
		}
		return fmt.Errorf("the high-water mark %s: the signature does not verify with key %s: it was altered", hd.path, r.Key)
	}
	if n.Text != treeText(hd.name, hd.tree) {
		return fmt.Errorf("the high-water mark %s is not a checkpoint", hd.path)
	}
	if r.Name != "" && hd.name != r.Name {
		return fmt.Errorf("the high-water mark %s is of the log %q, not %q: a wrong --head?", hd.path, hd.name, r.Name)
	}
	if r.Name == "" {
		r.Name = hd.name
	}
	if hd.tree.N > s.count {
		return headShorter(hd.path, s.count, hd.tree)
	}
	th, err := tlog.TreeHash(hd.tree.N, s.stored)
	if err != nil {
		return err
	}
	if th != hd.tree.Hash {
		return headDiffers(hd.path, hd.tree)
	}
	switch {
	case hd.tree.N < r.Latest.N:
		return fmt.Errorf("the high-water mark %s (size %d) is older than the latest checkpoint (size %d): it was replaced with an earlier one", hd.path, hd.tree.N, r.Latest.N)
	case hd.tree.N > r.Latest.N:
		r.Notes = append(r.Notes, fmt.Sprintf("the high-water mark (size %d) is ahead of the latest checkpoint (size %d): a checkpoint's write was interrupted, and the next apply signs one; the entries it covers verify against it", hd.tree.N, r.Latest.N))
	}
	r.HeadFile, r.Head = hd.path, hd.tree
	return nil
}

// scanEntries parses every line and recomputes the tree.
func scanEntries(dir string, r *Report, s *scanned, record string) error {
	f, err := os.Open(filepath.Join(dir, EntriesFile))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s is not a ledger: it has no %s", dir, EntriesFile)
	}
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	var front frontier
	for {
		line, err := br.ReadBytes('\n')
		if err == io.EOF {
			if len(line) > 0 {
				r.Notes = append(r.Notes, fmt.Sprintf("%s: an incomplete last line after line %d (%d bytes without a newline: an interrupted append, never acknowledged) was not counted; opening the ledger for writing removes it", EntriesFile, front.n, len(line)))
			}
			break
		}
		if err != nil {
			return fmt.Errorf("ledger: reading %s: %w", EntriesFile, err)
		}
		body := line[:len(line)-1]
		e, err := parseEntry(body)
		if err != nil {
			return fmt.Errorf("%s line %d: %v", EntriesFile, front.n+1, err)
		}
		h := tlog.RecordHash(body)
		hs, next, err := front.next(h)
		if err != nil {
			return err
		}
		s.stored = append(s.stored, hs...)
		s.leaves = append(s.leaves, h)
		if record != "" && e.Record == record {
			s.matches = append(s.matches, match{front.n, string(body), e})
		}
		front = next
		if r.First.IsZero() {
			r.First = e.Time
		}
		r.Last = e.Time
		r.Actions[e.Action]++
		r.Outcomes[e.Outcome]++
	}
	s.count = front.n
	r.Entries = front.n
	return nil
}

// checkCheckpoints verifies every checkpoint in data, the checkpoints
// file, in order; see Verify.
func checkCheckpoints(data []byte, v note.Verifier, r *Report, s *scanned) error {
	cps, complete, err := parseCheckpoints(data)
	if err != nil {
		return err
	}
	if complete < int64(len(data)) {
		r.Notes = append(r.Notes, fmt.Sprintf("%s: an incomplete checkpoint at the end (%d bytes: an interrupted write) was ignored; opening the ledger for writing removes it", CheckpointsFile, int64(len(data))-complete))
	}
	s.cps = cps
	known := note.VerifierList(v)
	var prev *checkpoint
	for i := range cps {
		c := &cps[i]
		where := fmt.Sprintf("checkpoint %d (%s line %d)", c.seq, CheckpointsFile, c.line)
		n, err := note.Open(c.msg, known)
		if err != nil {
			var unknown *note.UnverifiedNoteError
			var invalid *note.InvalidSignatureError
			switch {
			case errors.As(err, &invalid):
				return fmt.Errorf("%s: signature does not verify with key %s: the checkpoint was altered or its signature damaged", where, r.Key)
			case errors.As(err, &unknown):
				return fmt.Errorf("%s: not signed by key %s (signed by %s): a wrong --key, or a checkpoint not made by this ledger's key", where, r.Key, strings.Join(c.sigs, ", "))
			default:
				return fmt.Errorf("%s: not a well-formed signed note: %v", where, err)
			}
		}
		name, t, err := parseTreeText(n.Text)
		if err != nil {
			return fmt.Errorf("%s: %v", where, err)
		}
		if r.Name == "" {
			r.Name = name
		} else if name != r.Name {
			return fmt.Errorf("%s: log name %q differs from checkpoint 1's %q", where, name, r.Name)
		}
		if prev != nil && t.N < prev.tree.N {
			return fmt.Errorf("%s: size %d is smaller than checkpoint %d's %d: checkpoints only grow", where, t.N, prev.seq, prev.tree.N)
		}
		if t.N > s.count {
			return locate(r.Dir, s, c, prev)
		}
		th, err := tlog.TreeHash(t.N, s.stored)
		if err != nil {
			return err
		}
		if th != t.Hash {
			return locate(r.Dir, s, c, prev)
		}
		if prev != nil && prev.tree.N > 0 {
			p, err := tlog.ProveTree(t.N, prev.tree.N, s.stored)
			if err == nil {
				err = tlog.CheckTree(p, t.N, t.Hash, prev.tree.N, prev.tree.Hash)
			}
			if err != nil {
				return fmt.Errorf("%s: not consistent with checkpoint %d: %v", where, prev.seq, err)
			}
		}
		prev = c
		r.Checkpoints++
	}
	if prev != nil {
		s.latest = prev
		r.Latest = prev.tree
	}
	return nil
}

// locate explains why checkpoint c does not match the entries: which line
// differs, if the hashes file can tell (its leaves are authentic when they
// rebuild c's root), else the range of lines since the previous good
// checkpoint.
func locate(dir string, s *scanned, c, prev *checkpoint) error {
	where := fmt.Sprintf("checkpoint %d (size %d)", c.seq, c.tree.N)
	from := int64(0)
	if prev != nil {
		from = prev.tree.N
	}
	upto := min(c.tree.N, s.count)
	if file, err := readHashes(dir); err == nil {
		var front frontier
		authentic := true
		for i := int64(0); i < c.tree.N && authentic; i++ {
			x := tlog.StoredHashIndex(0, i)
			if x >= int64(len(file)) {
				authentic = false
				break
			}
			_, front, err = front.next(file[x])
			authentic = err == nil
		}
		if authentic && front.hash() == c.tree.Hash {
			for i := from; i < upto; i++ {
				if file[tlog.StoredHashIndex(0, i)] != s.leaves[i] {
					return fmt.Errorf("%s line %d: does not match %s: this entry was changed, or one before it dropped, inserted or moved", EntriesFile, i+1, where)
				}
			}
		}
	}
	if s.count < c.tree.N {
		return fmt.Errorf("%s: %d lines but %s covers %d (truncated?)", EntriesFile, s.count, fmt.Sprintf("checkpoint %d", c.seq), c.tree.N)
	}
	return fmt.Errorf("%s lines %d–%d: do not match %s: an entry among them was changed, dropped, inserted or moved (the hashes file cannot tell which)", EntriesFile, from+1, upto, where)
}

// readHashes reads the stored hashes file, ignoring a partial last hash.
func readHashes(dir string) (memHashes, error) {
	b, err := os.ReadFile(filepath.Join(dir, HashesFile))
	if err != nil {
		return nil, err
	}
	m := make(memHashes, len(b)/tlog.HashSize)
	for i := range m {
		copy(m[i][:], b[i*tlog.HashSize:])
	}
	return m, nil
}

// checkStoredHashes compares the hashes file's content b (read with
// error err) with the recomputation.
func checkStoredHashes(b []byte, err error, r *Report, s *scanned) error {
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("ledger: %w", err)
	}
	file := make(memHashes, len(b)/tlog.HashSize)
	for i := range file {
		copy(file[i][:], b[i*tlog.HashSize:])
	}
	for i := range min(len(file), len(s.stored)) {
		if file[i] != s.stored[i] {
			level, n := tlog.SplitStoredHashIndex(int64(i))
			what := fmt.Sprintf("the hash of %s line %d", EntriesFile, n+1)
			if level > 0 {
				what = fmt.Sprintf("the hash over %s lines %d–%d", EntriesFile, n<<level+1, (n+1)<<level)
			}
			return fmt.Errorf("%s: stored hash %d (%s) does not agree with %s: the file was changed or damaged; it is derived data, so moving it away and opening the ledger rebuilds it", HashesFile, i, what, EntriesFile)
		}
	}
	switch {
	case len(b) > len(s.stored)*tlog.HashSize:
		return fmt.Errorf("%s: holds %d bytes but %s's %d entries need %d hashes (%d bytes): entries were lost, or the file was changed", HashesFile, len(b), EntriesFile, s.count, len(s.stored), len(s.stored)*tlog.HashSize)
	case len(b) < len(s.stored)*tlog.HashSize:
		have := int64(0)
		for have < s.count && tlog.StoredHashCount(have+1) <= int64(len(file)) {
			have++
		}
		r.Notes = append(r.Notes, fmt.Sprintf("%s: the stored hashes of %s lines %d–%d are missing (an interrupted append, or a missing file); opening the ledger for writing restores them", HashesFile, EntriesFile, have+1, s.count))
	}
	return nil
}

// String says what was verified, for `retentiond verify`.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ledger %s\n", r.Dir)
	fmt.Fprintf(&b, "  entries:        %d in %s, each parsed and hashed", r.Entries, EntriesFile)
	if r.Entries > 0 {
		fmt.Fprintf(&b, " (%s to %s)", r.First.Format(time.RFC3339), r.Last.Format(time.RFC3339))
	}
	b.WriteString("\n")
	if r.Checkpoints == 0 {
		fmt.Fprintf(&b, "  checkpoints:    none: NOTHING IS SIGNED YET, so nothing proves these entries were not changed\n")
	} else {
		fmt.Fprintf(&b, "  checkpoints:    %d, every one signed by key %s, matching the entries it covers and consistent with the one before\n", r.Checkpoints, r.Key)
		fmt.Fprintf(&b, "  log name:       %s\n", r.Name)
		fmt.Fprintf(&b, "  latest:         size %d, root hash %s\n", r.Latest.N, r.Latest.Hash)
	}
	if r.HeadFile != "" {
		fmt.Fprintf(&b, "  high-water mark: size %d in %s, signed by the same key; the ledger extends it\n", r.Head.N, r.HeadFile)
	}
	if r.Unsigned > 0 {
		fmt.Fprintf(&b, "  not yet signed: %d entries after the latest checkpoint (lines %d–%d), each with an intent signed by retentiond: an apply is writing them, or was stopped before its checkpoint and the next apply signs them\n", r.Unsigned, r.Entries-r.Unsigned+1, r.Entries)
	}
	fmt.Fprintf(&b, "  stored hashes:  agree with %s\n", EntriesFile)
	if len(r.Actions) > 0 {
		fmt.Fprintf(&b, "  actions:        %s\n", counts(r.Actions))
		fmt.Fprintf(&b, "  outcomes:       %s\n", counts(r.Outcomes))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "  note: %s\n", n)
	}
	return b.String()
}

func counts(m map[string]int64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// WriteHead writes the high-water mark of a ledger that has none (one
// made before retentiond kept marks, or one restored from its copies):
// it verifies the ledger with v and writes its latest checkpoint to path
// ("" for HeadPath(dir)). It refuses if a mark exists, or if nothing is
// signed.
func WriteHead(dir, path string, v note.Verifier) (*Report, error) {
	if path == "" {
		path = HeadPath(dir)
	}
	if _, err := os.Lstat(path); err == nil {
		return nil, fmt.Errorf("the high-water mark %s exists: it is never overwritten by hand", path)
	}
	r, s, err := verify(dir, v, "", VerifyOptions{Head: path, NoHead: true})
	if err != nil {
		return nil, err
	}
	if s.latest == nil {
		return nil, fmt.Errorf("ledger %s has no signed checkpoint: there is no mark to write", dir)
	}
	if err := writeHead(path, s.latest.msg); err != nil {
		return nil, err
	}
	r.HeadFile, r.Head = path, s.latest.tree
	return r, nil
}
