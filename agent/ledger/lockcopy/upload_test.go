package lockcopy

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/scanners/s3/s3test"
)

// TestUploadIncremental uploads after a first run and after a second:
// each time only the new lines and the new checkpoint go up, as they are
// in the ledger, and a third Upload with nothing new writes nothing.
func TestUploadIncremental(t *testing.T) {
	srv := s3test.Get(t)
	bucket := srv.LockBucket(t)
	s, v := newKey(t)
	dir := newLedger(t, s, 10)
	c, p := openCopier(t, srv, bucket, "org/ledger/")

	up := upload(t, c, dir)
	wantKeys := []string{"org/ledger/entries/0000000000000000-0000000000000009.jsonl", "org/ledger/checkpoints/0000000000000010.note"}
	if got := keysOf(up.Objects); !slices.Equal(got, wantKeys) || up.Lines != 10 || up.Copied != 10 || up.Checkpoint != 10 {
		t.Fatalf("first Upload = %+v, want objects %v, 10 lines, copied 10, checkpoint 10", up, wantKeys)
	}
	if got := p.take(); len(got) != 2 {
		t.Errorf("first Upload sent %d PUTs, want 2: %v", len(got), got)
	}

	grow(t, dir, s, 10, 15, "")
	up = upload(t, c, dir)
	wantKeys = []string{"org/ledger/entries/0000000000000010-0000000000000014.jsonl", "org/ledger/checkpoints/0000000000000015.note"}
	if got := keysOf(up.Objects); !slices.Equal(got, wantKeys) || up.Lines != 5 || up.Copied != 15 || up.Checkpoint != 15 {
		t.Fatalf("second Upload = %+v, want objects %v, 5 lines, copied 15, checkpoint 15", up, wantKeys)
	}
	if got := p.take(); len(got) != 2 {
		t.Errorf("second Upload sent %d PUTs, want 2: %v", len(got), got)
	}

	// The objects hold the ledger's bytes.
	lines := entryLines(t, dir)
	checkObject(t, srv, bucket, wantKeys[0], bytes.Join(lines[10:15], nil))
	cps, err := os.ReadFile(filepath.Join(dir, ledger.CheckpointsFile))
	if err != nil {
		t.Fatal(err)
	}
	_, last, _ := bytes.Cut(cps[bytes.LastIndex(cps, []byte("checkpoint 2\n")):], []byte("\n"))
	checkObject(t, srv, bucket, wantKeys[1], last)

	up = upload(t, c, dir)
	if len(up.Objects) != 0 || up.Lines != 0 || up.Copied != 15 {
		t.Errorf("Upload with nothing new = %+v, want nothing written", up)
	}
	if got := p.take(); len(got) != 0 {
		t.Errorf("Upload with nothing new sent PUTs: %v", got)
	}

	st, err := os.Stat(filepath.Join(dir, StateFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("state file: %v, mode %v; want 0600", err, st.Mode())
	}

	r := verify(t, c, dir, v)
	if !r.OK() || r.Err() != nil || r.EntriesCopied != 15 || r.EntryObjects != 2 || r.Checkpoints != 2 || r.LatestCopied != 15 || r.Local != 15 || r.NotCopied != 0 {
		t.Errorf("Verify of an intact ledger:\n%s%+v", r, r)
	}
	grow(t, dir, s, 15, 18, "")
	if r := verify(t, c, dir, v); !r.OK() || r.NotCopied != 3 || r.CopiedEnd != 15 {
		t.Errorf("Verify after appends: not copied %d, copied end %d, want 3, 15:\n%s", r.NotCopied, r.CopiedEnd, r)
	}
}

// TestUploadSplits cuts a long run into objects of at most maxObjectBytes.
func TestUploadSplits(t *testing.T) {
	srv := s3test.Get(t)
	bucket := srv.LockBucket(t)
	s, v := newKey(t)
	dir := newLedger(t, s, 25)
	defer func(old int64) { maxObjectBytes = old }(maxObjectBytes)
	lineLen := int64(len(entryLines(t, dir)[0]))
	maxObjectBytes = 4*lineLen + lineLen/2 // four lines an object
	c, _ := openCopier(t, srv, bucket, "")
	up := upload(t, c, dir)
	if len(up.Objects) != 8 || up.Lines != 25 { // 7 of entries, 1 checkpoint
		t.Fatalf("Upload wrote %v (%d lines), want 7 entries objects and a checkpoint", keysOf(up.Objects), up.Lines)
	}
	if want := "entries/0000000000000004-0000000000000007.jsonl"; up.Objects[1].Key != want {
		t.Errorf("second object %s, want %s", up.Objects[1].Key, want)
	}
	if r := verify(t, c, dir, v); !r.OK() || r.EntryObjects != 7 || r.EntriesCopied != 25 {
		t.Errorf("Verify:\n%s", r)
	}
}

// TestObjectsLocked checks that every object is locked in compliance mode
// for RetainDays, and that neither a delete by version id nor any other
// attempt gets through; Verify then reports the version VerifyImmutable
// wrote over a copy.
func TestObjectsLocked(t *testing.T) {
	srv := s3test.Get(t)
	bucket := srv.LockBucket(t)
	s, v := newKey(t)
	dir := newLedger(t, s, 5)
	c, _ := openCopier(t, srv, bucket, "l/")
	before := time.Now()
	up := upload(t, c, dir)
	after := time.Now()
	ctx := t.Context()
	for _, o := range up.Objects {
		if o.VersionID == "" {
			t.Fatalf("%s: no version id", o.Key)
		}
		out, err := srv.Client().GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: &bucket, Key: aws.String(o.Key), VersionId: aws.String(o.VersionID)})
		if err != nil {
			t.Fatalf("%s: GetObjectRetention: %v", o.Key, err)
		}
		until := aws.ToTime(out.Retention.RetainUntilDate)
		if out.Retention.Mode != types.ObjectLockRetentionModeCompliance || until.Before(before.Add(30*24*time.Hour).Add(-time.Second)) || until.After(after.Add(30*24*time.Hour).Add(time.Second)) {
			t.Errorf("%s: retention %s until %v, want COMPLIANCE until 30 days from now", o.Key, out.Retention.Mode, until)
		}
		_, err = srv.Client().DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String(o.Key), VersionId: aws.String(o.VersionID)})
		if err == nil {
			t.Errorf("%s: deleting the version succeeded", o.Key)
		}
	}
	key := up.Objects[0].Key
	if err := srv.VerifyImmutable(ctx, bucket, key, up.Objects[0].VersionID, bytes.Join(entryLines(t, dir), nil)); err != nil {
		t.Error(err)
	}
	r := verify(t, c, dir, v)
	want := []Problem{{Kind: Malformed, Index: 0, Count: 1, Key: key}, {Kind: Overwritten, Index: 0, Count: 1, Key: key}}
	if !slices.Equal(r.Problems, want) || r.EntriesCopied != 5 {
		t.Errorf("Verify after a copy was written over: %v, want %v; the original still counts (5 lines):\n%s", r.Problems, want, r)
	}
}

