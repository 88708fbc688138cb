package lockcopy

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/retentiond/retentiond/agent/ledger"
)

// Object names under the prefix. The numbers are zero-padded to 16
// digits so that names sort as their numbers do, which lets Upload ask
// S3 for "ranges from line N on" with one listing.
const (
	entriesDir     = "entries/"
	checkpointsDir = "checkpoints/"
	entriesExt     = ".jsonl"
	checkpointExt  = ".note"
	digits         = 16
)

// maxObjectBytes caps the size of one entries object, so that the first
// copy of a long ledger is several objects of a reasonable size rather
// than one huge upload. A variable for tests.
var maxObjectBytes int64 = 16 << 20

func (c *Copier) entriesKey(first, last int64) string {
	return fmt.Sprintf("%s%s%0*d-%0*d%s", c.prefix, entriesDir, digits, first, digits, last, entriesExt)
}

func (c *Copier) checkpointKey(n int64) string {
	return fmt.Sprintf("%s%s%0*d%s", c.prefix, checkpointsDir, digits, n, checkpointExt)
}

// parseEntriesKey returns the range an entries object's name covers; ok is
// false for a name entriesKey does not make.
func (c *Copier) parseEntriesKey(key string) (first, last int64, ok bool) {
	name, found := strings.CutPrefix(key, c.prefix+entriesDir)
	name, found2 := strings.CutSuffix(name, entriesExt)
	a, b, found3 := strings.Cut(name, "-")
	if !found || !found2 || !found3 {
		return 0, 0, false
	}
	first, ok1 := parseNumber(a)
	last, ok2 := parseNumber(b)
	return first, last, ok1 && ok2 && first <= last
}

// parseCheckpointKey returns the tree size a checkpoint object's name
// gives; ok is false for a name checkpointKey does not make.
func (c *Copier) parseCheckpointKey(key string) (n int64, ok bool) {
	name, found := strings.CutPrefix(key, c.prefix+checkpointsDir)
	name, found2 := strings.CutSuffix(name, checkpointExt)
	n, ok = parseNumber(name)
	return n, ok && found && found2 && n > 0
}

func parseNumber(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && len(s) == digits && n >= 0 && s == fmt.Sprintf("%0*d", digits, n)
}

// Uploaded says what an Upload did.
type Uploaded struct {
	// Lines is how many entry lines this call copied.
	Lines int64
	// Objects are the objects this call wrote, in order.
	Objects []Object
	// Resumed is how many entries objects were found in the bucket
	// already, left by an earlier Upload that was interrupted before it
	// noted them, and found equal to the local lines.
	Resumed int
	// Copied is how many entry lines, from the first, the bucket holds
	// after this call.
	Copied int64
	// Checkpoint is the tree size of the latest checkpoint copied (0 for
	// none yet).
	Checkpoint int64
}

// Object is an object Upload wrote.
type Object struct {
	Key, VersionID string
}

// Upload copies to the bucket what the ledger in ledgerDir gained since
// the last Upload: the entry lines not copied yet that the latest
// checkpoint signs (never a line after it), as objects
// named PREFIX/entries/<first>-<last>.jsonl (indexes from 0, 16 digits,
// at most 16 MiB each), and then the latest signed checkpoint as
// PREFIX/checkpoints/<tree size>.note. Every object is locked in
// compliance mode until RetainDays from now. Call it after each apply run,
// once the run's checkpoint is signed.
//
// Upload remembers what it copied in StateFile (lockcopy.json, 0600, in
// ledgerDir), and finds it by listing the bucket if that file is missing
// or names another bucket or prefix. It is idempotent and resumes after a
// crash: before copying from line N on, it lists the ranges the bucket
// already holds from N on and adopts each that equals the local lines. It
// never writes a second, different copy of a range or a checkpoint: one
// that differs from the local ledger, or copies that reach past the local
// ledger's end, end Upload with an error wrapping ErrDiverged. It also
// refuses a ledger whose latest checkpoint does not match its entries.
//
// It reads the ledger without its lock (as ledger.Verify does), so it may
// run while the ledger is open; an incomplete last line is left for later.
// Errors never quote a line, only its number.
func (c *Copier) Upload(ctx context.Context, ledgerDir string) (Uploaded, error) {
	var up Uploaded
	loc, err := readLocal(ledgerDir)
	if err != nil {
		return up, err
	}
	if cp := loc.latest; cp != nil {
		h, err := loc.treeHash(min(cp.tree.N, loc.n))
		if err != nil {
			return up, err
		}
		if cp.tree.N > loc.n || h != cp.tree.Hash {
			return up, fmt.Errorf("lockcopy: the latest checkpoint in %s (size %d) does not match %s: the ledger is damaged and nothing was copied; run `retentiond verify`", ledgerDir, cp.tree.N, ledger.EntriesFile)
		}
	}
	st, found, err := loadState(ledgerDir)
	if err != nil {
		return up, err
	}
	rebuilt := !found || st.Bucket != c.bucket || st.Prefix != c.prefix
	if rebuilt {
		if st, err = c.rebuild(ctx, loc); err != nil {
			return up, err
		}
	}
	u := &uploader{c: c, loc: loc, st: st, up: &up}
	if err := u.entries(ctx, rebuilt); err != nil {
		return up, err
	}
	if err := u.checkpoint(ctx); err != nil {
		return up, err
	}
	up.Copied, up.Checkpoint = u.st.Entries, u.st.Checkpoint
	return up, nil
}

