package export

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// xmlTok is one token of a streamed XML part: a start tag, an end tag, an
// empty-element tag, text, or anything else (declaration, comment,
// processing instruction), with the exact bytes it had in the input.
// Worksheets are read and rewritten token by token, so that a sheet of a
// million rows never is in memory whole, and what is not changed is
// written back byte for byte.
type xmlTok struct {
	kind  byte // tokStart, tokEnd, tokEmpty, tokText, tokOther
	name  string
	attrs []xmlAttr
	raw   []byte // valid until the next call of next
}

type xmlAttr struct{ name, value string }

const (
	tokStart = 's'
	tokEnd   = 'e'
	tokEmpty = 'c'
	tokText  = 't'
	tokOther = 'o'
)

// local is the name without its namespace prefix ("x:row" is "row").
func (t *xmlTok) local() string {
	if i := strings.IndexByte(t.name, ':'); i >= 0 {
		return t.name[i+1:]
	}
	return t.name
}

// attr returns the value of the attribute with local name n.
func (t *xmlTok) attr(n string) (string, bool) {
	for _, a := range t.attrs {
		name := a.name
		if i := strings.IndexByte(name, ':'); i >= 0 {
			name = name[i+1:]
		}
		if name == n {
			return a.value, true
		}
	}
	return "", false
}

// text is the decoded character data of a text token.
func (t *xmlTok) text() (string, error) {
	if bytes.HasPrefix(t.raw, []byte("<![CDATA[")) {
		return string(t.raw[9 : len(t.raw)-3]), nil
	}
	return unescapeXML(t.raw)
}

// xmlScanner reads tokens from an XML part. It reads a well-formed
// document; it does not check well-formedness beyond what it needs, but
// never loops or grows without bound on bad input: a tag or text longer
// than maxTok is an error.
type xmlScanner struct {
	r     *bufio.Reader
	buf   []byte
	tok   xmlTok
	off   int64 // bytes read
	depth int
}

// maxTok bounds one token: a cell's text is at most 32,767 characters in
// Excel, a tag a few hundred bytes; 1 MiB leaves room for anything real.
const maxTok = 1 << 20

var errXMLSyntax = errors.New("malformed XML")

func newXMLScanner(r io.Reader) *xmlScanner {
	return &xmlScanner{r: bufio.NewReaderSize(r, 64<<10)}
}

// next returns the next token, or io.EOF after the last.
func (s *xmlScanner) next() (*xmlTok, error) {
	s.buf = s.buf[:0]
	c, err := s.r.ReadByte()
	if err != nil {
		return nil, err
	}
	s.off++
	s.buf = append(s.buf, c)
	if c != '<' {
		for {
			b, err := s.r.ReadByte()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
			if b == '<' {
				s.r.UnreadByte()
				break
			}
			s.off++
			s.buf = append(s.buf, b)
			if len(s.buf) > maxTok {
				return nil, fmt.Errorf("%w: text over %d bytes at byte %d", errXMLSyntax, maxTok, s.off)
			}
		}
		s.tok = xmlTok{kind: tokText, raw: s.buf}
		return &s.tok, nil
	}
	// A tag, or <!-- -->, <![CDATA[ ]]>, <? ?>, <!DOCTYPE >.
	peek, _ := s.r.Peek(8)
	switch {
	case bytes.HasPrefix(peek, []byte("!--")):
		return s.until("-->", tokOther)
	case bytes.HasPrefix(peek, []byte("![CDATA[")):
		return s.until("]]>", tokText)
	case bytes.HasPrefix(peek, []byte("?")):
		return s.until("?>", tokOther)
	case bytes.HasPrefix(peek, []byte("!")):
		return s.until(">", tokOther)
	}
	var quote byte
	for {
		b, err := s.r.ReadByte()
		if err != nil {
			return nil, fmt.Errorf("%w: a tag is not closed at byte %d", errXMLSyntax, s.off)
		}
		s.off++
		s.buf = append(s.buf, b)
		if len(s.buf) > maxTok {
			return nil, fmt.Errorf("%w: tag over %d bytes at byte %d", errXMLSyntax, maxTok, s.off)
		}
		switch {
		case quote != 0:
			if b == quote {
				quote = 0
			}
		case b == '"' || b == '\'':
			quote = b
		case b == '>':
			return s.tag()
		}
	}
}

// until reads up to and including end.
func (s *xmlScanner) until(end string, kind byte) (*xmlTok, error) {
	for !bytes.HasSuffix(s.buf, []byte(end)) || len(s.buf) < len(end)+1 {
		b, err := s.r.ReadByte()
		if err != nil {
			return nil, fmt.Errorf("%w: %q is not closed at byte %d", errXMLSyntax, end, s.off)
		}
		s.off++
		s.buf = append(s.buf, b)
		if len(s.buf) > maxTok {
			return nil, fmt.Errorf("%w: token over %d bytes at byte %d", errXMLSyntax, maxTok, s.off)
		}
	}
	s.tok = xmlTok{kind: kind, raw: s.buf}
	return &s.tok, nil
}