// TestOpenRefusesWithoutLock opens buckets with and without Object Lock.
func TestOpenRefusesWithoutLock(t *testing.T) {
	srv := s3test.Get(t)
	for _, tc := range []struct {
		name   string
		bucket string
		noLock bool
	}{
		{"plain", srv.PlainBucket(t), true},
		{"versioned", srv.VersionedBucket(t), true},
		{"lock", srv.LockBucket(t), false},
		{"compliance", srv.ComplianceBucket(t, 1), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(t.Context(), testConfig(srv, tc.bucket, ""))
			if tc.noLock != errors.Is(err, ErrNoObjectLock) || !tc.noLock && err != nil {
				t.Errorf("Open: %v; want ErrNoObjectLock: %v", err, tc.noLock)
			}
		})
	}
	_, err := Open(t.Context(), testConfig(srv, "no-such-bucket-here", ""))
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("Open of a missing bucket: %v", err)
	}
}

// TestUploadResumes interrupts Uploads by losing or rolling back the
// state file: the next Upload writes nothing twice, and no key ever holds
// two versions.
func TestUploadResumes(t *testing.T) {
	srv := s3test.Get(t)
	bucket := srv.LockBucket(t)
	s, v := newKey(t)
	dir := newLedger(t, s, 10)
	c, p := openCopier(t, srv, bucket, "r/")
	upload(t, c, dir)
	statePath := filepath.Join(dir, StateFile)
	first, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatal(err)
	}
	p.take()

	// The state is lost: found again by listing.
	if err := os.Remove(statePath); err != nil {
		t.Fatal(err)
	}
	if up := upload(t, c, dir); len(up.Objects) != 0 || up.Copied != 10 || up.Checkpoint != 10 {
		t.Errorf("Upload without state = %+v, want nothing written", up)
	}

	// A crash after the PUTs, before the state was saved: the state is
	// the one from before.
	grow(t, dir, s, 10, 14, "")
	upload(t, c, dir)
	if got := p.take(); len(got) != 2 {
		t.Fatalf("Upload sent %v, want 2 PUTs", got)
	}
	if err := os.WriteFile(statePath, first, 0o600); err != nil {
		t.Fatal(err)
	}
	grow(t, dir, s, 14, 16, "")
	up := upload(t, c, dir)
	wantKeys := []string{"r/entries/0000000000000014-0000000000000015.jsonl", "r/checkpoints/0000000000000016.note"}
	if !slices.Equal(keysOf(up.Objects), wantKeys) || up.Resumed != 1 || up.Copied != 16 {
		t.Errorf("resumed Upload = %+v, want objects %v after adopting one range", up, wantKeys)
	}
	if got := p.take(); len(got) != 2 {
		t.Errorf("resumed Upload sent %v, want 2 PUTs", got)
	}

	// A crash between the entries and the checkpoint of a run.
	st, _, _ := loadState(dir)
	st.Checkpoint = 0
	if err := saveState(dir, st); err != nil {
		t.Fatal(err)
	}
	if up := upload(t, c, dir); len(up.Objects) != 0 || up.Checkpoint != 16 {
		t.Errorf("Upload after a lost checkpoint note = %+v, want nothing written", up)
	}

	for _, ver := range srv.ListVersions(t, bucket, "r/") {
		for _, other := range srv.ListVersions(t, bucket, ver.Key) {
			if other.VersionID != ver.VersionID {
				t.Errorf("%s has two versions", ver.Key)
			}
		}
	}
	if r := verify(t, c, dir, v); !r.OK() || r.EntriesCopied != 16 || r.EntryObjects != 3 {
		t.Errorf("Verify:\n%s", r)
	}
}

