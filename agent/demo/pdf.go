package demo

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/retentiond/retentiond/rules"
)

// pdf returns a minimal valid one-page PDF: a title, a few lines of text
// and an Info dictionary with the title and creation date, so that viewers
// and file-type sniffers see a real document of a few hundred bytes.
func pdf(title string, d rules.Date, lines ...string) []byte {
	var content bytes.Buffer
	fmt.Fprintf(&content, "BT /F1 16 Tf 56 780 Td (%s) Tj /F1 11 Tf", pdfString(title))
	for _, l := range lines {
		fmt.Fprintf(&content, " 0 -20 Td (%s) Tj", pdfString(l))
	}
	content.WriteString(" 0 -40 Td (Kinderopvang De Zonnebloem - fictief voorbeeld, verzonnen gegevens) Tj ET")

	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", content.Len(), content.Bytes()),
		fmt.Sprintf("<< /Title (%s) /Producer (retentiond demo) /CreationDate (D:%04d%02d%02d120000) >>",
			pdfString(title), d.Year, int(d.Month), d.Day),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// pdfString escapes s for a PDF literal string in WinAnsiEncoding, which
// agrees with Latin-1 for the letters Dutch names use (ë, é, ö, ç…).
func pdfString(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			b.WriteByte(' ')
		case r < 0x80:
			b.WriteRune(r)
		case r <= 0xff:
			fmt.Fprintf(&b, "\\%03o", r)
		case plain(string(r)) != string(r) && plain(string(r))[0] < 0x80:
			b.WriteByte(plain(string(r))[0]) // ğ → g: Helvetica has no ğ
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}
