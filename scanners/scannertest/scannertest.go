// Package scannertest is the conformance suite that every scanners.Store
// passes, in the manner of gocloud.dev's drivertest and rclone's fstests: a
// store's test file supplies only a Harness and calls RunConformance.
//
// The suite checks the contract in scanners.Store's doc comments: what Scan
// lists, that IDs and versions are stable, that Version changes with the
// content, what Stat, Open and Delete do with present, missing, folder and
// escaping IDs, that a callback error or a cancelled context stops a scan,
// and that errors do not repeat the names in an ID.
package scannertest

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/retentiond/retentiond/scanners"
)

// Harness makes stores for the suite. It must not depend on a store living
// on the local disk: a harness may serve a store over an in-process HTTP or
// S3 server.
type Harness interface {
	// Make returns a fresh store holding exactly these files (IDs as keys,
	// content as values) and nothing else. Folders are implied by the IDs.
	// A nil or empty map makes an empty store. The harness cleans up with
	// t.Cleanup.
	Make(t *testing.T, files map[string][]byte) scanners.Store
	// Write changes or creates the file id in s behind the store's back,
	// as another program or user would. Time passes between writes in real
	// life: a harness whose store derives Version from a timestamp must
	// make sure the new timestamp differs from the old one.
	Write(t *testing.T, s scanners.Store, id string, data []byte)
}

// personal is the name the suite puts in IDs to check that errors do not
// repeat it.
const personal = "Jansen, Piet"

// Seed returns the files every subtest starts from: nested folders, an
// empty file, a dotfile, and names with spaces, commas and diacritics. Each
// file has a different size so that a swapped size shows.
func Seed() map[string][]byte {
	return map[string][]byte{
		"top.txt":                  []byte("top level file"),
		"empty.txt":                {},
		".dotfile":                 []byte("dotfiles are records too"),
		"a/b/c/deep.txt":           []byte("three folders deep"),
		"a/b/sibling.txt":          []byte("beside folder c, a bit longer"),
		personal + "/intake é.pdf": []byte("%PDF-1.4 intake form of a child"),
		personal + "/Contracten/contract 2019.docx": []byte("PK contract for 2019, with some more bytes"),
		"with space/file name, with comma.txt":      []byte("spaces and commas in the name ........"),
	}
}

// RunConformance runs the conformance suite against the stores h makes.
func RunConformance(t *testing.T, h Harness) {
	t.Helper()
	tests := []struct {
		name string
		run  func(*testing.T, Harness)
	}{
		{"ScanListsSeededFiles", testScanListsSeeded},
		{"EmptyStore", testEmptyStore},
		{"IDsAndVersionsStable", testStable},
		{"StatMatchesScan", testStatMatchesScan},
		{"StatMissing", testStatMissing},
		{"FoldersAreNotRecords", testFolders},
		{"OpenReturnsContent", testOpen},
		{"VersionChangesOnWrite", testVersionChanges},
		{"WriteCreatesFile", testWriteCreates},
		{"Delete", testDelete},
		{"OutsideRoot", testOutsideRoot},
		{"CallbackErrorStopsScan", testCallbackError},
		{"CancelledContextStopsScan", testCancelled},
		{"CancelDuringScan", testCancelDuringScan},
		{"ConcurrentStatDuringScan", testConcurrent},
		{"ErrorsHoldNoNames", testErrorsHoldNoNames},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, h) })
	}
}

func testScanListsSeeded(t *testing.T, h Harness) {
	files := Seed()
	s := h.Make(t, files)
	got := MustCollect(t, s)
	if !slices.Equal(sortedKeys(got), sortedKeys(files)) {
		t.Fatalf("Scan listed %q, want %q", sortedKeys(got), sortedKeys(files))
	}
	for id, r := range got {
		if r.ID != id {
			t.Errorf("record listed under %q has ID %q", id, r.ID)
		}
		if r.Kind != scanners.KindFile {
			t.Errorf("%q: Kind = %q, want %q", id, r.Kind, scanners.KindFile)
		}
		if want := int64(len(files[id])); r.Size != want {
			t.Errorf("%q: Size = %d, want %d", id, r.Size, want)
		}
		if r.Version == "" {
			t.Errorf("%q: empty Version", id)
		}
		if r.ModTime.IsZero() {
			t.Errorf("%q: zero ModTime", id)
		}
		if r.Archive != "" {
			t.Errorf("%q: Archive = %q, want empty", id, r.Archive)
		}
	}
}

