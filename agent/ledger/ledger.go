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
	"slices"
	"sync"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// File names inside a ledger directory.
const (
	EntriesFile     = "entries.jsonl"
	HashesFile      = "hashes"
	CheckpointsFile = "checkpoints"
	IntentsFile     = "intents"
	LockFile        = "lock"
)

// ErrLocked is wrapped by Open's error when another process (or another
// Open in this one) holds the ledger.
var ErrLocked = errors.New("ledger is in use")

// Ledger is an open ledger, held for appending. It is safe for concurrent
// use; the file lock keeps other processes out.
type Ledger struct {
	mu                            sync.Mutex
	dir, name, headPath           string
	signer                        note.Signer // signs intents; nil: none are written
	lockf                         *os.File
	entries, hashes, cps, intents *os.File

	entriesEnd, hashesEnd, cpsEnd, intentsEnd int64
	front                                     frontier
	nextSeq                                   int
	last                                      *checkpoint
	// inherited holds the intents of the entries after the latest
	// checkpoint that were there when the ledger was opened, until they
	// are checked against the key that signs the next checkpoint.
	inherited     []intent
	inheritedFrom int64
	inheritedHash []tlog.Hash
	recovered     []string
	err           error // sticky: a write failed half-way
}

// An Option changes how Open opens a ledger.
type Option func(*Ledger)

// WithSigner makes Append write, before each entry, an intent signed
// with s (the ledger key), and makes Open check the intents of the
// entries after the latest checkpoint at once. Every program that appends
// must pass it: an entry without an intent that a crash left unsigned
// cannot be told from one added by hand, and is never signed.
func WithSigner(s note.Signer) Option {
	return func(l *Ledger) { l.signer = s }
}

// Open opens the ledger in dir for appending, creating dir (0700) and its
// files (0600) if absent, and takes the ledger's lock until Close. A
// second Open of the same ledger fails with an error wrapping ErrLocked.
//
// name is the log name written into every checkpoint (keys.NameFor makes
// one from the organisation). "" keeps the name of the existing
// checkpoints; a name differing from theirs is refused, since the name is
// part of what was signed.
//
// Open reads the whole ledger once and checks that entries.jsonl, hashes
// and the sizes and root hashes of the checkpoints agree (not the
// signatures: that is Verify's job, with the public key). It refuses to
// continue a ledger that disagrees, so that nothing is ever signed on top
// of a damaged one. It repairs the traces of a crash during Append or
// Checkpoint, which can only be at the end and were never acknowledged:
//
//   - an entry line without its newline (the write was cut) is removed;
//   - complete entry lines without their stored hashes (the crash came
//     between the two writes) get their hashes computed and written, as do
//     all lines if the hashes file is missing (it is derived data);
//   - a checkpoint cut short at the end of checkpoints is removed.
//
// Open also refuses a ledger whose entries after the latest checkpoint
// were not written by Append with the ledger key (see WithSigner): a line
// added by hand is never taken for an interrupted write and signed. It
// refuses a ledger that is shorter than its high-water mark (HeadPath), or
// does not extend it, or has checkpoints but no mark: it was cut back.
//
// Recovered says what was repaired.
func Open(dir string, name string, opts ...Option) (*Ledger, error) {
	if name != "" && !validName(name) {
		return nil, fmt.Errorf("ledger name %q: must be non-empty, without spaces or '+' (keys.NameFor makes one)", name)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("ledger directory: %w", err)
	}
	lf, err := lock(filepath.Join(dir, LockFile))
	if err != nil {
		return nil, err
	}
	l := &Ledger{dir: dir, headPath: HeadPath(dir), lockf: lf}
	for _, o := range opts {
		o(l)
	}
	ok := false
	defer func() {
		if !ok {
			l.closeFiles()
		}
	}()
	created := false
	for _, f := range []struct {
		name string
		dst  **os.File
	}{{EntriesFile, &l.entries}, {HashesFile, &l.hashes}, {CheckpointsFile, &l.cps}, {IntentsFile, &l.intents}} {
		p := filepath.Join(dir, f.name)
		if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
			created = true
		}
		fh, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("ledger: %w", err)
		}
		*f.dst = fh
	}
	if created {
		if err := syncDir(dir); err != nil {
			return nil, err
		}
	}
	if err := l.load(name); err != nil {
		return nil, err
	}
	ok = true
	return l, nil
}

