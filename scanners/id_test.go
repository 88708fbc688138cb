package scanners

import (
	"errors"
	"strings"
	"testing"
)

func TestCleanID(t *testing.T) {
	valid := []string{
		"a",
		"a/b/c.txt",
		"Jansen, Piet/intake é.pdf",
		".hidden",
		"a/.hidden/b",
		"...",
		"a/..b/c..",
		"2015/scans.zip!/Jansen, Piet/intake.pdf",
		`back\slash`,
	}
	for _, id := range valid {
		got, err := CleanID(id)
		if err != nil || got != id {
			t.Errorf("CleanID(%q) = %q, %v; want %q, nil", id, got, err, id)
		}
	}
	invalid := []string{
		"",
		".",
		"..",
		"../x",
		"a/..",
		"a/../b",
		"a/../../b",
		"/etc/passwd",
		"/",
		"a//b",
		"a/",
		"./a",
		"a/./b",
		"a\x00b",
	}
	for _, id := range invalid {
		got, err := CleanID(id)
		if !errors.Is(err, ErrOutsideRoot) || got != "" {
			t.Errorf("CleanID(%q) = %q, %v; want ErrOutsideRoot", id, got, err)
		}
	}
}

func TestCleanIDErrorHoldsNoID(t *testing.T) {
	_, err := CleanID("Jansen, Piet/../geheim.pdf")
	if err == nil || strings.Contains(err.Error(), "Jansen") {
		t.Fatalf("error %v must exist and not repeat the id", err)
	}
}
