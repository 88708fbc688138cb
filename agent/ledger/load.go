package ledger

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"path/filepath"

	"golang.org/x/mod/sumdb/tlog"
)

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