// uploader is the state of one Upload.
type uploader struct {
	c   *Copier
	loc *local
	st  state
	up  *Uploaded
}

// save notes progress; the hash of the copied lines is taken from the
// local tree, which equals the copies up to st.Entries at this point.
func (u *uploader) save() error {
	h, err := u.loc.treeHash(u.st.Entries)
	if err != nil {
		return err
	}
	u.st.EntriesHash = h.String()
	return saveState(u.loc.dir, u.st)
}

func (u *uploader) diverged(format string, args ...any) error {
	return fmt.Errorf("lockcopy: "+format+": %w; nothing more was copied: run `retentiond verify`", append(args, ErrDiverged)...)
}

// entries copies the entry lines from st.Entries on, up to the latest
// checkpoint; see Upload. A state
// just rebuilt from a listing is saved once it is checked, so that the
// next Upload need not list everything again.
func (u *uploader) entries(ctx context.Context, rebuilt bool) error {
	c, loc := u.c, u.loc
	if u.st.Entries > loc.n {
		return u.diverged("%s has %d complete lines but bucket %s holds copies of %d: lines were removed", ledger.EntriesFile, loc.n, c.bucket, u.st.Entries)
	}
	if u.st.EntriesHash != "" {
		h, err := loc.treeHash(u.st.Entries)
		if err != nil {
			return err
		}
		if h.String() != u.st.EntriesHash {
			return u.diverged("the first %d lines of %s are not the ones copied to bucket %s: a copied line was changed, dropped or inserted", u.st.Entries, ledger.EntriesFile, c.bucket)
		}
	}
	if rebuilt {
		if err := u.save(); err != nil {
			return err
		}
	}
	// Ranges from st.Entries on that the bucket already holds: written
	// by an Upload interrupted before it saved its state.
	objs, err := c.list(ctx, c.prefix+entriesDir, fmt.Sprintf("%s%s%0*d", c.prefix, entriesDir, digits, u.st.Entries))
	if err != nil {
		return err
	}
	for _, o := range objs {
		first, last, ok := c.parseEntriesKey(o.key)
		if !ok || last < u.st.Entries {
			continue // not ours, or within what is copied: Verify judges it
		}
		if last >= loc.n {
			return u.diverged("bucket %s holds a copy of lines %d–%d (%s) but %s has only %d complete lines: lines were removed", c.bucket, first+1, last+1, o.key, ledger.EntriesFile, loc.n)
		}
		if first > u.st.Entries {
			// A gap before this range (a copy hidden by a delete marker,
			// or lost state): fill it from the local lines.
			if err := u.put(ctx, u.st.Entries, first-1); err != nil {
				return err
			}
		}
		data, found, err := c.get(ctx, o.key, "")
		if err != nil {
			return err
		}
		if !found {
			continue // hidden since the listing; copied again below
		}
		if bad := u.loc.check(first, last, data); bad >= 0 {
			return u.diverged("%s line %d differs from its locked copy %s in bucket %s", ledger.EntriesFile, bad+1, o.key, c.bucket)
		}
		u.st.Entries = last + 1
		u.up.Resumed++
		if err := u.save(); err != nil {
			return err
		}
	}
	// Only lines a checkpoint signed are copied: a line after it is an
	// apply's tail still to be signed, or one appended by someone else,
	// which the ledger never signs and the copies must never hold.
	signed := int64(0)
	if loc.latest != nil {
		signed = min(loc.latest.tree.N, loc.n)
	}
	if u.st.Entries < signed {
		return u.put(ctx, u.st.Entries, signed-1)
	}
	return nil
}

