package report

import (
	"html/template"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/rules"
)

// oldGroups is how report.html.tmpl wrote the people's sections before
// their frame was written by hand (htmlgroup.go).
const oldGroups = `{{- $l := .Lang -}}{{- $top := . -}}{{range .Groups}}
<details><summary><b>{{if .Subject}}{{subject .Subject.Type $l}}: {{.Subject.Name}}</b> ({{t "number" $l}} {{.Subject.ID}}){{else}}{{t "unlinked" $l}}</b>{{end}}
<span class="counts">{{with .Sum}}{{if .Delete}} · {{.Delete}} {{t "delete" $l}}{{end}}{{if .Pseudonymise}} · {{.Pseudonymise}} {{t "pseudonymise" $l}}{{end}}{{if .Hold}} · {{.Hold}} {{t "hold" $l}}{{end}}{{if .Keep}} · {{.Keep}} {{t "keep" $l}}{{end}}{{if .Review}} · {{.Review}} {{t "seeabove" $l}}{{end}}{{end}}</span></summary>
<table>
<tr><th>{{t "store" $l}}</th><th>{{t "record" $l}}</th><th>{{t "category" $l}}</th><th>{{t "action" $l}}</th><th>{{t "due" $l}}</th><th>{{t "reason" $l}}</th></tr>
{{range .Items}}{{end}}</table>
{{if .Omitted}}{{template "more" (more $top .Omitted)}}{{end}}
</details>
{{end}}`

const newGroups = `{{- $top := . -}}{{range .Groups}}
{{grouphead . $top.GroupText}}{{range .Items}}{{end}}{{grouptail . $top.GroupText}}
{{end}}`

// TestGroupFrameAsTemplate: the frame of a person's section, written by
// hand, is byte for byte what the template wrote, in both languages, with
// and without a console, for names and numbers with what HTML escapes.
func TestGroupFrameAsTemplate(t *testing.T) {
	tmpl := func(src string) *template.Template {
		return template.Must(template.Must(template.New("report").Funcs(htmlFuncs).Parse(htmlSource)).New("groups").Parse(src))
	}
	old, cur := tmpl(oldGroups), tmpl(newGroups)
	var groups []*group
	for i, name := range []string{"Piet Jansen", `Anna "An" d'Artagnan`, "<b>Bold</b> & Co", "A+B", "nul\x00byte", "Zoë ü €", "bad \xff utf8", ""} {
		groups = append(groups, &group{
			Subject: &plan.SubjectRef{Type: rules.SubjectTypes[i%len(rules.SubjectTypes)], ID: name + "-id", Name: name},
			Sum:     plan.Summary{Delete: i, Pseudonymise: i % 2, Review: i % 3, Hold: i % 4, Keep: i * 7},
			Omitted: i * 11,
		})
	}
	groups = append(groups, &group{Sum: plan.Summary{Delete: 3}, Omitted: 2}, &group{Subject: &plan.SubjectRef{Type: "unknown-type", ID: "x", Name: "y"}})
	for _, l := range []string{"nl", "en"} {
		for _, console := range []string{"", "https://retentie.example.nl/plans/20261123-020000", `https://x.example/a b?c="d"&e`, "javascript:alert(1)"} {
			gt, err := newGroupText(l, console)
			if err != nil {
				t.Fatal(err)
			}
			d := htmlData{Lang: l, Console: console, Groups: groups, GroupText: gt}
			var want, got strings.Builder
			if err := old.ExecuteTemplate(&want, "groups", d); err != nil {
				t.Fatal(err)
			}
			if err := cur.ExecuteTemplate(&got, "groups", d); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("%s, console %q:\n got %s\nwant %s", l, console, got.String(), want.String())
			}
		}
	}
}
