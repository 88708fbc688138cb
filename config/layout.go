package config

import (
	"fmt"
	"strings"

	"github.com/retentiond/retentiond/rules"
)

// layoutProblem is what is wrong with a layout path and how to fix it.
type layoutProblem struct{ msg, fix string }

func subjectList() string {
	names := make([]string, len(rules.SubjectTypes))
	for i, t := range rules.SubjectTypes {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

func placeholderFix() string {
	return "use {SUBJECT.name} or {SUBJECT.id} (SUBJECT is one of " + subjectList() + "), {end_year} or {date}"
}

// CheckLayoutPath checks the syntax of a layout path: slash-separated
// segments relative to the store's root, "*" and "**" wildcards ("**" only
// as a whole segment) and the placeholders {SUBJECT.name}, {SUBJECT.id},
// {end_year} and {date}, naming at most one subject type. It returns the
// subject type named ("" if none).
func CheckLayoutPath(p string) (rules.SubjectType, error) {
	t, prob := checkLayoutPath(p)
	if prob != nil {
		return "", fmt.Errorf("%s; fix: %s", prob.msg, prob.fix)
	}
	return t, nil
}

func checkLayoutPath(p string) (rules.SubjectType, *layoutProblem) {
	switch {
	case strings.TrimSpace(p) == "":
		return "", &layoutProblem{"the path is empty", `write a path relative to the store's root, such as "{child.name}/**"`}
	case strings.HasPrefix(p, "/"):
		return "", &layoutProblem{"the path starts with /", "layout paths are relative to the store's root: remove the leading /"}
	case strings.Contains(p, `\`):
		return "", &layoutProblem{`the path contains \`, "separate folders with / (also on Windows)"}
	}
	var subject rules.SubjectType
	for seg := range strings.SplitSeq(p, "/") {
		switch {
		case seg == "":
			return "", &layoutProblem{"the path has an empty folder name (// or a trailing /)", `remove the extra /; to match everything below a folder end with "/**"`}
		case seg == "." || seg == "..":
			return "", &layoutProblem{"the path contains " + seg, "layout paths stay inside the store's root: remove the " + seg + " folder"}
		case strings.Contains(seg, "**") && seg != "**":
			return "", &layoutProblem{fmt.Sprintf("%q: ** must be a whole folder name", seg), `write "**" between slashes to match any depth, or "*" to match within one name`}
		}
		t, prob := checkSegment(seg)
		if prob != nil {
			return "", prob
		}
		if t != "" && subject != "" && t != subject {
			return "", &layoutProblem{fmt.Sprintf("the path names two subject types (%s and %s)", subject, t),
				"a path belongs to one subject: use placeholders of one subject type only, and a separate layout entry for the other"}
		}
		if t != "" {
			subject = t
		}
	}
	return subject, nil
}

// checkSegment checks the braces and placeholders of one path segment.
func checkSegment(seg string) (rules.SubjectType, *layoutProblem) {
	var subject rules.SubjectType
	prevEnd := -1 // index just after the previous placeholder
	for i := 0; i < len(seg); i++ {
		switch seg[i] {
		case '}':
			return "", &layoutProblem{fmt.Sprintf("%q has a } without a {", seg), "balance the braces: placeholders are written {like.this}"}
		case '{':
			end := strings.IndexAny(seg[i+1:], "{}")
			if end < 0 || seg[i+1+end] == '{' {
				return "", &layoutProblem{fmt.Sprintf("%q has a { without a matching }", seg), "balance the braces: placeholders are written {like.this}"}
			}
			if prevEnd == i {
				return "", &layoutProblem{fmt.Sprintf("%q has two placeholders with nothing between them", seg),
					"separate the placeholders with text, such as {end_year}-{date}, or put them in different folders"}
			}
			name := seg[i+1 : i+1+end]
			t, ok := placeholder(name)
			if !ok {
				return "", &layoutProblem{fmt.Sprintf("{%s} is not a placeholder", name), placeholderFix()}
			}
			if t != "" && subject != "" && t != subject {
				return "", &layoutProblem{fmt.Sprintf("the path names two subject types (%s and %s)", subject, t),
					"a path belongs to one subject: use placeholders of one subject type only"}
			}
			if t != "" {
				subject = t
			}
			i += end + 1
			prevEnd = i + 1
		}
	}
	return subject, nil
}

// placeholder reports whether name is a known placeholder, and the subject
// type it names, if any.
func placeholder(name string) (rules.SubjectType, bool) {
	if name == "end_year" || name == "date" {
		return "", true
	}
	typ, field, ok := strings.Cut(name, ".")
	if !ok || (field != "name" && field != "id") {
		return "", false
	}
	for _, t := range rules.SubjectTypes {
		if string(t) == typ {
			return t, true
		}
	}
	return "", false
}
