package statefs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/retentiond/retentiond/agent/holds"
	"github.com/retentiond/retentiond/agent/requests"
	"github.com/retentiond/retentiond/agent/review"
)

// Kind is a kind of state file. Its values are fixed names, fit for a
// metric label (retentiond_state_read_errors_total{file}); never a path.
type Kind string

// The kinds of state file.
const (
	Approvals   Kind = "approvals"   // approvals/*.json
	Holds       Kind = "holds"       // holds.json
	Requests    Kind = "requests"    // requests.json
	Resolutions Kind = "resolutions" // resolutions.json
	Plans       Kind = "plans"       // plans/*/plan.json, plans/*/auto/plan.json
	Ledger      Kind = "ledger"      // ledger/*, ledger-head
)

// Kinds lists every Kind.
var Kinds = []Kind{Approvals, Holds, Requests, Resolutions, Plans, Ledger}

// Problem is a state file, or the folder holding such files, that cannot
// be read.
type Problem struct {
	Kind Kind
	Path string
	Err  error
}

func (p Problem) Error() string { return p.Path + ": " + cause(p.Err).Error() }

// Unwrap returns the cause.
func (p Problem) Unwrap() error { return p.Err }

// Check opens and reads the state files the daemon reads — holds.json,
// requests.json, resolutions.json, approvals/*.json, every plan folder's
// plan.json and auto/plan.json, the ledger's files and ledger-head — and
// returns one Problem for each that cannot be read (a folder where a
// file belongs, a file of another user with mode 0600, a folder that
// cannot be listed). A file that does not exist is no problem.
func Check(stateDir string) []Problem {
	var out []Problem
	file := func(k Kind, path string) {
		if err := readable(path); err != nil {
			out = append(out, Problem{k, path, err})
		}
	}
	// each calls fn for the entries of the folder dir, if it exists.
	each := func(k Kind, dir string, fn func(name string, isDir bool)) {
		ents, err := os.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			return
		}
		if err != nil {
			out = append(out, Problem{k, dir, err})
			return
		}
		for _, e := range ents {
			fn(e.Name(), e.IsDir())
		}
	}
	file(Holds, filepath.Join(stateDir, holds.FileName))
	file(Requests, filepath.Join(stateDir, requests.FileName))
	file(Resolutions, filepath.Join(stateDir, review.FileName))
	each(Approvals, filepath.Join(stateDir, "approvals"), func(name string, _ bool) {
		if strings.HasSuffix(name, ".json") {
			file(Approvals, filepath.Join(stateDir, "approvals", name))
		}
	})
	each(Plans, filepath.Join(stateDir, "plans"), func(name string, isDir bool) {
		if isDir {
			file(Plans, filepath.Join(stateDir, "plans", name, "plan.json"))
			file(Plans, filepath.Join(stateDir, "plans", name, "auto", "plan.json"))
		}
	})
	each(Ledger, filepath.Join(stateDir, "ledger"), func(name string, _ bool) {
		file(Ledger, filepath.Join(stateDir, "ledger", name))
	})
	file(Ledger, filepath.Join(stateDir, "ledger-head"))
	return out
}

// readable opens path and reads a byte of it. A path that does not
// exist, or lies in a folder that does not, is readable.
func readable(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errNotDir) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Read(make([]byte, 1)); err != nil && err != io.EOF {
		return err
	}
	return nil
}

// KeepOwner gives every file and folder under stateDir that root owns to
// the state dir's owner and group, when this process runs as root and
// the state dir belongs to another user; modes stay as they are. It
// returns how many it changed. Call it after a command that wrote to the
// state dir. Symbolic links are left as they are and not followed.
func KeepOwner(stateDir string) (int, error) { return keepOwner(stateDir, os.Geteuid()) }

func keepOwner(stateDir string, euid int) (int, error) {
	if euid != 0 || stateDir == "" {
		return 0, nil
	}
	dir, err := filepath.EvalSymlinks(stateDir) // StateDirectory= with DynamicUser= is a link
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	uid, gid, err := Owner(dir)
	if err != nil || uid == 0 {
		return 0, err
	}
	// Through os.Root: a folder swapped for a link while the walk runs
	// (the state dir's owner can do that) cannot lead it, nor a chown,
	// out of the state dir.
	root, err := os.OpenRoot(dir)
	if err != nil {
		return 0, err
	}
	defer root.Close()
	n := 0
	var errs []error
	err = fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		if visitHook != nil {
			visitHook(d.Name())
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		fi, err := root.Lstat(p)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) { // removed meanwhile
				errs = append(errs, err)
			}
			return nil
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return nil // swapped for a link since it was listed
		}
		if u, _, ok := ownerOf(fi); !ok || u != 0 {
			return nil
		}
		if err := root.Lchown(p, uid, gid); err != nil {
			errs = append(errs, err)
			return nil
		}
		n++
		return nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		// Paths under the state dir can name a person (an access
		// package's files): the count and the first cause only.
		return n, fmt.Errorf("giving the state dir's new files to its owner (uid %d): %d could not be given (%w)", uid, len(errs), cause(errs[0]))
	}
	return n, nil
}

// visitHook, if set (by tests), is called with the name of each entry
// the owner walk visits, before it looks at the entry.
var visitHook func(name string)

// CheckWriter returns an error if this process runs as a user who is
// neither root nor the owner of stateDir: a file it wrote there (mode
// 0600) could not be read by the service.
func CheckWriter(stateDir string) error { return checkWriter(stateDir, os.Geteuid()) }

func checkWriter(stateDir string, euid int) error {
	if euid == 0 {
		return nil
	}
	uid, _, err := Owner(stateDir)
	if errors.Is(err, fs.ErrNotExist) || err == nil && (uid == euid || uid < 0) {
		return nil // a new state dir is this user's
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("the state dir %s belongs to user %d and this command runs as user %d: the service could not read "+
		"what it would write there; run it as that user, or as root (its files are then given to the state dir's owner)", stateDir, uid, euid)
}

// Owner returns the user and group that own path (links followed); -1,
// -1 where the system has no such owners.
func Owner(path string) (uid, gid int, err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return -1, -1, err
	}
	uid, gid, ok := ownerOf(fi)
	if !ok {
		return -1, -1, nil
	}
	return uid, gid, nil
}

// cause strips *fs.PathError, whose path Problem names already.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
