package ledger

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/tlog"
)

// A checkpoint is one signed tree head in the checkpoints file.
//
// The file is a sequence of blocks, each a header line "checkpoint <seq>"
// (seq counting from 1) followed by a signed note as note.Sign writes it:
//
//	checkpoint 1
//	retentiond/kinderopvang-voorbeeld
//	20
//	<base64 root hash>
//
//	— retentiond/kinderopvang-voorbeeld <base64 key hash and signature>
//
// The note text is the log name, the tree size and the tree hash, one per
// line (the C2SP tlog-checkpoint and Go checksum database layout). A note
// ends with its signature lines, which start with "— ", so the next
// header line is unambiguous.
type checkpoint struct {
	seq  int       // 1, 2, …
	line int       // line of the header in the checkpoints file
	name string    // log name, unverified until note.Open
	tree tlog.Tree // unverified until note.Open
	msg  []byte    // the signed note
	sigs []string  // "name+hash" of each signature line
}

const headerPrefix = "checkpoint "

// treeText returns the note text for tree in the log called name.
func treeText(name string, t tlog.Tree) string {
	return fmt.Sprintf("%s\n%d\n%s\n", name, t.N, t.Hash)
}

// parseTreeText parses a note text written by treeText, strictly.
func parseTreeText(text string) (name string, t tlog.Tree, err error) {
	lines := strings.Split(text, "\n")
	if len(lines) != 4 || lines[3] != "" {
		return "", t, errors.New("note text is not three lines (log name, tree size, root hash)")
	}
	if !validName(lines[0]) {
		return "", t, errors.New("note text: log name is not valid")
	}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || n < 0 || lines[1] != strconv.FormatInt(n, 10) {
		return "", t, errors.New("note text: tree size is not a number")
	}
	h, err := tlog.ParseHash(lines[2])
	if err != nil || lines[2] != h.String() {
		return "", t, errors.New("note text: root hash is not a base64 SHA-256 hash")
	}
	return lines[0], tlog.Tree{N: n, Hash: h}, nil
}

// validName reports whether name can be a log name: like a note key name,
// non-empty UTF-8 without spaces or "+".
func validName(name string) bool {
	return name != "" && utf8.ValidString(name) && !strings.ContainsRune(name, '+') &&
		strings.IndexFunc(name, unicode.IsSpace) < 0
}

// parseCheckpoints splits the checkpoints file into blocks. complete is
// the length of the prefix made of complete blocks; anything after it is
// an interrupted write (a block cut short at the end of the file). Text
// that is not a prefix of a valid block is an error naming the line.
func parseCheckpoints(data []byte) (cps []checkpoint, complete int64, err error) {
	const (
		wantHeader = iota
		inText
		inSigs
	)
	state := wantHeader
	var cur checkpoint
	var text, sigs bytes.Buffer
	blockStart := 0
	finish := func() error {
		cur.msg = append(append(append([]byte(nil), text.Bytes()...), '\n'), sigs.Bytes()...)
		name, t, err := parseTreeText(text.String())
		if err != nil {
			return fmt.Errorf("checkpoints line %d: checkpoint %d: %v", cur.line, cur.seq, err)
		}
		cur.name, cur.tree = name, t
		cps = append(cps, cur)
		return nil
	}
	off, lineNo := 0, 0
	for off < len(data) {
		nl := bytes.IndexByte(data[off:], '\n')
		if nl < 0 {
			break // a last line without its newline: interrupted
		}
		line := string(data[off : off+nl])
		lineNo++
		if state == inSigs && strings.HasPrefix(line, headerPrefix) {
			if sigs.Len() == 0 {
				// Only the last block can lack its signatures (cut by a
				// crash); one followed by another was never signed.
				return nil, 0, fmt.Errorf("checkpoints line %d: checkpoint %d has no signature", lineNo, cur.seq)
			}
			if err := finish(); err != nil {
				return nil, 0, err
			}
			state = wantHeader
		}
		switch state {
		case wantHeader:
			want := headerPrefix + strconv.Itoa(len(cps)+1)
			if line != want {
				return nil, 0, fmt.Errorf("checkpoints line %d: expected %q", lineNo, want)
			}
			cur = checkpoint{seq: len(cps) + 1, line: lineNo}
			text.Reset()
			sigs.Reset()
			blockStart = off
			state = inText
		case inText:
			if line == "" {
				if text.Len() == 0 {
					return nil, 0, fmt.Errorf("checkpoints line %d: checkpoint %d has no text", lineNo, cur.seq)
				}
				state = inSigs
				break
			}
			text.WriteString(line + "\n")
		case inSigs:
			rest, ok := strings.CutPrefix(line, "— ")
			name, _, ok2 := strings.Cut(rest, " ")
			if !ok || !ok2 {
				return nil, 0, fmt.Errorf("checkpoints line %d: expected a signature line (\"— NAME SIGNATURE\") or %q", lineNo, headerPrefix+strconv.Itoa(cur.seq+1))
			}
			cur.sigs = append(cur.sigs, sigKey(name, rest[len(name)+1:]))
			sigs.WriteString(line + "\n")
		}
		off += nl + 1
	}
	complete = int64(blockStart)
	done := state == inSigs && sigs.Len() > 0
	switch {
	case off < len(data):
		// A last line without its newline. After a complete block it may
		// be the start of the next header; otherwise it cuts the block.
		partial := data[off:]
		if state == wantHeader || done && (bytes.HasPrefix([]byte(headerPrefix), partial) || bytes.HasPrefix(partial, []byte(headerPrefix))) {
			complete = int64(off)
		}
	case state == wantHeader:
		complete = int64(off)
	case done:
		complete = int64(off)
	}
	if done && complete == int64(off) {
		if err := finish(); err != nil {
			return nil, 0, err
		}
	}
	return cps, complete, nil
}

// sigKey returns "name+hash" for a signature line's name and base64
// signature (the first four bytes are the key hash), or the name alone if
// the signature does not decode; note.Open judges it properly later.
func sigKey(name, b64 string) string {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) < 4 {
		return name
	}
	return fmt.Sprintf("%s+%02x%02x%02x%02x", name, raw[0], raw[1], raw[2], raw[3])
}
