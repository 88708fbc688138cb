package ledger

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/mod/sumdb/tlog"
)

// The high-water mark is a copy of the newest signed checkpoint, kept
// outside the ledger directory (HeadPath). Entries and checkpoints cut
// back together to an earlier, validly signed state, or emptied, verify
// on their own; the mark still says how far the ledger had grown, and a
// ledger that is shorter than the mark or does not extend it is refused
// by Open and by Verify.
//
// Checkpoint writes the mark (atomically, by rename) before it appends
// the checkpoint itself, so the mark is never behind the checkpoints: a
// crash between the two leaves a mark one checkpoint ahead, which the
// entries still extend. A ledger with checkpoints and no mark has
// therefore lost it.
//
// What the mark cannot catch: someone who can write both the ledger and
// the mark can put back an older mark along with an older ledger. Only
// copies out of their reach (ledger_copy, an S3 bucket with Object Lock)
// show that.

// HeadPath returns where the high-water mark of the ledger in dir is
// kept: next to the directory, named after it ("STATE_DIR/ledger-head"
// for "STATE_DIR/ledger").
func HeadPath(dir string) string {
	return filepath.Clean(dir) + "-head"
}

// head is a parsed high-water mark.
type head struct {
	path string
	msg  []byte    // the signed note
	name string    // log name, unverified until note.Open
	tree tlog.Tree // unverified until note.Open
}

// readHead reads the mark at path; found is false if there is none.
func readHead(path string) (h head, found bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return head{path: path}, false, nil
	}
	if err != nil {
		return head{}, false, fmt.Errorf("ledger: reading the high-water mark: %w", err)
	}
	h, err = parseHead(path, b)
	return h, true, err
}

// parseHead parses a mark: a signed note whose text is a checkpoint's.
func parseHead(path string, b []byte) (head, error) {
	i := bytes.Index(b, []byte("\n\n"))
	if i < 0 || !bytes.HasPrefix(b[i+2:], []byte("— ")) || b[len(b)-1] != '\n' {
		return head{}, fmt.Errorf("the high-water mark %s is not a signed checkpoint", path)
	}
	name, t, err := parseTreeText(string(b[:i+1]))
	if err != nil {
		return head{}, fmt.Errorf("the high-water mark %s: %v", path, err)
	}
	return head{path: path, msg: b, name: name, tree: t}, nil
}

// writeHead replaces the mark at path with msg, durably: a temporary
// file (mode 0600), fsynced, renamed over the mark, and the directory
// fsynced.
func writeHead(path string, msg []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("ledger: writing the high-water mark: %w", err)
	}
	_, err = f.Write(msg)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("ledger: writing the high-water mark %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

// headMissing is the error for a ledger with checkpoints and no mark.
func headMissing(path string, checkpoints int) error {
	return fmt.Errorf("the high-water mark %s is missing, but the ledger has %d signed checkpoint(s): a ledger that was ever signed always has one, so it was deleted, or the ledger was moved without it; check the ledger against its ledger_copy (`retentiond verify --copies`) and, if it is whole, write the mark again with `retentiond verify --write-head`", path, checkpoints)
}

// headShorter is the error for a ledger shorter than its mark.
func headShorter(path string, entries int64, h tlog.Tree) error {
	return fmt.Errorf("%s has %d entries but the high-water mark %s records a signed ledger of %d entries: the ledger was cut back or emptied; restore it from a backup or from ledger_copy", EntriesFile, entries, path, h.N)
}

// headDiffers is the error for a ledger that does not extend its mark.
func headDiffers(path string, h tlog.Tree) error {
	return fmt.Errorf("the first %d entries of %s do not match the high-water mark %s (a signed ledger of %d entries): the ledger was rewritten; restore it from a backup or from ledger_copy", h.N, EntriesFile, path, h.N)
}
