package rules

import "slices"

// ReadsModDate reports whether deciding a record of category c may read
// its modification date (Facts.ModDate): whether a rule on c runs from
// record_date or fiscal_year_end, which fall back on it where the path
// gives no date, or a transfer rule covers c (its decision follows
// another category's rules). When it is false, records that differ only
// in their modification date get the same decision, and a caller that
// remembers decisions (a plan's scan) may leave the date out of what it
// compares.
func (p *Policy) ReadsModDate(c Category) bool {
	if p == nil {
		return false
	}
	for i := range p.rules {
		r := &p.rules[i]
		if len(r.Categories) > 0 && !slices.Contains(r.Categories, c) {
			continue
		}
		if r.Kind == KindTransfer || slices.Contains(r.Triggers, RecordDate) || slices.Contains(r.Triggers, FiscalYearEnd) {
			return true
		}
	}
	return false
}
