package demo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/retentiond/retentiond/rules"
)

// readBplistDict is a tiny bplist00 reader, written from the format's
// description and independent of the writer: a top-level dictionary of
// ASCII or UTF-16 strings and integers.
func readBplistDict(b []byte) (map[string]any, error) {
	if len(b) < 40 || string(b[:8]) != "bplist00" {
		return nil, errors.New("no bplist00 header")
	}
	tr := b[len(b)-32:]
	offSize, refSize := int(tr[6]), int(tr[7])
	n, top, table := binary.BigEndian.Uint64(tr[8:]), binary.BigEndian.Uint64(tr[16:]), binary.BigEndian.Uint64(tr[24:])
	be := func(p []byte) uint64 {
		var v uint64
		for _, c := range p {
			v = v<<8 | uint64(c)
		}
		return v
	}
	offset := func(i uint64) (int, error) {
		if i >= n {
			return 0, fmt.Errorf("object %d of %d", i, n)
		}
		at := int(table) + int(i)*offSize
		if at+offSize > len(b)-32 {
			return 0, errors.New("offset table out of range")
		}
		return int(be(b[at : at+offSize])), nil
	}
	// count reads the length in a marker's low nibble or in the integer
	// object after it, and returns where the payload starts.
	count := func(at int) (int, int) {
		if c := int(b[at] & 0x0F); c != 0x0F {
			return c, at + 1
		}
		size := 1 << (b[at+1] & 0x0F)
		return int(be(b[at+2 : at+2+size])), at + 2 + size
	}
	var object func(i uint64) (any, error)
	object = func(i uint64) (any, error) {
		at, err := offset(i)
		if err != nil {
			return nil, err
		}
		switch b[at] >> 4 {
		case 0x1:
			size := 1 << (b[at] & 0x0F)
			return int64(be(b[at+1 : at+1+size])), nil
		case 0x5:
			c, p := count(at)
			return string(b[p : p+c]), nil
		case 0x6:
			c, p := count(at)
			u := make([]uint16, c)
			for k := range u {
				u[k] = binary.BigEndian.Uint16(b[p+2*k:])
			}
			return string(utf16.Decode(u)), nil
		case 0xD:
			c, p := count(at)
			d := map[string]any{}
			for k := range c {
				key, err := object(be(b[p+k*refSize : p+(k+1)*refSize]))
				if err != nil {
					return nil, err
				}
				val, err := object(be(b[p+(c+k)*refSize : p+(c+k+1)*refSize]))
				if err != nil {
					return nil, err
				}
				ks, ok := key.(string)
				if !ok {
					return nil, errors.New("a dictionary key is not a string")
				}
				d[ks] = val
			}
			return d, nil
		}
		return nil, fmt.Errorf("marker %#x not supported", b[at])
	}
	v, err := object(top)
	if err != nil {
		return nil, err
	}
	d, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("top object is not a dictionary")
	}
	return d, nil
}

func TestBplistRoundTrip(t *testing.T) {
	long := strings.Repeat("x", 300) + ".pdf" // a long name: 2-byte offsets
	for _, tc := range []struct {
		name string
		size int64
	}{
		{"rapportage-2021.pdf", 1_234_567},
		{"verslag Zoë.pdf", 12},       // UTF-16 string, 1-byte int
		{"a.pdf", 70_000},             // 2-byte int
		{long, 9_000_000_000},         // 8-byte int, long string
		{"", 0},                       // empty string
		{"Groepsfoto’s.jpeg", 40_000}, // non-Latin-1 punctuation
	} {
		b := icloudPlaceholder(tc.name, tc.size)
		d, err := readBplistDict(b)
		if err != nil {
			t.Fatalf("%q: %v", tc.name, err)
		}
		want := map[string]any{"NSURLNameKey": tc.name, "NSURLFileSizeKey": tc.size,
			"NSURLFileResourceTypeKey": "NSURLFileResourceTypeRegular"}
		if fmt.Sprint(d) != fmt.Sprint(want) {
			t.Errorf("%q: read back %v, want %v", tc.name, d, want)
		}
	}
}

// TestBplistBytes pins the encoding of one placeholder byte for byte
// against the layout a Mac writes, so that the reader above cannot agree
// with a writer that is wrong in the same way.
func TestBplistBytes(t *testing.T) {
	got := icloudPlaceholder("a.pdf", 5)
	want := []byte("bplist00" +
		"\xd3\x01\x02\x03\x04\x05\x06" + // dict of 3: keys 1-3, values 4-6
		"\x5cNSURLNameKey" +
		"\x5f\x10\x10NSURLFileSizeKey" +
		"\x5f\x10\x18NSURLFileResourceTypeKey" +
		"\x55a.pdf" +
		"\x10\x05" +
		"\x5f\x10\x1cNSURLFileResourceTypeRegular")
	offsets := []byte{8, 15, 28, 47, 74, 80, 82}
	want = append(want, offsets...)
	trailer := make([]byte, 32)
	trailer[6], trailer[7] = 1, 1
	binary.BigEndian.PutUint64(trailer[8:], 7)
	binary.BigEndian.PutUint64(trailer[24:], 113)
	want = append(want, trailer...)
	if !bytes.Equal(got, want) {
		t.Errorf("placeholder bytes\n got %q\nwant %q", got, want)
	}
}

func TestPDFCrossReference(t *testing.T) {
	b := pdf("Intake (Zoë) \\ ğ", rules.MakeDate(2021, 3, 4), "Kind: Anna van den Berg")
	m := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("no startxref at the end")
	}
	at, _ := strconv.Atoi(string(m[1]))
	if !bytes.HasPrefix(b[at:], []byte("xref\n0 7\n")) {
		t.Fatalf("startxref %d does not point at the xref table", at)
	}
	for i, line := range strings.Split(string(b[at:]), "\n")[3:9] {
		off, _ := strconv.Atoi(line[:10])
		if !bytes.HasPrefix(b[off:], fmt.Appendf(nil, "%d 0 obj\n", i+1)) || len(line) != 19 {
			t.Errorf("xref entry %d (%q) does not point at its object", i+1, line)
		}
	}
	if !bytes.Contains(b, []byte(`(Intake \(Zo\353\) \\ g)`)) {
		t.Errorf("title not escaped for WinAnsiEncoding: %s", b)
	}
}

func TestTriggerFor(t *testing.T) {
	for d := rules.MakeDate(2026, 1, 1); d.Before(rules.MakeDate(2030, 12, 31)); d = d.AddDays(1) {
		got := triggerFor(d, 24)
		if got.AddMonths(24) == d {
			continue
		}
		// Only acceptable where no date at all is exactly 24 months before.
		for c := d.AddDays(-800); c.Before(d); c = c.AddDays(1) {
			if c.AddMonths(24) == d {
				t.Fatalf("triggerFor(%s) = %s, but %s + 24 months is %s", d, got, c, d)
			}
		}
		if got.AddMonths(24).After(d) {
			t.Errorf("triggerFor(%s) = %s falls due after the target", d, got)
		}
	}
}
