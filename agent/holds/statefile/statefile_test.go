package statefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestUpdate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	var seen [][]byte
	for _, next := range []string{"one\n", "two\n"} {
		err := Update(path, func(cur []byte) ([]byte, error) {
			seen = append(seen, cur)
			return []byte(next), nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if seen[0] != nil || string(seen[1]) != "one\n" {
		t.Errorf("Update passed %q, want nil then the first content", seen)
	}
	b, err := Read(path)
	if err != nil || string(b) != "two\n" {
		t.Errorf("Read = %q, %v, want the second content", b, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}

	// An error from fn leaves the file as it was and comes back unchanged.
	boom := errors.New("boom")
	if err := Update(path, func([]byte) ([]byte, error) { return []byte("three"), boom }); err != boom {
		t.Errorf("Update error %v, want fn's error", err)
	}
	if b, _ := Read(path); string(b) != "two\n" {
		t.Errorf("a failed Update changed the file to %q", b)
	}
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	if b, err := Read(filepath.Join(dir, "missing.json")); b != nil || err != nil {
		t.Errorf("Read of a missing file = %q, %v, want nil, nil", b, err)
	}
	empty := filepath.Join(dir, "empty.json")
	os.WriteFile(empty, []byte(" \n"), 0o600)
	if _, err := Read(empty); err == nil || !strings.Contains(err.Error(), empty) {
		t.Errorf("Read of an empty file: %v, want an error naming it", err)
	}
	if _, err := Read(dir); err == nil {
		t.Error("Read of a directory succeeded")
	}
}

// TestUpdateWaitsForLock checks that Update does not read or write while
// another writer holds the lock.
func TestUpdateWaitsForLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	unlock, err := lock(path+".lock", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- Update(path, func([]byte) ([]byte, error) { return []byte("x"), nil }) }()
	select {
	case err := <-done:
		t.Fatalf("Update finished (%v) while the lock was held", err)
	case <-time.After(200 * time.Millisecond):
	}
	unlock()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Update did not finish after the lock was released")
	}
}

func TestLockTimeout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json.lock")
	unlock, err := lock(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	start := time.Now()
	res := make(chan error, 1)
	go func() {
		_, err := lock(path, 100*time.Millisecond)
		res <- err
	}()
	select {
	case err = <-res:
	case <-time.After(5 * time.Second):
		t.Fatal("the second lock is still waiting after 5s: it should give up after 100ms")
	}
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), path) {
		t.Errorf("second lock: %v, want ErrLocked naming the lock file", err)
	}
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("gave up after %v, before the wait was over", d)
	}
}

func TestDecode(t *testing.T) {
	type doc struct {
		A int      `json:"a"`
		B []string `json:"b"`
	}
	tests := []struct {
		in, want string // want "" means accepted
	}{
		{`{"a": 1, "b": ["x"]}`, ""},
		{"{\"a\": 1}\n\n", ""},
		{`{"a": 1, "b": ["secret`, "ends too early"},
		{"{\n\"a\": 1,,}", "at line 2, column 8"},
		{`{"a": "secret"}`, `key "a" has the wrong type (want int)`},
		{`{"a": 1, "secret": 2}`, "a key that is not part of the format"},
		{"{\"a\": 1}\n{\"a\": 2}", "text after the end of the value at line 2, column 1"},
		{`{"a": 1} secret`, "text after the end of the value at line 1, column 10"},
	}
	for _, tt := range tests {
		var d doc
		err := Decode([]byte(tt.in), &d)
		if tt.want == "" {
			if err != nil {
				t.Errorf("Decode(%q): %v", tt.in, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Decode(%q) error %v, want %q", tt.in, err, tt.want)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("Decode(%q) error %q repeats a value from the file", tt.in, err)
		}
	}
}

func TestCheckDir(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	os.WriteFile(file, nil, 0o600)
	for _, c := range []struct{ dir, want string }{
		{dir, ""},
		{"", "no state directory"},
		{filepath.Join(dir, "nope"), "does not exist"},
		{file, "is not a directory"},
	} {
		err := CheckDir(c.dir)
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("CheckDir(%q) = %v, want %q", c.dir, err, c.want)
		}
	}
}
