package report

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/retentiond/retentiond/agent/plan"
)

// appendItem appends it as json.Marshal writes it, byte for byte, without
// reflection: a first plan of a large backlog writes an item for half its
// files, and encoding/json's reflection was the largest part of writing
// plan.json. The fields rare in such a plan (an archive's entries, an
// export row's fields, warnings, sharing links) are handed to json.Marshal.
// TestItemJSONAsMarshal holds it to json.Marshal.
func appendItem(b []byte, it *plan.Item) ([]byte, error) {
	b = append(b, `{"store":`...)
	b = appendString(b, it.Store)
	b = append(b, `,"record":`...)
	b = appendString(b, it.Record)
	b = append(b, `,"kind":`...)
	b = appendString(b, it.Kind)
	b = append(b, `,"subject":`...)
	if s := it.Subject; s == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"type":`...)
		b = appendString(b, string(s.Type))
		b = append(b, `,"id":`...)
		b = appendString(b, s.ID)
		b = append(b, `,"name":`...)
		b = appendString(b, s.Name)
		b = append(b, '}')
	}
	if it.Category != "" {
		b = append(b, `,"category":`...)
		b = appendString(b, string(it.Category))
	}
	if t := it.Trigger; t != nil {
		b = append(b, `,"trigger":{"event":`...)
		b = appendString(b, string(t.Event))
		b = append(b, `,"date":`...)
		b = appendString(b, t.Date.String())
		b = append(b, '}')
	}
	if it.Rule != "" {
		b = append(b, `,"rule":`...)
		b = appendString(b, it.Rule)
	}
	b = append(b, `,"action":`...)
	b = appendString(b, string(it.Action))
	if it.Due != "" {
		b = append(b, `,"due":`...)
		b = appendString(b, it.Due)
	}
	b = append(b, `,"reason":`...)
	b = appendString(b, it.Reason)
	if it.Basis != "" {
		b = append(b, `,"basis":`...)
		b = appendString(b, it.Basis)
	}
	b = append(b, `,"version":`...)
	b = appendString(b, it.Version)
	b = append(b, `,"size":`...)
	b = strconv.AppendInt(b, it.Size, 10)
	b = append(b, `,"modified":`...)
	b = appendString(b, it.Modified)
	var err error
	if it.Entries != nil {
		if b, err = appendMarshal(b, `,"entries":`, it.Entries); err != nil {
			return nil, err
		}
	}
	if it.File != "" {
		b = append(b, `,"file":`...)
		b = appendString(b, it.File)
	}
	if len(it.Fields)+len(it.FieldDecisions)+len(it.Warnings)+len(it.Links) > 0 {
		if b, err = appendLists(b, it); err != nil {
			return nil, err
		}
	}
	if it.Locked {
		b = append(b, `,"locked":true`...)
	}
	if it.Held != "" {
		b = append(b, `,"held":`...)
		b = appendString(b, it.Held)
	}
	if it.Resolved != "" {
		b = append(b, `,"resolved":`...)
		b = appendString(b, it.Resolved)
	}
	return append(b, '}'), nil
}

// appendLists appends the item's lists that are not empty.
func appendLists(b []byte, it *plan.Item) ([]byte, error) {
	var err error
	for _, f := range []struct {
		key  string
		n    int
		list any
	}{
		{`,"fields":`, len(it.Fields), it.Fields},
		{`,"field_decisions":`, len(it.FieldDecisions), it.FieldDecisions},
		{`,"warnings":`, len(it.Warnings), it.Warnings},
		{`,"links":`, len(it.Links), it.Links},
	} {
		if f.n == 0 {
			continue
		}
		if b, err = appendMarshal(b, f.key, f.list); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// appendMarshal appends key and v as json.Marshal writes v.
func appendMarshal(b []byte, key string, v any) ([]byte, error) {
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(append(b, key...), j...), nil
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string as json.Marshal writes it: with
// <, > and & escaped for HTML, invalid UTF-8 as U+FFFD, and U+2028 and
// U+2029 escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
