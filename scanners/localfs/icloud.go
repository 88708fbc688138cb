package localfs

import (
	"io"
	"os"
	"time"

	"github.com/retentiond/retentiond/scanners"
)

// maxPlaceholder bounds what is read of a placeholder; real ones are a few
// hundred bytes.
const maxPlaceholder = 64 << 10

// placeholderRecord returns the record id for the file that a placeholder
// modified at mtime stands for, and closes f, the placeholder opened (nil
// if it could not be). The size is the one in the placeholder, or 0 if it
// cannot be read: a placeholder is listed even then, as the file it stands
// for exists.
func placeholderRecord(id string, f *os.File, mtime time.Time, st stamp) scanners.Record {
	var size int64
	if f != nil {
		data, err := io.ReadAll(io.LimitReader(f, maxPlaceholder+1))
		f.Close()
		if err == nil && len(data) <= maxPlaceholder {
			if _, n, ok := parsePlaceholder(data); ok {
				size = n
			}
		}
	}
	return scanners.Record{
		ID:      id,
		Kind:    scanners.KindPlaceholder,
		Size:    size,
		ModTime: mtime,
		// Distinct from a downloaded file's version, so that a download
		// counts as a change.
		Version: version("icloud-s", size, mtime, st),
	}
}
