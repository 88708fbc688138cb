//go:build !unix

package localfs

import "io/fs"

// fileStamp is empty where the system gives no inode and change time: the
// version is then the size and the mtime.
func fileStamp(fs.FileInfo) stamp { return stamp{} }
