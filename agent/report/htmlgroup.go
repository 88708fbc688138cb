package report

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"

	"github.com/retentiond/retentiond/rules"
)

// A large plan's report names thousands of people, each in a section of
// their own (a <details> with their counts, the items the report holds
// and a pointer to the rest). Written by the template, these sections
// were most of the time a large plan took to write its report, so their
// frame is written here, by hand, and the template writes only the items
// in them. The bytes are those the template wrote (the golden files and
// TestGroupFrameAsTemplate hold them to it).

// groupText is what every person's section of one report shares: the
// heading row of the items table and the pointer to the rest, around its
// number, as the template "more" writes it.
type groupText struct {
	lang     string
	itemHead string
	// more writes the pointer to n items left out.
	more func(b *strings.Builder, n int) error
}

// newGroupText prepares the sections of a report in language l whose
// pointers link to console ("" for none).
func newGroupText(l, console string) (*groupText, error) {
	g := &groupText{lang: l}
	var b strings.Builder
	b.WriteString("<table>\n<tr>")
	for _, k := range []string{"store", "record", "category", "action", "due", "reason"} {
		b.WriteString("<th>")
		b.WriteString(escapeHTML(words[lang(l)][k]))
		b.WriteString("</th>")
	}
	b.WriteString("</tr>\n")
	g.itemHead = b.String()
	var more bytes.Buffer
	if err := htmlTmpl.ExecuteTemplate(&more, "more", moreIn{Lang: l, Console: console, N: 0}); err != nil {
		return nil, err
	}
	// The template writes the number first: split it there, or, should it
	// change, execute it for every section.
	const prefix = `<p class="warn">0`
	if s := more.String(); strings.HasPrefix(s, prefix) {
		g.more = func(b *strings.Builder, n int) error {
			b.WriteString(prefix[:len(prefix)-1])
			b.WriteString(strconv.Itoa(n))
			b.WriteString(s[len(prefix):])
			return nil
		}
	} else {
		g.more = func(b *strings.Builder, n int) error {
			return htmlTmpl.ExecuteTemplate(b, "more", moreIn{Lang: l, Console: console, N: n})
		}
	}
	return g, nil
}

// groupHead writes the start of a person's section: its summary line and
// the heading of its items table.
func groupHead(gr *group, g *groupText) template.HTML {
	l := g.lang
	var b strings.Builder
	b.WriteString("<details><summary><b>")
	if s := gr.Subject; s != nil {
		n := rules.SubjectName(s.Type, l)
		if n != "" {
			n = strings.ToUpper(n[:1]) + n[1:]
		}
		b.WriteString(escapeHTML(n))
		b.WriteString(": ")
		b.WriteString(escapeHTML(s.Name))
		b.WriteString("</b> (")
		b.WriteString(escapeHTML(words[lang(l)]["number"]))
		b.WriteString(" ")
		b.WriteString(escapeHTML(s.ID))
		b.WriteString(")")
	} else {
		b.WriteString(escapeHTML(words[lang(l)]["unlinked"]))
		b.WriteString("</b>")
	}
	b.WriteString("\n<span class=\"counts\">")
	for _, c := range []struct {
		n   int
		key string
	}{{gr.Sum.Delete, "delete"}, {gr.Sum.Pseudonymise, "pseudonymise"}, {gr.Sum.Hold, "hold"}, {gr.Sum.Keep, "keep"}, {gr.Sum.Review, "seeabove"}} {
		if c.n != 0 {
			b.WriteString(" · ")
			b.WriteString(strconv.Itoa(c.n))
			b.WriteString(" ")
			b.WriteString(escapeHTML(words[lang(l)][c.key]))
		}
	}
	b.WriteString("</span></summary>\n")
	b.WriteString(g.itemHead)
	return template.HTML(b.String())
}

// groupTail writes the end of a person's section: the pointer to the
// items it leaves out, if any.
func groupTail(gr *group, g *groupText) (template.HTML, error) {
	var b strings.Builder
	b.WriteString("</table>\n")
	if gr.Omitted != 0 {
		if err := g.more(&b, gr.Omitted); err != nil {
			return "", err
		}
	}
	b.WriteString("\n</details>")
	return template.HTML(b.String()), nil
}

// escapeHTML escapes s for an HTML text node as html/template does (its
// htmlEscaper): NUL, quotes, &, + and the angle brackets.
func escapeHTML(s string) string {
	if strings.IndexAny(s, "\x00\"&'+<>") < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); i++ { // the bytes escaped are ASCII, never part of a longer character
		switch c := s[i]; c {
		case 0:
			b.WriteString("\uFFFD")
		case '"':
			b.WriteString("&#34;")
		case '&':
			b.WriteString("&amp;")
		case '\'':
			b.WriteString("&#39;")
		case '+':
			b.WriteString("&#43;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
