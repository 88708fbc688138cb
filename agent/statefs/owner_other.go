//go:build !unix

package statefs

import (
	"errors"
	"io/fs"
)

// errNotDir never matches: the system has no such error.
var errNotDir = errors.New("statefs: no ENOTDIR")

// ownerOf: files have no numeric owner here, so KeepOwner and
// CheckWriter do nothing.
func ownerOf(fs.FileInfo) (uid, gid int, ok bool) { return -1, -1, false }