// tag parses the tag in s.buf ("<...>").
func (s *xmlScanner) tag() (*xmlTok, error) {
	b := s.buf[1 : len(s.buf)-1]
	t := xmlTok{kind: tokStart, raw: s.buf}
	if len(b) > 0 && b[0] == '/' {
		t.kind = tokEnd
		b = b[1:]
	} else if len(b) > 0 && b[len(b)-1] == '/' {
		t.kind = tokEmpty
		b = b[:len(b)-1]
	}
	i := 0
	for i < len(b) && !isSpace(b[i]) {
		i++
	}
	if i == 0 {
		return nil, fmt.Errorf("%w: a tag without a name at byte %d", errXMLSyntax, s.off)
	}
	t.name = string(b[:i])
	for {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i >= len(b) {
			break
		}
		j := i
		for j < len(b) && b[j] != '=' && !isSpace(b[j]) {
			j++
		}
		name := string(b[i:j])
		for j < len(b) && isSpace(b[j]) {
			j++
		}
		if j >= len(b) || b[j] != '=' {
			return nil, fmt.Errorf("%w: attribute %q of <%s> has no value at byte %d", errXMLSyntax, name, t.name, s.off)
		}
		j++
		for j < len(b) && isSpace(b[j]) {
			j++
		}
		if j >= len(b) || b[j] != '"' && b[j] != '\'' {
			return nil, fmt.Errorf("%w: attribute %q of <%s> is not quoted at byte %d", errXMLSyntax, name, t.name, s.off)
		}
		q := b[j]
		k := bytes.IndexByte(b[j+1:], q)
		if k < 0 {
			return nil, fmt.Errorf("%w: attribute %q of <%s> is not closed at byte %d", errXMLSyntax, name, t.name, s.off)
		}
		v, err := unescapeXML(b[j+1 : j+1+k])
		if err != nil {
			return nil, err
		}
		t.attrs = append(t.attrs, xmlAttr{name, v})
		i = j + 1 + k + 1
	}
	switch t.kind {
	case tokStart:
		s.depth++
	case tokEnd:
		s.depth--
	}
	s.tok = t
	return &s.tok, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// unescapeXML decodes the five entities and character references.
func unescapeXML(b []byte) (string, error) {
	if bytes.IndexByte(b, '&') < 0 {
		return string(b), nil
	}
	var out strings.Builder
	out.Grow(len(b))
	for len(b) > 0 {
		i := bytes.IndexByte(b, '&')
		if i < 0 {
			out.Write(b)
			break
		}
		out.Write(b[:i])
		b = b[i:]
		j := bytes.IndexByte(b, ';')
		if j < 0 || j > 12 {
			return "", fmt.Errorf("%w: a bare & in text", errXMLSyntax)
		}
		ent := string(b[1:j])
		b = b[j+1:]
		switch ent {
		case "lt":
			out.WriteByte('<')
		case "gt":
			out.WriteByte('>')
		case "amp":
			out.WriteByte('&')
		case "quot":
			out.WriteByte('"')
		case "apos":
			out.WriteByte('\'')
		default:
			var n uint64
			var err error
			switch {
			case strings.HasPrefix(ent, "#x"):
				n, err = strconv.ParseUint(ent[2:], 16, 32)
			case strings.HasPrefix(ent, "#"):
				n, err = strconv.ParseUint(ent[1:], 10, 32)
			default:
				err = errXMLSyntax
			}
			if err != nil || !utf8.ValidRune(rune(n)) {
				return "", fmt.Errorf("%w: an & that starts no known entity or character reference", errXMLSyntax)
			}
			out.WriteRune(rune(n))
		}
	}
	return out.String(), nil
}

// escapeXML writes s as XML text or an attribute value. Characters XML 1.0
// cannot hold (other control characters) are written as OOXML's _xHHHH_,
// as Excel does; so is a literal "_x" that would read as one.
func escapeXML(w *bytes.Buffer, s string) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '&':
			w.WriteString("&amp;")
		case r == '<':
			w.WriteString("&lt;")
		case r == '>':
			w.WriteString("&gt;")
		case r == '"':
			w.WriteString("&quot;")
		case r == '_' && isBstrEscape(s[i:]):
			w.WriteString("_x005F_")
		case r == utf8.RuneError && size == 1:
			w.WriteString("\uFFFD")
		case r < 0x20 && r != '\t' && r != '\n' || r == '\r' || r == 0xFFFE || r == 0xFFFF:
			fmt.Fprintf(w, "_x%04X_", r)
		default:
			w.WriteString(s[i : i+size])
		}
		i += size
	}
}

// isBstrEscape reports whether s starts with _xHHHH_.
func isBstrEscape(s string) bool {
	if len(s) < 7 || s[0] != '_' || s[1] != 'x' && s[1] != 'X' || s[6] != '_' {
		return false
	}
	for _, c := range []byte(s[2:6]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// unescapeBstr decodes OOXML's _xHHHH_ escapes in cell text.
func unescapeBstr(s string) string {
	if !strings.Contains(s, "_x") && !strings.Contains(s, "_X") {
		return s
	}
	var out strings.Builder
	for i := 0; i < len(s); {
		if isBstrEscape(s[i:]) {
			n, _ := strconv.ParseUint(s[i+2:i+6], 16, 32)
			out.WriteRune(rune(n))
			i += 7
			continue
		}
		out.WriteByte(s[i])
		i++
	}
	return out.String()
}