// load reads and checks the files and repairs an interrupted write; see
// Open. Repairs are made only once every check has passed.
func (l *Ledger) load(name string) error {
	path := func(f string) string { return filepath.Join(l.dir, f) }

	data, err := io.ReadAll(l.cps)
	if err != nil {
		return fmt.Errorf("ledger: reading %s: %w", path(CheckpointsFile), err)
	}
	cps, complete, err := parseCheckpoints(data)
	if err != nil {
		return fmt.Errorf("ledger %s: %v: run `retentiond verify`", l.dir, err)
	}
	for _, c := range cps[min(1, len(cps)):] {
		if c.name != cps[0].name {
			return fmt.Errorf("ledger %s: checkpoint %d has log name %q but checkpoint 1 has %q: run `retentiond verify`", l.dir, c.seq, c.name, cps[0].name)
		}
	}
	switch {
	case len(cps) > 0 && name == "":
		name = cps[0].name
	case len(cps) > 0 && name != cps[0].name:
		return fmt.Errorf("ledger %s was started under the log name %q, not %q: the name is part of every signed checkpoint, so keep it (pass %q, or \"\" to take it from the ledger)", l.dir, cps[0].name, name, cps[0].name)
	case name == "":
		return fmt.Errorf("ledger %s has no checkpoint yet, so it needs a log name (keys.NameFor makes one)", l.dir)
	}
	l.name = name

	hd, haveHead, err := readHead(l.headPath)
	if err != nil {
		return fmt.Errorf("ledger %s: %v: run `retentiond verify`", l.dir, err)
	}
	switch {
	case !haveHead && len(cps) > 0:
		return fmt.Errorf("ledger %s: %v", l.dir, headMissing(l.headPath, len(cps)))
	case haveHead && hd.name != name:
		return fmt.Errorf("ledger %s: the high-water mark %s is of the log %q, not %q: run `retentiond verify`", l.dir, l.headPath, hd.name, name)
	case haveHead && len(cps) > 0 && hd.tree.N < cps[len(cps)-1].tree.N:
		return fmt.Errorf("ledger %s: the high-water mark %s (size %d) is older than checkpoint %d (size %d): it was replaced; run `retentiond verify`", l.dir, l.headPath, hd.tree.N, len(cps), cps[len(cps)-1].tree.N)
	}
	// Entries from signedN on are not covered by a checkpoint: each must
	// have an intent.
	signedN := int64(0)
	if len(cps) > 0 {
		signedN = cps[len(cps)-1].tree.N
	}
	var tail []tlog.Hash

	var front frontier
	checkRoots := func() error {
		for _, c := range cps {
			if c.tree.N == front.n && c.tree.Hash != front.hash() {
				return fmt.Errorf("ledger %s: the first %d entries of %s do not match checkpoint %d: the ledger was changed; run `retentiond verify`", l.dir, c.tree.N, EntriesFile, c.seq)
			}
		}
		if haveHead && hd.tree.N == front.n && hd.tree.Hash != front.hash() {
			return fmt.Errorf("ledger %s: %v", l.dir, headDiffers(l.headPath, hd.tree))
		}
		return nil
	}
	if err := checkRoots(); err != nil {
		return err
	}

	er := bufio.NewReaderSize(l.entries, 1<<16)
	hr := bufio.NewReaderSize(l.hashes, 1<<16)
	var (
		off, hoff   int64 // bytes of entries and hashes checked
		torn        int64 // bytes of an entry line without its newline
		rebuild     = false
		rebuildFrom int64 // first entry whose hashes are restored
		pending     []byte
	)
	for {
		line, err := er.ReadBytes('\n')
		if err == io.EOF {
			torn = int64(len(line))
			break
		}
		if err != nil {
			return fmt.Errorf("ledger: reading %s: %w", path(EntriesFile), err)
		}
		body := line[:len(line)-1]
		rh := tlog.RecordHash(body)
		hs, next, err := front.next(rh)
		if err != nil {
			return err
		}
		if front.n >= signedN {
			tail = append(tail, rh)
		}
		if !rebuild {
			want := hashBytes(hs)
			got := make([]byte, len(want))
			n, err := io.ReadFull(hr, got)
			switch {
			case err == io.EOF || err == io.ErrUnexpectedEOF:
				rebuild = true
			case err != nil:
				return fmt.Errorf("ledger: reading %s: %w", path(HashesFile), err)
			case !bytes.Equal(got, want):
				// The last line's hashes may be garbage after a crash
				// before their fsync; anywhere else this is damage.
				_, eerr := er.Peek(1)
				_, herr := hr.Peek(1)
				if eerr != io.EOF || herr != io.EOF {
					return fmt.Errorf("ledger %s: %s does not agree with %s at line %d (disk damage or tampering): run `retentiond verify`", l.dir, HashesFile, EntriesFile, front.n+1)
				}
				rebuild = true
			default:
				hoff += int64(n)
			}
			if rebuild {
				rebuildFrom = front.n
			}
		}
		if rebuild {
			if _, err := parseEntry(body); err != nil {
				return fmt.Errorf("ledger %s: %s line %d: %v; its hashes cannot be restored: run `retentiond verify`", l.dir, EntriesFile, front.n+1, err)
			}
			pending = append(pending, hashBytes(hs)...)
		}
		front = next
		off += int64(len(line))
		if err := checkRoots(); err != nil {
			return err
		}
	}
	if !rebuild {
		if _, err := hr.Peek(1); err != io.EOF {
			return fmt.Errorf("ledger %s: %s holds more hashes than the %d entries of %s need: entries were lost? run `retentiond verify`", l.dir, HashesFile, front.n, EntriesFile)
		}
	}
	for _, c := range cps {
		if c.tree.N > front.n {
			return fmt.Errorf("ledger %s: %s has %d entries but checkpoint %d covers %d: entries were lost; run `retentiond verify`", l.dir, EntriesFile, front.n, c.seq, c.tree.N)
		}
	}
	if haveHead && hd.tree.N > front.n {
		return fmt.Errorf("ledger %s: %v", l.dir, headShorter(l.headPath, front.n, hd.tree))
	}
	idata, err := io.ReadAll(l.intents)
	if err != nil {
		return fmt.Errorf("ledger: reading %s: %w", path(IntentsFile), err)
	}
	ins, _, err := parseIntents(idata)
	if err != nil {
		return fmt.Errorf("ledger %s: %v: run `retentiond verify`", l.dir, err)
	}
	// Without the signer, only that each line has an intent is checked
	// here; Checkpoint checks their signatures before it signs anything.
	present := func([]byte, []byte) bool { return true }
	if l.signer != nil {
		present = signedBy(l.signer)
	}
	if err := checkTail(signedN, tail, ins, present); err != nil {
		return fmt.Errorf("ledger %s: %w", l.dir, err)
	}
	// Intents of lines that never reached entries.jsonl (a crash between
	// the two writes), or of a signed tail (a crash before the intents
	// were emptied), and a cut last intent, are dropped: they cover
	// nothing. This is housekeeping, not a repair of the record.
	var kept []byte
	for _, in := range ins {
		if in.index >= signedN && in.index < front.n {
			kept = in.appendTo(kept)
		}
	}
	if !bytes.HasPrefix(idata, kept) {
		// Append writes intents in order, and Checkpoint empties the
		// file: stale intents before current ones were not written so.
		return fmt.Errorf("ledger %s: %s holds intents out of order (edited by hand?): run `retentiond verify`", l.dir, IntentsFile)
	}

	if torn > 0 {
		if err := truncateSync(l.entries, off); err != nil {
			return err
		}
		l.recovered = append(l.recovered, fmt.Sprintf("%s: removed an incomplete last line (%d bytes, an interrupted append that was never acknowledged)", EntriesFile, torn))
	}
	if rebuild {
		if err := truncateSync(l.hashes, hoff); err != nil {
			return err
		}
		if _, err := l.hashes.WriteAt(pending, hoff); err != nil {
			return fmt.Errorf("ledger: restoring %s: %w", path(HashesFile), err)
		}
		if err := l.hashes.Sync(); err != nil {
			return fmt.Errorf("ledger: restoring %s: %w", path(HashesFile), err)
		}
		l.recovered = append(l.recovered, fmt.Sprintf("%s: restored the stored hashes of %s lines %d–%d (an interrupted append, or a missing hashes file)", HashesFile, EntriesFile, rebuildFrom+1, front.n))
		hoff += int64(len(pending))
	}
	if complete < int64(len(data)) {
		if err := truncateSync(l.cps, complete); err != nil {
			return err
		}
		l.recovered = append(l.recovered, fmt.Sprintf("%s: removed an incomplete checkpoint at the end (%d bytes, an interrupted write)", CheckpointsFile, int64(len(data))-complete))
	}

	if len(kept) < len(idata) {
		if err := truncateSync(l.intents, int64(len(kept))); err != nil {
			return err
		}
	}
	if l.signer == nil && len(tail) > 0 {
		l.inheritedFrom, l.inheritedHash = signedN, tail
		for _, in := range ins {
			if in.index >= signedN && in.index < front.n {
				l.inherited = append(l.inherited, in)
			}
		}
	}

	l.entriesEnd, l.hashesEnd, l.cpsEnd, l.intentsEnd = off, hoff, complete, int64(len(kept))
	l.front = front
	l.nextSeq = len(cps) + 1
	if len(cps) > 0 {
		l.last = &cps[len(cps)-1]
	}
	return nil
}

