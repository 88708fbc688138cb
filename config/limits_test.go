package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestConfigTooLarge: a config of hundreds of megabytes once took
// gigabytes to parse; Load refuses a file over MaxConfigSize before
// parsing it.
func TestConfigTooLarge(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("organisation: X\n")
	for b.Len() <= MaxConfigSize {
		b.WriteString("# " + strings.Repeat("x", 76) + "\n")
	}
	path := write(t, dir, "retentiond.yaml", b.String())
	_, err := Load(path)
	ps := problems(t, err)
	if len(ps) != 1 || !strings.Contains(ps[0].Msg, "larger than") || ps[0].Fix == "" || ps[0].File != path {
		t.Fatalf("got %v", err)
	}
	// Just under the limit still loads.
	small := "organisation: X\n" + strings.Repeat("#"+strings.Repeat("x", 78)+"\n", (MaxConfigSize-100)/80)
	mustLoad(t, write(t, dir, "ok.yaml", small))
}

// TestConfigNotAFile: a device or a pipe given as --config is refused, not
// read until it ends.
func TestConfigNotAFile(t *testing.T) {
	_, err := Load(t.TempDir())
	ps := problems(t, err)
	if len(ps) != 1 || !strings.Contains(ps[0].Msg, "not a regular file") {
		t.Fatalf("got %v", err)
	}
}

// TestMergeKeyBomb: merge keys that each repeat the previous anchor ten
// times expand exponentially ("billion laughs"); Load stops early with an
// error instead of running for hours.
func TestMergeKeyBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("organisation: X\noverrides:\n  C0: &o0 {term: 1y}\n")
	for i := 1; i <= 9; i++ {
		refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*o%d, ", i-1), 10), ", ")
		fmt.Fprintf(&b, "  C%d: &o%d {<<: [%s]}\n", i, i, refs)
	}
	path := filepath.Join(t.TempDir(), "bomb.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := Load(path)
		done <- err
	}()
	select {
	case err := <-done:
		ps := problems(t, err)
		if len(ps) == 0 || !strings.Contains(err.Error(), "aliases") {
			t.Fatalf("got %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Load did not stop expanding the merge keys")
	}
}
