package ledger

import (
	"sync"
	"testing"
	"time"
)

// TestVerifyWhileSigning: Verify takes no lock, and the daemon verifies
// the ledger each night while an apply from the command line may be
// appending and signing checkpoints. A ledger that is only being written,
// never tampered with, must verify at every moment: an entry whose stored
// hashes are written after Verify read the line is no "entries were
// lost", and a checkpoint signed between Verify's reads of the
// high-water mark and of the checkpoints is no "mark replaced with an
// earlier one".
func TestVerifyWhileSigning(t *testing.T) {
	s, v := newKey(t, testName)
	dir := build(t, s, 3, 3)
	l, err := Open(dir, "", WithSigner(s))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // runs one after another: a few entries, then a checkpoint
		defer wg.Done()
		for i := 3; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := l.Append(entry(i)); err != nil {
				t.Error(err)
				return
			}
			if i%4 != 0 {
				continue
			}
			if _, err := l.Checkpoint(s); err != nil {
				t.Error(err)
				return
			}
			time.Sleep(20 * time.Millisecond) // the next run starts
		}
	}()
	deadline := time.Now().Add(3 * time.Second)
	runs, fails := 0, 0
	var first error
	for time.Now().Before(deadline) && fails < 5 {
		runs++
		if _, err := Verify(dir, v); err != nil {
			fails++
			if first == nil {
				first = err
			}
		}
	}
	close(stop)
	wg.Wait()
	if fails > 0 {
		t.Errorf("%d of %d verifications of a ledger only being written failed; the first: %v", fails, runs, first)
	}
}
