package lockcopy

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/retentiond/retentiond/agent/ledger"
)

// local is the ledger directory as Upload and Verify see it: the complete
// lines of entries.jsonl, hashed into the same tlog tree the ledger
// package builds, and the latest complete checkpoint.
type local struct {
	dir     string
	n       int64       // complete entry lines
	offsets []int64     // offsets[i]: where line i starts; offsets[n]: end of the last
	leaves  []tlog.Hash // tlog.RecordHash of each line, without its newline
	stored  memHashes   // every stored hash of the tree, for TreeHash at any size
	latest  *localCheckpoint
}

// localCheckpoint is a signed note from the checkpoints file.
type localCheckpoint struct {
	msg  []byte // the signed note, as note.Sign wrote it
	tree tlog.Tree
}

// memHashes is a tlog.HashReader over every stored hash, by index.
type memHashes []tlog.Hash

// ReadHashes implements tlog.HashReader.
func (m memHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(m)) {
			return nil, fmt.Errorf("lockcopy: internal error: stored hash %d asked for, %d held", x, len(m))
		}
		out[i] = m[x]
	}
	return out, nil
}

// readLocal reads the entries and the latest checkpoint of the ledger in
// dir. Like ledger.Verify it takes no lock: an incomplete last line or
// checkpoint (an interrupted write, which the ledger's Open removes) is
// left out. It holds about 100 bytes per entry in memory.
func readLocal(dir string) (*local, error) {
	f, err := os.Open(filepath.Join(dir, ledger.EntriesFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("lockcopy: %s is not a ledger: it has no %s", dir, ledger.EntriesFile)
	}
	if err != nil {
		return nil, fmt.Errorf("lockcopy: %w", err)
	}
	defer f.Close()
	l := &local{dir: dir, offsets: []int64{0}}
	br := bufio.NewReaderSize(f, 1<<16)
	var off int64
	for {
		line, err := br.ReadBytes('\n')
		if err == io.EOF {
			break // an incomplete last line, if any, was never acknowledged
		}
		if err != nil {
			return nil, fmt.Errorf("lockcopy: reading %s: %w", ledger.EntriesFile, err)
		}
		body := line[:len(line)-1]
		hs, err := tlog.StoredHashes(l.n, body, l.stored)
		if err != nil {
			return nil, fmt.Errorf("lockcopy: hashing %s line %d: %w", ledger.EntriesFile, l.n+1, err)
		}
		l.stored = append(l.stored, hs...)
		l.leaves = append(l.leaves, tlog.RecordHash(body))
		off += int64(len(line))
		l.offsets = append(l.offsets, off)
		l.n++
	}
	data, err := os.ReadFile(filepath.Join(dir, ledger.CheckpointsFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("lockcopy: %w", err)
	}
	if l.latest, err = lastCheckpoint(data); err != nil {
		return nil, fmt.Errorf("lockcopy: %s: %v; run `retentiond verify`", filepath.Join(dir, ledger.CheckpointsFile), err)
	}
	return l, nil
}

// treeHash returns the hash of the tree of the first n lines.
func (l *local) treeHash(n int64) (tlog.Hash, error) {
	return tlog.TreeHash(n, l.stored)
}

// lines returns the bytes of lines first to last (newlines included),
// read again from the file and checked against the hashes read before, so
// that a file changed in between is not uploaded.
func (l *local) lines(first, last int64) ([]byte, error) {
	f, err := os.Open(filepath.Join(l.dir, ledger.EntriesFile))
	if err != nil {
		return nil, fmt.Errorf("lockcopy: %w", err)
	}
	defer f.Close()
	b := make([]byte, l.offsets[last+1]-l.offsets[first])
	if _, err := f.ReadAt(b, l.offsets[first]); err != nil {
		return nil, fmt.Errorf("lockcopy: reading %s: %w", ledger.EntriesFile, err)
	}
	if bad := l.check(first, last, b); bad >= 0 {
		return nil, fmt.Errorf("lockcopy: %s line %d changed while it was being copied: run `retentiond verify`", ledger.EntriesFile, bad+1)
	}
	return b, nil
}

// check compares data, an entries object, with the local lines first to
// last. It returns the index of the first line that differs, is missing
// locally, is cut short or is one too many, or -1 if all match.
func (l *local) check(first, last int64, data []byte) int64 {
	lines, complete := splitLines(data)
	for k, line := range lines {
		i := first + int64(k)
		if i > last || i >= l.n || tlog.RecordHash(line) != l.leaves[i] {
			return i
		}
	}
	if n := first + int64(len(lines)); !complete || n <= last {
		return n
	}
	return -1
}

// splitLines splits an entries object into its lines (without newlines);
// ok is false if the last line has no newline.
func splitLines(data []byte) (lines [][]byte, ok bool) {
	for len(data) > 0 {
		nl := bytes.IndexByte(data, '\n')
		if nl < 0 {
			return lines, false
		}
		lines = append(lines, data[:nl])
		data = data[nl+1:]
	}
	return lines, true
}

const (
	headerPrefix = "checkpoint " // ledger's checkpoints file block header
	sigPrefix    = "— "          // a note's signature line
)

// lastCheckpoint returns the last complete block of a checkpoints file
// (see the ledger package's checkpoint.go for the layout), or nil if there
// is none. As the ledger does, it leaves out a last block cut short by an
// interrupted write.
func lastCheckpoint(data []byte) (*localCheckpoint, error) {
	var (
		last       *localCheckpoint
		text, sigs []string
		lineNo     int
		blockLine  int
		inSigs     bool
	)
	finish := func() error {
		if len(text) == 0 || len(sigs) == 0 {
			return fmt.Errorf("line %d: checkpoint block without text or signature", blockLine)
		}
		t := strings.Join(text, "")
		tree, err := parseTreeText(t)
		if err != nil {
			return fmt.Errorf("line %d: %v", blockLine, err)
		}
		last = &localCheckpoint{msg: []byte(t + "\n" + strings.Join(sigs, "")), tree: tree}
		return nil
	}
	complete := bytes.HasSuffix(data, []byte("\n")) || len(data) == 0
	if !complete {
		cut := data[bytes.LastIndexByte(data, '\n')+1:]
		// The start of the next header after a complete block.
		complete = bytes.HasPrefix([]byte(headerPrefix), cut) || bytes.HasPrefix(cut, []byte(headerPrefix))
		data = data[:len(data)-len(cut)]
	}
	started := false
	for line := range strings.Lines(string(data)) {
		lineNo++
		switch {
		case strings.HasPrefix(line, headerPrefix):
			if started {
				if err := finish(); err != nil {
					return nil, err
				}
			}
			started, inSigs, blockLine = true, false, lineNo
			text, sigs = text[:0], sigs[:0]
		case !started:
			return nil, fmt.Errorf("line %d: expected a %q header", lineNo, headerPrefix+"N")
		case inSigs:
			if !strings.HasPrefix(line, sigPrefix) {
				return nil, fmt.Errorf("line %d: expected a signature line", lineNo)
			}
			sigs = append(sigs, line)
		case line == "\n":
			inSigs = true
		default:
			text = append(text, line)
		}
	}
	if started && complete && inSigs && len(sigs) > 0 {
		if err := finish(); err != nil {
			return nil, err
		}
	}
	return last, nil
}

// parseTreeText parses a checkpoint's note text, "<log name>\n<size>\n<base64
// root hash>\n", strictly, as the ledger package writes it.
func parseTreeText(text string) (tlog.Tree, error) {
	lines := strings.Split(text, "\n")
	if len(lines) != 4 || lines[3] != "" || lines[0] == "" {
		return tlog.Tree{}, errors.New("note text is not three lines (log name, tree size, root hash)")
	}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || n < 0 || lines[1] != strconv.FormatInt(n, 10) {
		return tlog.Tree{}, errors.New("note text: tree size is not a number")
	}
	h, err := tlog.ParseHash(lines[2])
	if err != nil || lines[2] != h.String() {
		return tlog.Tree{}, errors.New("note text: root hash is not a base64 SHA-256 hash")
	}
	return tlog.Tree{N: n, Hash: h}, nil
}
