//go:build !unix

package localfs

// openFlags adds nothing where named pipes cannot stand in for files.
const openFlags = 0