func testEmptyStore(t *testing.T, h Harness) {
	for _, files := range []map[string][]byte{nil, {}} {
		s := h.Make(t, files)
		n := 0
		err := s.Scan(t.Context(), func(scanners.Record) error { n++; return nil })
		if err != nil || n != 0 {
			t.Errorf("Scan of an empty store: %d records, error %v; want none, nil", n, err)
		}
	}
}

func testStable(t *testing.T, h Harness) {
	s := h.Make(t, Seed())
	first := MustCollect(t, s)
	second := MustCollect(t, s)
	if !slices.Equal(sortedKeys(first), sortedKeys(second)) {
		t.Fatalf("IDs changed between scans: %q then %q", sortedKeys(first), sortedKeys(second))
	}
	for id, r := range first {
		if second[id].Version != r.Version {
			t.Errorf("%q: Version changed between scans without a write: %q then %q", id, r.Version, second[id].Version)
		}
	}
}

func testStatMatchesScan(t *testing.T, h Harness) {
	s := h.Make(t, Seed())
	for id, want := range MustCollect(t, s) {
		got, err := s.Stat(t.Context(), id)
		if err != nil {
			t.Errorf("Stat(%q): %v", id, err)
			continue
		}
		if !SameRecord(got, want) {
			t.Errorf("Stat(%q) = %+v, Scan listed %+v", id, got, want)
		}
	}
}

func testStatMissing(t *testing.T, h Harness) {
	s := h.Make(t, Seed())
	for _, id := range []string{"missing.txt", "no/such/folder.txt", "a/b/missing.txt", "top.txt/child", "TOP.TXT.missing"} {
		if _, err := s.Stat(t.Context(), id); !errors.Is(err, scanners.ErrNotFound) {
			t.Errorf("Stat(%q) error = %v, want ErrNotFound", id, err)
		}
		if rc, err := s.Open(t.Context(), id); !errors.Is(err, scanners.ErrNotFound) {
			if err == nil {
				rc.Close()
			}
			t.Errorf("Open(%q) error = %v, want ErrNotFound", id, err)
		}
	}
}

// testFolders guards against a Delete of a folder ID removing what is in
// it: folders are never records.
func testFolders(t *testing.T, h Harness) {
	files := Seed()
	s := h.Make(t, files)
	for _, id := range []string{"a", "a/b", "a/b/c", personal, personal + "/Contracten"} {
		if _, err := s.Stat(t.Context(), id); !errors.Is(err, scanners.ErrNotFound) {
			t.Errorf("Stat(folder %q) error = %v, want ErrNotFound", id, err)
		}
		if rc, err := s.Open(t.Context(), id); !errors.Is(err, scanners.ErrNotFound) {
			if err == nil {
				rc.Close()
			}
			t.Errorf("Open(folder %q) error = %v, want ErrNotFound", id, err)
		}
		if err := s.Delete(t.Context(), id); !errors.Is(err, scanners.ErrNotFound) {
			t.Errorf("Delete(folder %q) error = %v, want ErrNotFound", id, err)
		}
	}
	assertIDs(t, s, sortedKeys(files))
}

func testOpen(t *testing.T, h Harness) {
	files := Seed()
	s := h.Make(t, files)
	for id, want := range files {
		got, err := ReadAll(t.Context(), s, id)
		if err != nil {
			t.Errorf("Open(%q): %v", id, err)
			continue
		}
		if string(got) != string(want) {
			t.Errorf("Open(%q) read %q, want %q", id, got, want)
		}
	}
}

