package registry

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/retentiond/retentiond/rules"
)

// problem says what is wrong with a cell, without quoting it: the cell is
// personal data and errors end up in logs.
type problem struct{ msg, fix string }

const dateFix = "write the date as dd-mm-yyyy (such as 15-03-2024) or yyyy-mm-dd, or leave the cell empty if it is not known"

var (
	// Day first, as Dutch exports write dates; "-", "/" or "." between
	// the parts, and an optional time of day that is ignored.
	dmyRe = regexp.MustCompile(`^(\d{1,2})[-/.](\d{1,2})[-/.](\d+)(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$`)
	isoRe = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$`)
	numRe = regexp.MustCompile(`^\d+(?:\.\d+)?$`)
)

// parseDate reads a date cell as Dutch exports write it. The empty string
// is the zero Date (unknown). A two-digit year is refused: whether 01-02-30
// is 1930 or 2030 decides whether a record is deleted, and guessing is not
// ours to do. A timestamp with a zone is read as the date it is in loc.
func parseDate(s string, loc *time.Location) (rules.Date, *problem) {
	s = strings.TrimSpace(s)
	if s == "" {
		return rules.Date{}, nil
	}
	var y, m, d string
	if g := isoRe.FindStringSubmatch(s); g != nil {
		y, m, d = g[1], g[2], g[3]
	} else if g := dmyRe.FindStringSubmatch(s); g != nil {
		d, m, y = g[1], g[2], g[3]
		if len(y) != 4 {
			return rules.Date{}, &problem{"has a year that is not written with four digits",
				"write the year in full (dd-mm-yyyy, such as 15-03-2024): a two-digit year does not say which century"}
		}
	} else if t, err := time.Parse(time.RFC3339, s); err == nil {
		return rules.DateIn(t, loc), nil
	} else {
		return rules.Date{}, &problem{"is not a date", dateFix}
	}
	return makeDate(y, m, d)
}

// makeDate checks the calendar: 31-02-2020 is an error, not 2 March.
func makeDate(ys, ms, ds string) (rules.Date, *problem) {
	y, _ := strconv.Atoi(ys)
	m, _ := strconv.Atoi(ms)
	d, _ := strconv.Atoi(ds)
	if y < 1000 || m < 1 || m > 12 || d < 1 || d > 31 {
		return rules.Date{}, &problem{"is not a possible date (day, month or year out of range)", dateFix}
	}
	t := time.Date(y, time.Month(m), d, 12, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return rules.Date{}, &problem{"is not a possible date (that month has fewer days)", "correct the day; " + dateFix}
	}
	return rules.MakeDate(y, time.Month(m), d), nil
}

// isNumber reports whether a cell holds a plain number, which in a date
// column can only be a spreadsheet date serial.
func isNumber(s string) bool { return numRe.MatchString(strings.TrimSpace(s)) }

var flagWords = map[string]bool{
	"": false, "ja": true, "nee": false, "j": true, "n": false, "yes": true, "no": false,
	"y": true, "true": true, "false": false, "1": true, "0": false, "waar": true,
	"onwaar": false, "x": true,
}

// parseFlag reads a yes/no cell; an empty cell is no.
func parseFlag(s string) (bool, *problem) {
	v, ok := flagWords[strings.ToLower(strings.TrimSpace(s))]
	if !ok {
		return false, &problem{"is not yes or no",
			"write ja or nee (also accepted: j/n, yes/no, y/n, true/false, waar/onwaar, 1/0, or x for yes and empty for no)"}
	}
	return v, nil
}