// put copies lines first to last, in objects of at most maxObjectBytes
// (but at least one line each), noting progress after each.
func (u *uploader) put(ctx context.Context, first, last int64) error {
	off := u.loc.offsets
	for first <= last {
		end := first
		for end < last && off[end+2]-off[first] <= maxObjectBytes {
			end++
		}
		data, err := u.loc.lines(first, end)
		if err != nil {
			return err
		}
		key := u.c.entriesKey(first, end)
		vid, err := u.c.put(ctx, key, data, "application/x-ndjson")
		if err != nil {
			return err
		}
		u.up.Objects = append(u.up.Objects, Object{key, vid})
		u.up.Lines += end - first + 1
		u.st.Entries = end + 1
		if err := u.save(); err != nil {
			return err
		}
		first = end + 1
	}
	return nil
}

// checkpoint copies the latest local checkpoint if it is newer than the
// latest copied.
func (u *uploader) checkpoint(ctx context.Context) error {
	cp := u.loc.latest
	if cp == nil || cp.tree.N <= u.st.Checkpoint {
		return nil
	}
	key := u.c.checkpointKey(cp.tree.N)
	old, found, err := u.c.get(ctx, key, "")
	if err != nil {
		return err
	}
	switch {
	case !found:
		vid, err := u.c.put(ctx, key, cp.msg, "text/plain; charset=utf-8")
		if err != nil {
			return err
		}
		u.up.Objects = append(u.up.Objects, Object{key, vid})
	case bytes.Equal(old, cp.msg):
		// Written by an Upload interrupted before it saved its state.
	case bytes.Equal(noteText(old), noteText(cp.msg)):
		// The same tree, signed again with another key: the copy commits
		// to the same entries, so there is nothing to add.
	default:
		return u.diverged("the locked copy %s in bucket %s is a different checkpoint of size %d than the local one", key, u.c.bucket, cp.tree.N)
	}
	u.st.Checkpoint = cp.tree.N
	return u.save()
}

// noteText returns a signed note's text: what comes before the blank line
// that precedes its signatures.
func noteText(msg []byte) []byte {
	if i := bytes.Index(msg, []byte("\n\n")); i >= 0 {
		return msg[:i+1]
	}
	return msg
}

// rebuild finds what earlier Uploads copied by listing the bucket: the
// lines covered by ranges contiguous from the first, and the largest
// checkpoint. The sizes of those ranges are checked against the local
// lines on the way, which costs no request.
func (c *Copier) rebuild(ctx context.Context, loc *local) (state, error) {
	st := state{Bucket: c.bucket, Prefix: c.prefix}
	objs, err := c.list(ctx, c.prefix+entriesDir, "")
	if err != nil {
		return st, err
	}
	for _, o := range objs {
		first, last, ok := c.parseEntriesKey(o.key)
		if !ok || last < st.Entries {
			continue
		}
		if first > st.Entries {
			break // a gap: Upload fills it
		}
		if last < loc.n && o.size != loc.offsets[last+1]-loc.offsets[first] {
			return st, fmt.Errorf("lockcopy: the locked copy %s in bucket %s has %d bytes but %s lines %d–%d have %d: %w; run `retentiond verify`",
				o.key, c.bucket, o.size, ledger.EntriesFile, first+1, last+1, loc.offsets[last+1]-loc.offsets[first], ErrDiverged)
		}
		st.Entries = last + 1
	}
	cps, err := c.list(ctx, c.prefix+checkpointsDir, "")
	if err != nil {
		return st, err
	}
	for _, o := range cps {
		if n, ok := c.parseCheckpointKey(o.key); ok {
			st.Checkpoint = max(st.Checkpoint, n)
		}
	}
	return st, nil
}
