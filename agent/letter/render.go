package letter

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"html/template"
	"io"
	"strings"
	"unicode/utf8"
)

//go:embed letter.html.tmpl
var htmlSource string

var htmlTmpl = template.Must(template.New("letter").Parse(htmlSource))

// textWidth is the longest line of a plain-text letter.
const textWidth = 72

// writeText writes d as plain text: the letterhead, the reference lines,
// then the paragraphs wrapped at textWidth, lists as "- " items.
func writeText(w io.Writer, d doc) error {
	var b strings.Builder
	b.WriteString(d.Org.Name + "\n")
	for _, a := range d.Org.Address {
		b.WriteString(a + "\n")
	}
	if d.Org.Contact != "" {
		b.WriteString(d.Org.Contact + "\n")
	}
	b.WriteString("\n" + d.Date + "\n\n")
	lw := 0
	for _, r := range d.Ref {
		lw = max(lw, utf8.RuneCountInString(r[0]))
	}
	for _, r := range d.Ref {
		wrap(&b, r[1], strings.Repeat(" ", lw+2), r[0]+":"+strings.Repeat(" ", lw+1-utf8.RuneCountInString(r[0])))
	}
	b.WriteString("\n" + d.Salutation + "\n\n")
	for _, bl := range d.Blocks {
		wrap(&b, bl.Text, "", "")
		for _, it := range bl.List {
			wrap(&b, it, "  ", "- ")
		}
		b.WriteString("\n")
	}
	b.WriteString(d.Closing + "\n\n")
	if d.Signer != "" {
		b.WriteString(d.Signer + "\n")
	}
	b.WriteString(d.Org.Name + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// wrap writes text as lines of at most textWidth runes: the first starts
// with first, the others with indent. Control characters become spaces,
// so that no field can break the letter's layout.
func wrap(b *strings.Builder, text, indent, first string) {
	text = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, text)
	line, n := first, utf8.RuneCountInString(first)
	start := n
	for _, word := range strings.Fields(text) {
		wl := utf8.RuneCountInString(word)
		if n > start && n+1+wl > textWidth {
			b.WriteString(line + "\n")
			line, n = indent, utf8.RuneCountInString(indent)
			start = n
		}
		if n > start {
			line += " "
			n++
		}
		line += word
		n += wl
	}
	b.WriteString(line + "\n")
}

// CSP is the Content-Security-Policy to serve an HTML letter with (the
// console's preview): nothing may load or run, and the letter's own
// style element is allowed by its hash, so no 'unsafe-inline' is needed.
func CSP() string { return csp }

var csp = func() string {
	_, rest, _ := strings.Cut(htmlSource, "<style>")
	style, _, _ := strings.Cut(rest, "</style>")
	sum := sha256.Sum256([]byte(style))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
}()
