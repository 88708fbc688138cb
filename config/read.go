package config

import (
	"fmt"
	"io"
	"os"
)

// readConfig reads the config file, refusing anything that is not a
// regular file of at most MaxConfigSize bytes before reading it all.
func readConfig(path string) ([]byte, *Error) {
	const fix = "check the path given with --config and the file's permissions"
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Msg: "cannot read the config: " + err.Error(), Fix: fix}
	}
	defer f.Close()
	fi, err := f.Stat()
	switch {
	case err != nil:
		return nil, &Error{File: path, Msg: "cannot read the config: " + err.Error(), Fix: fix}
	case !fi.Mode().IsRegular():
		return nil, &Error{File: path, Msg: "is not a regular file (it is a " + fileKind(fi.Mode()) + ")",
			Fix: "give --config the path of the config file itself"}
	case fi.Size() > MaxConfigSize:
		return nil, tooLarge(path, fi.Size())
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxConfigSize+1))
	if err != nil {
		return nil, &Error{File: path, Msg: "cannot read the config: " + err.Error(), Fix: fix}
	}
	if len(data) > MaxConfigSize { // it grew since Stat
		return nil, tooLarge(path, int64(len(data)))
	}
	return data, nil
}

func tooLarge(path string, size int64) *Error {
	return &Error{File: path, Msg: fmt.Sprintf("is larger than %d KiB (%d bytes or more); a config is a few kilobytes", MaxConfigSize>>10, size),
		Fix: "check that --config names the config file, not an export or a log; remove what does not belong in it"}
}

func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "folder"
	case m&os.ModeNamedPipe != 0:
		return "named pipe"
	case m&os.ModeDevice != 0:
		return "device"
	case m&os.ModeSocket != 0:
		return "socket"
	}
	return "special file"
}
