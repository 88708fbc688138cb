// Package classify ties a store's records to data subjects and categories:
// layout templates bind folder and file names to a subject (by id or by
// name) and a category, and an index finds subjects by id or by a name
// written the way Dutch offices write names on folders.
package classify

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/retentiond/retentiond/rules"
)

// Layout binds a path template to a category, as a store's config says:
// "{child.name}/Contracten/**" → contract.
type Layout struct {
	Path     string
	Category rules.Category
	// Rule names the backup rotation rule (such as V4) that decides the
	// backups this layout matches, as a set; "" if the layout names none.
	Rule string
}

// Match is what a layout template found in a record's path.
type Match struct {
	Layout      int // index of the layout that matched
	Category    rules.Category
	SubjectType rules.SubjectType // "" if the template names no subject
	Name        string            // {TYPE.name} as written in the path
	ID          string            // {TYPE.id} as written in the path
	EndYear     int               // {end_year}, 0 if none
	Date        rules.Date        // {date}, zero if none
	Rule        string            // the layout's rotation rule, "" if none
}

// Classifier matches paths against layouts; the first match wins.
type Classifier struct {
	layouts []compiled
}

type compiled struct {
	re       *regexp.Regexp
	prefix   string // literal prefix every match starts with, a cheap pre-check
	category rules.Category
	rule     string
	subject  rules.SubjectType
	name, id int // submatch indexes, -1 if absent
	year     int
	date     int
	// folder says whether the layout's answer for a path depends on its
	// folder only (see folder.go).
	folder bool
}

var placeholderRE = regexp.MustCompile(`\{([a-z_]+)(?:\.([a-z]+))?\}`)

// Compile checks and compiles layouts. Errors name the layout's index and
// say what is wrong; config validation reports them with line numbers.
func Compile(layouts []Layout) (*Classifier, error) {
	c := &Classifier{}
	for i, l := range layouts {
		cl, err := compile(l)
		if err != nil {
			return nil, fmt.Errorf("layout[%d] path %q: %w", i, l.Path, err)
		}
		c.layouts = append(c.layouts, cl)
	}
	return c, nil
}

// CheckPath reports whether a layout path template is well formed.
func CheckPath(p string) error {
	_, err := compile(Layout{Path: p, Category: "x"})
	return err
}

func compile(l Layout) (compiled, error) {
	cl := compiled{category: l.Category, rule: l.Rule, name: -1, id: -1, year: -1, date: -1}
	if l.Path == "" {
		return cl, fmt.Errorf("empty path")
	}
	if strings.HasPrefix(l.Path, "/") {
		return cl, fmt.Errorf("a layout path is relative to the store's root: remove the leading /")
	}
	segs := strings.Split(l.Path, "/")
	var re strings.Builder
	// Folder names are typed by people and OneDrive ignores case: so do we.
	re.WriteString("(?i)^")
	group := 0
	literal := true
	var prefix strings.Builder
	for i, seg := range segs {
		last := i == len(segs)-1
		if seg == "" || seg == "." || seg == ".." {
			return cl, fmt.Errorf("empty, . or .. segment")
		}
		if seg == "**" {
			literal = false
			if last {
				re.WriteString(".+")
			} else {
				re.WriteString("(?:[^/]+/)*")
			}
			continue
		}
		rest := seg
		for rest != "" {
			loc := placeholderRE.FindStringSubmatchIndex(rest)
			open := strings.IndexAny(rest, "{}")
			if loc == nil || (open >= 0 && open < loc[0]) {
				if open >= 0 {
					return cl, fmt.Errorf("unbalanced or malformed { } in %q", seg)
				}
				writeLiteral(&re, &prefix, rest, &literal)
				break
			}
			writeLiteral(&re, &prefix, rest[:loc[0]], &literal)
			literal = false
			key, field := rest[loc[2]:loc[3]], ""
			if loc[4] >= 0 {
				field = rest[loc[4]:loc[5]]
			}
			group++
			switch {
			case key == "end_year" && field == "":
				if cl.year >= 0 {
					return cl, fmt.Errorf("{end_year} appears twice")
				}
				cl.year = group
				re.WriteString(`((?:19|20)[0-9]{2})`)
			case key == "date" && field == "":
				if cl.date >= 0 {
					return cl, fmt.Errorf("{date} appears twice")
				}
				cl.date = group
				re.WriteString(`([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{8}|[0-9]{1,2}-[0-9]{1,2}-[0-9]{4})`)
			case isSubjectType(key) && (field == "name" || field == "id"):
				st := rules.SubjectType(key)
				if cl.subject != "" && cl.subject != st {
					return cl, fmt.Errorf("names two subject types, %s and %s: a record belongs to one subject", cl.subject, st)
				}
				cl.subject = st
				if field == "name" {
					if cl.name >= 0 {
						return cl, fmt.Errorf("{%s.name} appears twice", key)
					}
					cl.name = group
				} else {
					if cl.id >= 0 {
						return cl, fmt.Errorf("{%s.id} appears twice", key)
					}
					cl.id = group
				}
				re.WriteString(`([^/]+?)`)
			default:
				return cl, fmt.Errorf("unknown placeholder %q: use {SUBJECT.name}, {SUBJECT.id} (SUBJECT one of %s), {end_year} or {date}",
					rest[loc[0]:loc[1]], subjectList())
			}
			rest = rest[loc[1]:]
		}
		if !last {
			re.WriteString("/")
			if literal {
				prefix.WriteString("/")
			}
		}
	}
	re.WriteString("$")
	r, err := regexp.Compile(re.String())
	if err != nil {
		return cl, fmt.Errorf("cannot compile: %v", err)
	}
	cl.re = r
	cl.prefix = prefix.String()
	cl.folder = len(segs) >= 2 && segs[len(segs)-1] == "**"
	return cl, nil
}

