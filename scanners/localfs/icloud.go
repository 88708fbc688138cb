package localfs

import (
	"io"
	"io/fs"
	"os"

	"github.com/retentiond/retentiond/scanners"
)

// maxPlaceholder bounds what is read of a placeholder; real ones are a few
// hundred bytes.
const maxPlaceholder = 64 << 10

// placeholderRecord returns the record for the file that the placeholder
// pname in dir (described by fi) stands for. The size is the one in the
// placeholder, or 0 if it cannot be read: a placeholder is listed even then,
// as the file it stands for exists.
func placeholderRecord(dir *os.Root, id, pname string, fi fs.FileInfo) scanners.Record {
	var size int64
	if f, err := openFile(dir, pname, fi); err == nil {
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
		ModTime: fi.ModTime(),
		// Distinct from a downloaded file's version, so that a download
		// counts as a change.
		Version: version("icloud-s", size, fi.ModTime()),
	}
}
