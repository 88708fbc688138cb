package demo

import (
	"encoding/binary"
	"unicode/utf16"
)

// icloudPlaceholder returns the content of the ".Name.ext.icloud" file that
// iCloud Drive leaves on a Mac in place of a file it has not downloaded: a
// binary property list (bplist00) holding a dictionary with the real name,
// its size and its resource type.
func icloudPlaceholder(realName string, size int64) []byte {
	return bplistDict([]bplistEntry{
		{"NSURLNameKey", realName},
		{"NSURLFileSizeKey", size},
		{"NSURLFileResourceTypeKey", "NSURLFileResourceTypeRegular"},
	})
}

// bplistEntry is one key of a top-level dictionary; value is a string or
// an int64.
type bplistEntry struct {
	key   string
	value any
}

// bplistDict encodes a single dictionary of string and integer values as a
// bplist00: header, objects (the dict first, then the keys, then the
// values), the offset table and the 32-byte trailer. With fewer than 256
// objects every object reference fits one byte.
func bplistDict(entries []bplistEntry) []byte {
	var objs [][]byte
	dict := []byte{0xD0 | byte(len(entries))} // up to 14 entries: count in the marker
	for i := range entries {
		dict = append(dict, byte(1+i))
	}
	for i := range entries {
		dict = append(dict, byte(1+len(entries)+i))
	}
	objs = append(objs, dict)
	for _, e := range entries {
		objs = append(objs, bplistString(e.key))
	}
	for _, e := range entries {
		switch v := e.value.(type) {
		case string:
			objs = append(objs, bplistString(v))
		case int64:
			objs = append(objs, bplistInt(v))
		default:
			panic("bplistDict: values are strings or int64")
		}
	}

	out := []byte("bplist00")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = len(out)
		out = append(out, o...)
	}
	offsetSize := 1
	for uint64(len(out)) >= 1<<(8*offsetSize) {
		offsetSize++
	}
	tableAt := len(out)
	for _, off := range offsets {
		for s := offsetSize - 1; s >= 0; s-- {
			out = append(out, byte(off>>(8*s)))
		}
	}
	trailer := make([]byte, 32) // 5 unused bytes, sort version 0
	trailer[6] = byte(offsetSize)
	trailer[7] = 1 // object reference size
	binary.BigEndian.PutUint64(trailer[8:], uint64(len(objs)))
	binary.BigEndian.PutUint64(trailer[16:], 0) // top object: the dict
	binary.BigEndian.PutUint64(trailer[24:], uint64(tableAt))
	return append(out, trailer...)
}

// bplistString encodes s as an ASCII string (marker 0x5) or, if it holds
// anything else, as UTF-16BE (marker 0x6), with the length in code units.
func bplistString(s string) []byte {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return append(bplistLen(0x50, len(s)), s...)
	}
	units := utf16.Encode([]rune(s))
	b := bplistLen(0x60, len(units))
	for _, u := range units {
		b = binary.BigEndian.AppendUint16(b, u)
	}
	return b
}

// bplistLen writes a marker with a count: in its low nibble if below 15,
// else nibble 0xF followed by the count as an integer object.
func bplistLen(marker byte, n int) []byte {
	if n < 15 {
		return []byte{marker | byte(n)}
	}
	return append([]byte{marker | 0x0F}, bplistInt(int64(n))...)
}

// bplistInt encodes v in the smallest of 1, 2, 4 or 8 big-endian bytes
// (marker 0x1 and the power of two); negative numbers take 8 bytes.
func bplistInt(v int64) []byte {
	switch {
	case v >= 0 && v < 1<<8:
		return []byte{0x10, byte(v)}
	case v >= 0 && v < 1<<16:
		return binary.BigEndian.AppendUint16([]byte{0x11}, uint16(v))
	case v >= 0 && v < 1<<32:
		return binary.BigEndian.AppendUint32([]byte{0x12}, uint32(v))
	}
	return binary.BigEndian.AppendUint64([]byte{0x13}, uint64(v))
}