func testVersionChanges(t *testing.T, h Harness) {
	files := Seed()
	s := h.Make(t, files)
	before := MustCollect(t, s)
	const grown, same = "top.txt", "a/b/c/deep.txt"
	newGrown := []byte("top level file, now with more text")
	newSame := []byte(strings.ToUpper(string(files[same]))) // same size
	h.Write(t, s, grown, newGrown)
	h.Write(t, s, same, newSame)
	after := MustCollect(t, s)
	for id, b := range before {
		a, ok := after[id]
		switch {
		case !ok:
			t.Errorf("%q disappeared after a write to another file", id)
		case id == grown || id == same:
			if a.Version == b.Version {
				t.Errorf("%q: Version %q unchanged after its content changed", id, a.Version)
			}
		case a.Version != b.Version:
			t.Errorf("%q: Version changed from %q to %q though only other files were written", id, b.Version, a.Version)
		}
	}
	if got := after[grown].Size; got != int64(len(newGrown)) {
		t.Errorf("%q: Size after write = %d, want %d", grown, got, len(newGrown))
	}
	for id, want := range map[string][]byte{grown: newGrown, same: newSame} {
		r, err := s.Stat(t.Context(), id)
		if err != nil || r.Version != after[id].Version {
			t.Errorf("Stat(%q) after write = %q, %v; want Version %q as Scan listed", id, r.Version, err, after[id].Version)
		}
		got, err := ReadAll(t.Context(), s, id)
		if err != nil || string(got) != string(want) {
			t.Errorf("Open(%q) after write read %q, %v; want %q", id, got, err, want)
		}
	}
}

func testWriteCreates(t *testing.T, h Harness) {
	files := Seed()
	s := h.Make(t, files)
	const id = "new folder/created é.txt"
	h.Write(t, s, id, []byte("created later"))
	files[id] = []byte("created later")
	assertIDs(t, s, sortedKeys(files))
	if r, err := s.Stat(t.Context(), id); err != nil || r.Size != int64(len("created later")) {
		t.Errorf("Stat(%q) = %+v, %v", id, r, err)
	}
}

func testDelete(t *testing.T, h Harness) {
	files := Seed()
	s := h.Make(t, files)
	const id = personal + "/intake é.pdf"
	if err := s.Delete(t.Context(), id); err != nil {
		t.Fatalf("Delete(%q): %v", id, err)
	}
	if _, err := s.Stat(t.Context(), id); !errors.Is(err, scanners.ErrNotFound) {
		t.Errorf("Stat after Delete: error = %v, want ErrNotFound", err)
	}
	if rc, err := s.Open(t.Context(), id); !errors.Is(err, scanners.ErrNotFound) {
		if err == nil {
			rc.Close()
		}
		t.Errorf("Open after Delete: error = %v, want ErrNotFound", err)
	}
	if err := s.Delete(t.Context(), id); !errors.Is(err, scanners.ErrNotFound) {
		t.Errorf("second Delete: error = %v, want ErrNotFound", err)
	}
	if err := s.Delete(t.Context(), "never/existed.txt"); !errors.Is(err, scanners.ErrNotFound) {
		t.Errorf("Delete of a missing id: error = %v, want ErrNotFound", err)
	}
	delete(files, id)
	assertIDs(t, s, sortedKeys(files))
}

// EscapingIDs are IDs a store must refuse with ErrOutsideRoot. Several
// would name a seeded file if the store cleaned them.
var EscapingIDs = []string{
	"",
	".",
	"..",
	"../top.txt",
	"../../etc/passwd",
	"/etc/passwd",
	"/top.txt",
	"a/../../b",
	"a/../top.txt",
	"a/b/../../top.txt",
	"./top.txt",
	"a//b/sibling.txt",
	"a/b/./sibling.txt",
	"top.txt/",
	"a/b/c/..",
}

