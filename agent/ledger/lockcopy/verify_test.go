package lockcopy

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/scanners/s3/s3test"
)

// TestVerifyDivergence alters copies of an uploaded ledger and checks
// that Verify names each change by index, and never quotes a line.
func TestVerifyDivergence(t *testing.T) {
	srv := s3test.Get(t)
	bucket := srv.LockBucket(t)
	s, v := newKey(t)
	dir := newLedger(t, s, 6)
	grow(t, dir, s, 6, 10, "")
	c, _ := openCopier(t, srv, bucket, "d/")
	upload(t, c, dir) // entries 0–9, checkpoint 10 (the one of size 6 was never copied)
	lines := entryLines(t, dir)
	extra := entryLines(t, newLedger(t, s, 1))[0]
	changed := func(i int) []byte {
		return bytes.Replace(lines[i], []byte("child-dossier"), []byte("child-dossiex"), 1)
	}
	cat := func(parts ...[][]byte) [][]byte { return slices.Concat(parts...) }
	cp10 := Problem{Kind: CheckpointMismatch, Index: 10, Count: 1, Key: "d/checkpoints/0000000000000010.note"}
	for _, tc := range []struct {
		name  string
		lines [][]byte
		want  []Problem
	}{
		{"intact", lines, nil},
		{"one more line", cat(lines, [][]byte{extra}), nil},
		{"changed", cat(lines[:3], [][]byte{changed(3)}, lines[4:]), []Problem{
			{Kind: Changed, Index: 3, Count: 1}, cp10,
		}},
		{"two changed", cat(lines[:3], [][]byte{changed(3), changed(4)}, lines[5:8], [][]byte{changed(8)}, lines[9:]), []Problem{
			{Kind: Changed, Index: 3, Count: 2}, {Kind: Changed, Index: 8, Count: 1}, cp10,
		}},
		{"dropped", cat(lines[:3], lines[4:]), []Problem{
			// The checkpoint of size 10 is past the end: Truncated says it.
			{Kind: Dropped, Index: 3, Count: 6}, {Kind: Truncated, Index: 9, Count: 1},
		}},
		{"inserted", cat(lines[:3], [][]byte{extra}, lines[3:]), []Problem{
			{Kind: Inserted, Index: 3, Count: 7}, cp10,
		}},
		{"swapped", cat(lines[:3], [][]byte{lines[4], lines[3]}, lines[5:]), []Problem{
			{Kind: Dropped, Index: 3, Count: 2}, cp10,
		}},
		{"truncated", lines[:7], []Problem{
			{Kind: Truncated, Index: 7, Count: 3},
		}},
		{"empty", nil, []Problem{
			{Kind: Truncated, Index: 0, Count: 10},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := copyDir(t, dir)
			writeLines(t, d, tc.lines)
			r := verify(t, c, d, v)
			if !slices.Equal(r.Problems, tc.want) {
				t.Errorf("Problems:\n%v\nwant\n%v\n%s", r.Problems, tc.want, r)
			}
			if (r.Err() == nil) != (tc.want == nil) || r.Err() != nil && !errors.Is(r.Err(), ErrDiverged) {
				t.Errorf("Err() = %v", r.Err())
			}
			if r.Local != int64(len(tc.lines)) || r.EntriesCopied != 10 {
				t.Errorf("Local %d, EntriesCopied %d; want %d, 10", r.Local, r.EntriesCopied, len(tc.lines))
			}
			noContent(t, r.String(), append(tc.lines, lines...))
		})
	}
}

// TestVerifyGap makes a hole in the copies by faking the state, as a lost
// object would leave; a later Upload without state fills it.
func TestVerifyGap(t *testing.T) {
	srv := s3test.Get(t)
	bucket := srv.LockBucket(t)
	s, v := newKey(t)
	dir := newLedger(t, s, 10)
	c, _ := openCopier(t, srv, bucket, "gap/")
	upload(t, c, dir)
	grow(t, dir, s, 10, 15, "")
	if err := saveState(dir, state{Bucket: bucket, Prefix: "gap/", Entries: 13, Checkpoint: 10}); err != nil {
		t.Fatal(err)
	}
	if up := upload(t, c, dir); up.Lines != 2 {
		t.Fatalf("Upload after the faked state copied %d lines, want 2", up.Lines)
	}
	r := verify(t, c, dir, v)
	want := []Problem{{Kind: Gap, Index: 10, Count: 3}}
	if !slices.Equal(r.Problems, want) || r.EntriesCopied != 12 || r.CopiedEnd != 15 {
		t.Errorf("Verify: %v, want %v, 12 lines copied up to 15:\n%s", r.Problems, want, r)
	}

	os.Remove(filepath.Join(dir, StateFile))
	up := upload(t, c, dir)
	if want := []string{"gap/entries/0000000000000010-0000000000000012.jsonl"}; !slices.Equal(keysOf(up.Objects), want) || up.Resumed != 1 {
		t.Errorf("Upload without state = %+v, want %v written and one range adopted", up, want)
	}
	if r := verify(t, c, dir, v); !r.OK() {
		t.Errorf("Verify after the gap was filled:\n%s", r)
	}
}

// TestVerifyTampering tampers with the bucket: a deleted copy, a forged
// checkpoint and a stray object.
func TestVerifyTampering(t *testing.T) {
	srv := s3test.Get(t)
	bucket := srv.LockBucket(t)
	s, v := newKey(t)
	dir := newLedger(t, s, 4)
	c, _ := openCopier(t, srv, bucket, "t/")
	up := upload(t, c, dir)
	entriesKey := up.Objects[0].Key
	srv.DeleteMarker(t, bucket, entriesKey)

	// A checkpoint signed with another key, and a stray object.
	other, _ := newKey(t)
	forged := newLedger(t, other, 4)
	cps, err := os.ReadFile(filepath.Join(forged, ledger.CheckpointsFile))
	if err != nil {
		t.Fatal(err)
	}
	_, msg, _ := bytes.Cut(cps, []byte("\n"))
	srv.Put(t, bucket, "t/checkpoints/0000000000000003.note", msg)
	srv.Put(t, bucket, "t/notes.txt", []byte("x"))

	r := verify(t, c, dir, v)
	want := []Problem{
		{Kind: DeleteMarker, Index: 0, Count: 1, Key: entriesKey},
		{Kind: Unexpected, Index: 0, Count: 1, Key: "t/notes.txt"},
		{Kind: BadSignature, Index: 3, Count: 1, Key: "t/checkpoints/0000000000000003.note"},
	}
	if !slices.Equal(r.Problems, want) || r.EntriesCopied != 4 || r.Checkpoints != 1 || r.CheckpointObjects != 2 {
		t.Errorf("Verify: %v\nwant %v, the hidden copy still checked:\n%s", r.Problems, want, r)
	}

	// Upload, having lost its state, sees the hidden copy as missing and
	// writes it again, equal: a second version, but no conflict.
	if srv.Sidecar {
		// versitygw v1.8.0 with sidecar metadata answers a PUT over a
		// delete marker with 405 MethodNotAllowed; AWS adds a version.
		t.Skip("versitygw with sidecar metadata refuses a PUT over a delete marker")
	}
	os.Remove(filepath.Join(dir, StateFile))
	if up := upload(t, c, dir); !slices.Equal(keysOf(up.Objects), []string{entriesKey}) {
		t.Errorf("Upload wrote %v, want the hidden range again", keysOf(up.Objects))
	}
	r = verify(t, c, dir, v)
	if !slices.Equal(r.Problems, want) {
		t.Errorf("Verify after the copy was written again: %v\nwant %v", r.Problems, want)
	}
}