// TestUploadRefusesDivergence runs Upload on ledgers whose history differs
// from what was copied: it must fail with ErrDiverged and write nothing.
func TestUploadRefusesDivergence(t *testing.T) {
	srv := s3test.Get(t)
	bucket := srv.LockBucket(t)
	s, _ := newKey(t)
	dir := newLedger(t, s, 6)
	c, p := openCopier(t, srv, bucket, "")
	upload(t, c, dir)
	statePath := filepath.Join(dir, StateFile)

	// The same first lines, then another history, uploaded after a
	// crash that lost the state of the original's second Upload.
	fork := copyDir(t, dir)
	grow(t, dir, s, 6, 9, "")
	upload(t, c, dir)
	grow(t, fork, s, 6, 10, "fork")

	// Another history from the start, with the original's state.
	other := filepath.Join(t.TempDir(), "ledger")
	grow(t, other, s, 0, 12, "other")
	b, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, StateFile), b, 0o600); err != nil {
		t.Fatal(err)
	}

	// Lines removed: shorter than the copies, with or without state.
	short := copyDir(t, dir)
	writeLines(t, short, entryLines(t, short)[:4])
	os.Remove(filepath.Join(short, ledger.CheckpointsFile))
	shortNoState := copyDir(t, short)
	os.Remove(filepath.Join(shortNoState, StateFile))
	shortOldState := copyDir(t, short)
	writeLines(t, shortOldState, entryLines(t, dir)[:5])
	if err := saveState(shortOldState, state{Bucket: bucket, Entries: 3}); err != nil {
		t.Fatal(err)
	}

	forkNoState := copyDir(t, fork)
	os.Remove(filepath.Join(forkNoState, StateFile))

	p.take()
	for name, d := range map[string]string{"fork": fork, "fork without state": forkNoState, "other": other, "short": short, "short without state": shortNoState, "short with old state": shortOldState} {
		_, err := c.Upload(t.Context(), d)
		if !errors.Is(err, ErrDiverged) {
			t.Errorf("%s: Upload: %v, want ErrDiverged", name, err)
		}
		noContent(t, err.Error(), entryLines(t, d))
	}
	if got := p.take(); len(got) != 0 {
		t.Errorf("Uploads of diverged ledgers sent PUTs: %v", got)
	}

	// A ledger whose checkpoint does not match its entries.
	bad := copyDir(t, dir)
	lines := entryLines(t, bad)
	lines[2] = bytes.Replace(lines[2], []byte("child-dossier"), []byte("child-dossiex"), 1)
	writeLines(t, bad, lines)
	if _, err := c.Upload(t.Context(), bad); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("Upload of a damaged ledger: %v", err)
	}
}

// TestStateFileMissingDir checks the state's write errors name the file.
func TestStateFile(t *testing.T) {
	dir := t.TempDir()
	if _, found, err := loadState(dir); found || err != nil {
		t.Errorf("loadState of nothing: found %v, %v", found, err)
	}
	want := state{Bucket: "b", Prefix: "p/", Entries: 3, EntriesHash: "h", Checkpoint: 2}
	if err := saveState(dir, want); err != nil {
		t.Fatal(err)
	}
	if got, found, err := loadState(dir); !found || err != nil || got != want {
		t.Errorf("loadState = %+v, %v, %v; want %+v", got, found, err, want)
	}
	os.WriteFile(filepath.Join(dir, StateFile), []byte("{garbage"), 0o600)
	if _, found, err := loadState(dir); found || err != nil {
		t.Errorf("loadState of garbage: found %v, %v; want a rebuild", found, err)
	}
	err := saveState(filepath.Join(dir, "missing"), want)
	if err == nil || !strings.Contains(err.Error(), StateFile) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("saveState into a missing dir: %v", err)
	}
}