func testOutsideRoot(t *testing.T, h Harness) {
	files := Seed()
	s := h.Make(t, files)
	before := MustCollect(t, s)
	for _, id := range EscapingIDs {
		if _, err := s.Stat(t.Context(), id); !errors.Is(err, scanners.ErrOutsideRoot) {
			t.Errorf("Stat(%q) error = %v, want ErrOutsideRoot", id, err)
		}
		if rc, err := s.Open(t.Context(), id); !errors.Is(err, scanners.ErrOutsideRoot) {
			if err == nil {
				rc.Close()
			}
			t.Errorf("Open(%q) error = %v, want ErrOutsideRoot", id, err)
		}
		if err := s.Delete(t.Context(), id); !errors.Is(err, scanners.ErrOutsideRoot) {
			t.Errorf("Delete(%q) error = %v, want ErrOutsideRoot", id, err)
		}
	}
	after := MustCollect(t, s)
	for id, r := range before {
		if a, ok := after[id]; !ok || a.Version != r.Version {
			t.Errorf("%q changed or vanished after refused calls", id)
		}
	}
	if len(after) != len(before) {
		t.Errorf("store holds %d records after refused calls, want %d", len(after), len(before))
	}
}

func testCallbackError(t *testing.T, h Harness) {
	s := h.Make(t, Seed())
	stop := errors.New("stop here")
	calls := 0
	err := s.Scan(t.Context(), func(scanners.Record) error { calls++; return stop })
	if !errors.Is(err, stop) {
		t.Errorf("Scan returned %v, want the callback's error", err)
	}
	if calls != 1 {
		t.Errorf("callback called %d times after returning an error, want 1", calls)
	}
}

func testCancelled(t *testing.T, h Harness) {
	s := h.Make(t, Seed())
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	calls := 0
	err := s.Scan(ctx, func(scanners.Record) error { calls++; return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Scan with a cancelled context returned %v, want context.Canceled", err)
	}
	if calls != 0 {
		t.Errorf("callback called %d times with a cancelled context, want 0", calls)
	}
}

func testCancelDuringScan(t *testing.T, h Harness) {
	s := h.Make(t, Seed())
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	calls := 0
	err := s.Scan(ctx, func(scanners.Record) error { calls++; cancel(); return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Scan cancelled during the listing returned %v, want context.Canceled", err)
	}
	if calls != 1 {
		t.Errorf("callback called %d times, want 1: the scan must stop once the context is cancelled", calls)
	}
}

// testConcurrent calls Stat and Open from the callback and from another
// goroutine while a scan runs, as apply and archive listing do; run the
// suite with -race.
func testConcurrent(t *testing.T, h Harness) {
	files := Seed()
	s := h.Make(t, files)
	ctx := t.Context()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			for id := range files {
				if _, err := s.Stat(ctx, id); err != nil {
					t.Errorf("concurrent Stat(%q): %v", id, err)
					return
				}
			}
		}
	})
	n := 0
	err := s.Scan(ctx, func(r scanners.Record) error {
		n++
		if _, err := s.Stat(ctx, r.ID); err != nil {
			return err
		}
		_, err := ReadAll(ctx, s, r.ID)
		return err
	})
	close(done)
	wg.Wait()
	if err != nil || n != len(files) {
		t.Errorf("Scan with Stat and Open in the callback: %d records, error %v; want %d, nil", n, err, len(files))
	}
}

func testErrorsHoldNoNames(t *testing.T, h Harness) {
	s := h.Make(t, Seed())
	ids := []string{personal + "/missing.pdf", personal + "/../" + personal + "/intake é.pdf", personal}
	for _, id := range ids {
		var errs []error
		_, err := s.Stat(t.Context(), id)
		errs = append(errs, err)
		rc, err := s.Open(t.Context(), id)
		if err == nil {
			rc.Close()
		}
		errs = append(errs, err)
		errs = append(errs, s.Delete(t.Context(), id))
		for _, err := range errs {
			if err == nil {
				t.Errorf("no error for %q", id)
			} else if strings.Contains(err.Error(), "Jansen") || strings.Contains(err.Error(), "Piet") {
				t.Errorf("error for an id naming a person repeats the name: %v", err)
			}
		}
	}
}

func assertIDs(t *testing.T, s scanners.Store, want []string) {
	t.Helper()
	if got := sortedKeys(MustCollect(t, s)); !slices.Equal(got, want) {
		t.Errorf("Scan listed %q, want %q", got, want)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
