//go:build !unix

package export

// openFlags adds nothing where the flags do not exist; openFile's check
// that it opened the file Lstat saw still applies.
const openFlags = 0
