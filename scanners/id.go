package scanners

import (
	"fmt"
	"strings"
)

// CleanID checks that id is a canonical record ID: a non-empty,
// slash-separated relative path with no empty, "." or ".." elements, no
// leading or trailing slash and no NUL byte. It returns id unchanged when it
// is, and otherwise an error wrapping ErrOutsideRoot.
//
// IDs are never cleaned into shape: a store only acts on the exact IDs it
// lists, so "a/../b" is refused rather than read as "b". The error does not
// repeat the ID, which may hold a person's name.
//
// The check is the same on every platform; a store that maps IDs onto an
// operating system's paths adds that platform's rules (see localfs).
func CleanID(id string) (string, error) {
	if id == "" {
		return "", invalidID("it is empty")
	}
	if strings.IndexByte(id, 0) >= 0 {
		return "", invalidID("it holds a NUL byte")
	}
	if id[0] == '/' {
		return "", invalidID("it is an absolute path")
	}
	for elem := range strings.SplitSeq(id, "/") {
		switch elem {
		case "":
			return "", invalidID("it has an empty path element (\"//\" or a trailing \"/\")")
		case ".":
			return "", invalidID("it has a \".\" path element")
		case "..":
			return "", invalidID("it has a \"..\" path element")
		}
	}
	return id, nil
}

func invalidID(why string) error {
	return fmt.Errorf("invalid record id: %s: %w", why, ErrOutsideRoot)
}