func writeLiteral(re, prefix *strings.Builder, s string, literal *bool) {
	for _, part := range strings.SplitAfter(s, "*") {
		text, star := strings.CutSuffix(part, "*")
		re.WriteString(regexp.QuoteMeta(text))
		if *literal {
			prefix.WriteString(text)
		}
		if star {
			re.WriteString(`[^/]*`)
			*literal = false
		}
	}
}

func isSubjectType(s string) bool {
	for _, t := range rules.SubjectTypes {
		if string(t) == s {
			return true
		}
	}
	return false
}

func subjectList() string {
	var s []string
	for _, t := range rules.SubjectTypes {
		s = append(s, string(t))
	}
	return strings.Join(s, ", ")
}

// Match returns the first layout that matches path (slash-separated,
// relative to the store's root), with what its placeholders captured.
// A {date} that is not a real calendar date makes that layout not match.
func (c *Classifier) Match(path string) (Match, bool) {
	for i := range c.layouts {
		if m, ok := c.matchOne(i, path); ok {
			return m, true
		}
	}
	return Match{}, false
}

// matchOne matches path against layout i.
func (c *Classifier) matchOne(i int, path string) (Match, bool) {
	l := &c.layouts[i]
	if len(path) < len(l.prefix) || !strings.EqualFold(path[:len(l.prefix)], l.prefix) {
		return Match{}, false
	}
	sub := l.re.FindStringSubmatch(path)
	if sub == nil {
		return Match{}, false
	}
	m := Match{Layout: i, Category: l.category, SubjectType: l.subject, Rule: l.rule}
	if l.name >= 0 {
		m.Name = sub[l.name]
	}
	if l.id >= 0 {
		m.ID = sub[l.id]
	}
	if l.year >= 0 {
		m.EndYear, _ = strconv.Atoi(sub[l.year])
	}
	if l.date >= 0 {
		d, ok := parsePathDate(sub[l.date])
		if !ok {
			return Match{}, false
		}
		m.Date = d
	}
	return m, true
}

// parsePathDate reads 2024-03-15, 20240315 or 15-03-2024 (Dutch order).
func parsePathDate(s string) (rules.Date, bool) {
	var layout string
	switch {
	case len(s) == 8:
		layout = "20060102"
	case len(s) == 10 && s[4] == '-':
		layout = "2006-01-02"
	default:
		layout = "2-1-2006"
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return rules.Date{}, false
	}
	return rules.DateIn(t, time.UTC), true
}