// Append writes e to the ledger and returns its index (0 for the first
// entry; its line in entries.jsonl is index+1). It returns only after the
// line and its stored hashes are fsynced, so an entry Append accepted
// survives a crash. e.Time is written in UTC. An entry with a malformed
// field (a record that is not a keyed pseudonym, a missing action or
// outcome…) is refused and nothing is written.
//
// Append costs O(log n): it never reads earlier entries. If a write fails
// half-way, the Ledger refuses further use; Open it again to repair.
func (l *Ledger) Append(e Entry) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.usable(); err != nil {
		return 0, err
	}
	line, err := marshalEntry(e)
	if err != nil {
		return 0, fmt.Errorf("ledger entry not written: %w", err)
	}
	rh := tlog.RecordHash(line)
	hs, next, err := l.front.next(rh)
	if err != nil {
		return 0, err
	}
	hb := hashBytes(hs)
	if l.signer != nil {
		// The intent is durable before the line, so every line after the
		// latest checkpoint that a crash leaves has its intent.
		in, err := signIntent(l.signer, l.front.n, rh)
		if err != nil {
			return 0, err
		}
		b := in.appendTo(nil)
		if _, err := l.intents.WriteAt(b, l.intentsEnd); err != nil {
			return 0, l.fail(IntentsFile, err)
		}
		if err := l.intents.Sync(); err != nil {
			return 0, l.fail(IntentsFile, err)
		}
		l.intentsEnd += int64(len(b))
	}
	// The line is durable before its hashes are written, so after any
	// crash the hashes never run ahead of the entries.
	line = append(line, '\n')
	if _, err := l.entries.WriteAt(line, l.entriesEnd); err != nil {
		return 0, l.fail(EntriesFile, err)
	}
	if err := l.entries.Sync(); err != nil {
		return 0, l.fail(EntriesFile, err)
	}
	if _, err := l.hashes.WriteAt(hb, l.hashesEnd); err != nil {
		return 0, l.fail(HashesFile, err)
	}
	if err := l.hashes.Sync(); err != nil {
		return 0, l.fail(HashesFile, err)
	}
	n := l.front.n
	l.front = next
	l.entriesEnd += int64(len(line))
	l.hashesEnd += int64(len(hb))
	return n, nil
}