func keysOf(objs []Object) []string {
	var keys []string
	for _, o := range objs {
		keys = append(keys, o.Key)
	}
	return keys
}

// checkObject checks an object's current content.
func checkObject(t testing.TB, srv *s3test.Server, bucket, key string, want []byte) {
	t.Helper()
	out, err := srv.Client().GetObject(t.Context(), &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	defer out.Body.Close()
	var got bytes.Buffer
	got.ReadFrom(out.Body)
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("%s holds\n%q\nwant\n%q", key, got.Bytes(), want)
	}
}

// TestUploadNewPlace copies a ledger to a second prefix: a state file for
// another place does not count there, and everything is copied anew.
func TestUploadNewPlace(t *testing.T) {
	srv := s3test.Get(t)
	bucket := srv.LockBucket(t)
	s, v := newKey(t)
	dir := newLedger(t, s, 3)
	a, _ := openCopier(t, srv, bucket, "a/")
	upload(t, a, dir)
	b, p := openCopier(t, srv, bucket, "b/")
	up := upload(t, b, dir)
	if len(up.Objects) != 2 || up.Lines != 3 || len(p.take()) != 2 {
		t.Errorf("Upload to a new prefix = %+v, want all 3 lines and the checkpoint", up)
	}
	if r := verify(t, b, dir, v); !r.OK() || r.EntriesCopied != 3 {
		t.Errorf("Verify of the new prefix:\n%s", r)
	}
	// Without a state file, a listing finds the copies; the state it
	// makes saves the next Upload from listing everything.
	os.Remove(filepath.Join(dir, StateFile))
	if up := upload(t, b, dir); len(up.Objects) != 0 {
		t.Errorf("Upload without state wrote %v", keysOf(up.Objects))
	}
	if st, found, err := loadState(dir); !found || err != nil || st.Entries != 3 || st.Checkpoint != 3 || st.Prefix != "b/" || st.EntriesHash == "" {
		t.Errorf("state after a rebuild: %+v, %v, %v", st, found, err)
	}
}

// TestManyObjects pages through more than 1,000 versions, where
// versitygw v1.8.0 repeats entries between pages.
func TestManyObjects(t *testing.T) {
	if testing.Short() {
		t.Skip("1,100 objects")
	}
	srv := s3test.Get(t)
	bucket := srv.LockBucket(t)
	s, v := newKey(t)
	dir := newLedger(t, s, 1100)
	defer func(old int64) { maxObjectBytes = old }(maxObjectBytes)
	maxObjectBytes = 1 // a line an object
	c, _ := openCopier(t, srv, bucket, "many/")
	if up := upload(t, c, dir); len(up.Objects) != 1101 {
		t.Fatalf("Upload wrote %d objects, want 1,101", len(up.Objects))
	}
	vs, err := c.versions(t.Context())
	if err != nil || len(vs) != 1101 {
		t.Errorf("versions: %d, %v; want 1,101, each once", len(vs), err)
	}
	r := verify(t, c, dir, v)
	if !r.OK() || r.EntryObjects != 1100 || r.EntriesCopied != 1100 || r.CheckpointObjects != 1 {
		t.Errorf("Verify:\n%s", r)
	}
}

// TestUploadSignedLinesOnly: lines after the latest checkpoint are not
// copied: a line someone appended by hand (which the ledger never signs)
// must not reach the locked copies, nor may an apply's tail before its
// checkpoint signs it.
func TestUploadSignedLinesOnly(t *testing.T) {
	srv := s3test.Get(t)
	bucket := srv.LockBucket(t)
	s, _ := newKey(t)
	dir := newLedger(t, s, 4)
	c, _ := openCopier(t, srv, bucket, "")
	upload(t, c, dir)
	lines := entryLines(t, dir)
	forged := bytes.Replace(lines[3], []byte("child 3"), []byte("child 9"), 1)
	writeLines(t, dir, append(lines, forged))
	up := upload(t, c, dir)
	if up.Lines != 0 || up.Copied != 4 || len(up.Objects) != 0 {
		t.Fatalf("Upload with an unsigned line = %+v, want nothing copied", up)
	}
}
