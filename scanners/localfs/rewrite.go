package localfs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/retentiond/retentiond/scanners"
)

// ErrNoChange is returned by a Rewrite's write function to say that the
// new content would equal the old: the file is then left as it is.
var ErrNoChange = errors.New("nothing to change")

// TempSuffix ends the name of the temporary file a rewrite writes beside
// the file it replaces: ".NAME.RANDOM.retentiond-tmp", as the export
// store's. Only a crash leaves one behind.
const TempSuffix = ".retentiond-tmp"

// Rewrite replaces the regular file id, which must be at version, with the
// content write makes of it. write reads the file from src (size bytes)
// and writes the new content to dst, a temporary file in the same folder
// with the original's mode, which it may read back. Then dst is synced,
// the original is checked again (the same file, still at version), the
// temporary file is renamed over it, and the folder is synced: a crash
// leaves the old file or the new one, never half of one. Rewrite returns
// the file's version after the rename.
//
// The file is left alone, and the temporary file removed, if the file is
// not at version (an error wrapping scanners.ErrChanged), if write fails,
// or if write returns ErrNoChange (then Rewrite returns version and nil).
// Placeholders cannot be rewritten.
func (s *Store) Rewrite(ctx context.Context, id, version string, write func(src io.ReaderAt, size int64, dst *os.File) error) (string, error) {
	t, err := s.find(ctx, "rewrite", id)
	if err != nil {
		return "", err
	}
	defer t.release()
	if t.rec.Kind != scanners.KindFile {
		return "", fmt.Errorf("localfs: rewrite: the file is not downloaded: %w", ErrNotDownloaded)
	}
	if t.rec.Version != version {
		return "", fmt.Errorf("localfs: rewrite: %w", scanners.ErrChanged)
	}
	src, err := openFile(t.dir, t.name, t.fi)
	if err != nil {
		return "", opErr("rewrite", err)
	}
	defer src.Close()
	var rnd [6]byte
	rand.Read(rnd[:])
	tmp := "." + t.name + "." + hex.EncodeToString(rnd[:]) + TempSuffix
	dst, err := t.dir.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, t.fi.Mode().Perm()&0o666)
	if err != nil {
		return "", fmt.Errorf("localfs: rewrite: creating a temporary file beside it: %w", bare(err))
	}
	renamed := false
	defer func() {
		if !renamed {
			dst.Close()
			t.dir.Remove(tmp)
		}
	}()
	if err := dst.Chmod(t.fi.Mode().Perm()); err != nil {
		return "", fmt.Errorf("localfs: rewrite: setting the temporary file's mode: %w", bare(err))
	}
	if err := write(src, t.fi.Size(), dst); err != nil {
		if errors.Is(err, ErrNoChange) {
			return version, nil
		}
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := dst.Sync(); err != nil {
		return "", fmt.Errorf("localfs: rewrite: syncing the new file: %w", bare(err))
	}
	if err := dst.Close(); err != nil {
		return "", fmt.Errorf("localfs: rewrite: closing the new file: %w", bare(err))
	}
	src.Close() // before the rename, which some systems refuse over an open file
	// Changed while we wrote? Then the new content is made of an old one.
	now, err := t.dir.Lstat(t.name)
	if err != nil {
		return "", opErr("rewrite: checking it again before replacing it", err)
	}
	if !os.SameFile(now, t.fi) || fileRecord(id, now.Size(), now.ModTime(), fileStamp(now)).Version != version {
		return "", fmt.Errorf("localfs: rewrite: %w", scanners.ErrChanged)
	}
	if err := t.dir.Rename(tmp, t.name); err != nil {
		return "", fmt.Errorf("localfs: rewrite: replacing the file: %w", bare(err))
	}
	renamed = true
	if err := syncDir(t.dir); err != nil {
		return "", fmt.Errorf("localfs: rewrite: the file is replaced, but syncing its folder failed (a crash now could bring back the old file): %w", err)
	}
	fi, err := t.dir.Lstat(t.name)
	if err != nil {
		return "", opErr("rewrite: the file is replaced, but reading it back failed", err)
	}
	return fileRecord(id, fi.Size(), fi.ModTime(), fileStamp(fi)).Version, nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir *os.Root) error {
	d, err := dir.Open(".")
	if err != nil {
		return bare(err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, errors.ErrUnsupported) && !errors.Is(err, fs.ErrInvalid) {
		return bare(err)
	}
	return nil
}