// Size returns the number of entries.
func (l *Ledger) Size() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.front.n
}

// Name returns the log name written into checkpoints.
func (l *Ledger) Name() string { return l.name }

// Recovered describes what Open repaired after an interrupted write, one
// sentence per repair, or nil. Callers should log it.
func (l *Ledger) Recovered() []string { return l.recovered }

// Checkpoint signs the current tree with s and appends the signed note to
// the checkpoints file, fsynced, returning the tree. An empty ledger has
// nothing to sign: Checkpoint returns the empty tree and writes nothing.
// If the latest checkpoint already covers every entry and carries a
// signature by s's key, nothing is written either.
//
// Before it signs, Checkpoint checks that the entries after the latest
// checkpoint found by Open carry intents signed with s's key (see
// WithSigner), and refuses otherwise. It writes the signed note as the
// high-water mark (HeadPath) first, then the checkpoint, then empties the
// intents file.
func (l *Ledger) Checkpoint(s note.Signer) (tlog.Tree, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.usable(); err != nil {
		return tlog.Tree{}, err
	}
	t := tlog.Tree{N: l.front.n, Hash: l.front.hash()}
	if t.N == 0 {
		return t, nil
	}
	key := fmt.Sprintf("%s+%08x", s.Name(), s.KeyHash())
	if l.last != nil && l.last.tree == t && slices.Contains(l.last.sigs, key) {
		return t, nil
	}
	if l.inheritedHash != nil {
		if err := checkTail(l.inheritedFrom, l.inheritedHash, l.inherited, signedBy(s)); err != nil {
			return tlog.Tree{}, fmt.Errorf("ledger %s: nothing signed: %w", l.dir, err)
		}
		l.inherited, l.inheritedHash = nil, nil
	}
	msg, err := note.Sign(&note.Note{Text: treeText(l.name, t)}, s)
	if err != nil {
		return tlog.Tree{}, fmt.Errorf("ledger: signing checkpoint with key %s: %w", key, err)
	}
	if err := writeHead(l.headPath, msg); err != nil {
		return tlog.Tree{}, err
	}
	block := append(fmt.Appendf(nil, "%s%d\n", headerPrefix, l.nextSeq), msg...)
	if _, err := l.cps.WriteAt(block, l.cpsEnd); err != nil {
		return tlog.Tree{}, l.fail(CheckpointsFile, err)
	}
	if err := l.cps.Sync(); err != nil {
		return tlog.Tree{}, l.fail(CheckpointsFile, err)
	}
	l.cpsEnd += int64(len(block))
	// The intents are covered by the checkpoint now.
	if l.intentsEnd > 0 {
		if err := l.intents.Truncate(0); err != nil {
			return tlog.Tree{}, l.fail(IntentsFile, err)
		}
		if err := l.intents.Sync(); err != nil {
			return tlog.Tree{}, l.fail(IntentsFile, err)
		}
		l.intentsEnd = 0
	}
	l.last = &checkpoint{seq: l.nextSeq, name: l.name, tree: t, msg: msg, sigs: []string{key}}
	l.nextSeq++
	return t, nil
}

