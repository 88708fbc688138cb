package localfs

import (
	"encoding/binary"
	"unicode/utf16"
)

// parsePlaceholder reads the two keys retentiond needs from an iCloud Drive
// placeholder, a binary property list ("bplist00") holding a dictionary
// with NSURLNameKey (the file's name) and NSURLFileSizeKey (its size). ok is
// false unless the data is such a list with a size in it. It reads only
// what it needs and checks every offset, as the file comes from disk.
//
// The format: a header, objects, a table of object offsets, and a 32-byte
// trailer giving the sizes of offsets and object references, the number
// of objects, the top object and where the offset table starts.
func parsePlaceholder(data []byte) (name string, size int64, ok bool) {
	p, ok := newBplist(data)
	if !ok {
		return "", 0, false
	}
	keys, vals, ok := p.dict(p.top)
	if !ok {
		return "", 0, false
	}
	haveSize := false
	for i, k := range keys {
		key, ok := p.str(k)
		if !ok {
			continue
		}
		switch key {
		case "NSURLNameKey":
			name, _ = p.str(vals[i])
		case "NSURLFileSizeKey":
			size, haveSize = p.int(vals[i])
		}
	}
	return name, size, haveSize && size >= 0
}

type bplist struct {
	data            []byte
	offSize, refLen int
	numObj, top     uint64
	table           uint64 // where the offset table starts
}

func newBplist(data []byte) (bplist, bool) {
	const header, trailer = 8, 32
	if len(data) < header+trailer || string(data[:header]) != "bplist00" {
		return bplist{}, false
	}
	t := data[len(data)-trailer:]
	p := bplist{
		data:    data[:len(data)-trailer],
		offSize: int(t[6]),
		refLen:  int(t[7]),
		numObj:  binary.BigEndian.Uint64(t[8:16]),
		top:     binary.BigEndian.Uint64(t[16:24]),
		table:   binary.BigEndian.Uint64(t[24:32]),
	}
	n := uint64(len(p.data))
	if p.offSize < 1 || p.offSize > 8 || p.refLen < 1 || p.refLen > 8 ||
		p.numObj > n || p.top >= p.numObj || p.table > n ||
		p.numObj*uint64(p.offSize) > n-p.table {
		return bplist{}, false
	}
	return p, true
}

// object returns the marker byte of object i and the bytes after it.
func (p bplist) object(i uint64) (byte, []byte, bool) {
	if i >= p.numObj {
		return 0, nil, false
	}
	at := p.table + i*uint64(p.offSize)
	off := uint(beUint(p.data[at : at+uint64(p.offSize)]))
	if off < 8 || off >= uint(len(p.data)) {
		return 0, nil, false
	}
	return p.data[off], p.data[off+1:], true
}

// count reads an object's element count: the marker's low nibble, or an
// integer object after it when the nibble is 0xF.
func count(marker byte, rest []byte) (n uint64, after []byte, ok bool) {
	if marker&0x0F != 0x0F {
		return uint64(marker & 0x0F), rest, true
	}
	if len(rest) < 1 || rest[0]&0xF0 != 0x10 {
		return 0, nil, false
	}
	w := 1 << (rest[0] & 0x0F)
	if w > 8 || len(rest) < 1+w {
		return 0, nil, false
	}
	return beUint(rest[1 : 1+w]), rest[1+w:], true
}

func (p bplist) dict(i uint64) (keys, vals []uint64, ok bool) {
	marker, rest, ok := p.object(i)
	if !ok || marker&0xF0 != 0xD0 {
		return nil, nil, false
	}
	n, rest, ok := count(marker, rest)
	if !ok || n > uint64(len(rest))/uint64(2*p.refLen) {
		return nil, nil, false
	}
	refs := make([]uint64, 2*n)
	for j := range refs {
		refs[j] = beUint(rest[j*p.refLen : (j+1)*p.refLen])
	}
	return refs[:n], refs[n:], true
}

func (p bplist) str(i uint64) (string, bool) {
	marker, rest, ok := p.object(i)
	if !ok {
		return "", false
	}
	kind := marker & 0xF0
	if kind != 0x50 && kind != 0x60 {
		return "", false
	}
	n, rest, ok := count(marker, rest)
	if !ok {
		return "", false
	}
	if kind == 0x50 { // ASCII
		if n > uint64(len(rest)) {
			return "", false
		}
		return string(rest[:n]), true
	}
	if n > uint64(len(rest))/2 { // UTF-16, big-endian
		return "", false
	}
	units := make([]uint16, n)
	for j := range units {
		units[j] = binary.BigEndian.Uint16(rest[2*j:])
	}
	return string(utf16.Decode(units)), true
}

func (p bplist) int(i uint64) (int64, bool) {
	marker, rest, ok := p.object(i)
	if !ok || marker&0xF0 != 0x10 {
		return 0, false
	}
	w := 1 << (marker & 0x0F)
	if w > 8 || len(rest) < w {
		return 0, false
	}
	// 1-, 2- and 4-byte integers are unsigned, 8-byte ones signed: the
	// conversion reads both right.
	return int64(beUint(rest[:w])), true
}

// beUint reads a big-endian unsigned integer of up to 8 bytes.
func beUint(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}