// Close closes the files and releases the lock. Closing twice is
// harmless.
func (l *Ledger) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lockf == nil {
		return nil
	}
	return l.closeFiles()
}

func (l *Ledger) closeFiles() error {
	var errs []error
	for _, f := range []**os.File{&l.entries, &l.hashes, &l.cps, &l.intents, &l.lockf} {
		if *f != nil {
			errs = append(errs, (*f).Close())
			*f = nil
		}
	}
	return errors.Join(errs...)
}

func (l *Ledger) usable() error {
	switch {
	case l.lockf == nil:
		return errors.New("ledger: use after Close")
	case l.err != nil:
		return fmt.Errorf("ledger: an earlier write failed (%v): open the ledger again to repair it", l.err)
	}
	return nil
}

// fail records a write error that may have left a partial write behind.
func (l *Ledger) fail(file string, err error) error {
	l.err = fmt.Errorf("writing %s: %w", filepath.Join(l.dir, file), err)
	return fmt.Errorf("ledger: %w", l.err)
}

func hashBytes(hs []tlog.Hash) []byte {
	b := make([]byte, 0, len(hs)*tlog.HashSize)
	for _, h := range hs {
		b = append(b, h[:]...)
	}
	return b
}

func truncateSync(f *os.File, size int64) error {
	if err := f.Truncate(size); err != nil {
		return fmt.Errorf("ledger: repairing %s: %w", f.Name(), err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("ledger: repairing %s: %w", f.Name(), err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("ledger: syncing directory %s: %w", dir, err)
	}
	return nil
}
