package plan

import (
	"context"
	"slices"
	"time"

	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners"
)

// Link is a sharing link on a record that reaches beyond named people: a
// finding (RETENTION-RULES.md R5), since a child's dossier open to anyone
// with the link is a breach risk. It holds no URL.
type Link struct {
	Scope     string   `json:"scope"` // anonymous or organization
	Type      string   `json:"type,omitempty"`
	Roles     []string `json:"roles,omitempty"`
	Expires   string   `json:"expires,omitempty"`
	Password  bool     `json:"password,omitempty"`
	Inherited bool     `json:"inherited,omitempty"`
}

// Link check modes (plan.Store.Links).
const (
	LinksShared = "shared" // records the store marks as shared (the default)
	LinksAll    = "all"    // every record with personal data
	LinksOff    = "off"
)

// checkLinks asks the store for the record's sharing links when the
// record holds personal data and the store's mode says so. A failed
// lookup becomes a warning on the item: the record's plan stands, but
// nobody is told it is not shared.
func (p *Planner) checkLinks(ctx context.Context, st Store, rec scanners.Record, it *Item) {
	ll, ok := st.Store.(scanners.LinkLister)
	if !ok || st.Links == LinksOff || rec.Kind != scanners.KindFile && rec.Kind != scanners.KindArchive {
		return
	}
	if st.Links != LinksAll && !rec.Shared {
		return
	}
	if it.Subject == nil && it.Category == "" {
		return // nothing says it holds personal data
	}
	links, err := ll.Links(ctx, rec.ID)
	if err != nil {
		it.Warnings = append(it.Warnings, msgLinksFailed.In(p.Lang))
		return
	}
	for _, l := range links {
		x := Link{Scope: l.Scope, Type: l.Type, Roles: l.Roles, Password: l.HasPassword, Inherited: l.Inherited}
		if !l.Expires.IsZero() {
			x.Expires = l.Expires.In(p.Location).Format(time.RFC3339)
		}
		it.Links = append(it.Links, x)
	}
	if len(it.Links) > 0 {
		it.Warnings = append(it.Warnings, msgShared.In(p.Lang))
	}
}

// applyLock makes a due item hold when the store itself forbids
// deleting the record (S3 Object Lock): apply would fail on it, and the
// administrator should see why and until when. A retention lock that ends
// before the plan's date no longer holds.
func (p *Planner) applyLock(rec scanners.Record, it *Item) {
	l := rec.Lock
	if l == nil || (it.Action != rules.Delete && it.Action != rules.Pseudonymise) {
		return
	}
	if !l.Until.IsZero() && rules.DateIn(l.Until, p.Location).Before(p.AsOf) {
		return
	}
	reason := msgLegalHold
	if !l.Until.IsZero() {
		until := rules.DateIn(l.Until, p.Location)
		reason = rules.Text{EN: msgLockedUntil.EN + until.String(), NL: msgLockedUntil.NL + dutchDate(until)}
		it.Due = until.String()
	}
	it.Action = rules.Hold
	it.Locked = true
	it.Reason += "; " + reason.In(p.Lang)
}

// linkScopes lists the scopes of links, each once.
func linkScopes(links []Link) []string {
	var out []string
	for _, l := range links {
		if !slices.Contains(out, l.Scope) {
			out = append(out, l.Scope)
		}
	}
	return out
}

// Overdue says whether an item is past its due date on asOf and still
// there: the number that must be zero. An item due today is not overdue.
func Overdue(it *Item, asOf rules.Date) bool {
	if it.Action != rules.Delete && it.Action != rules.Pseudonymise || it.Due == "" {
		return false
	}
	due, err := rules.ParseDate(it.Due)
	return err == nil && due.Before(asOf)
}

var (
	msgLinksFailed = rules.Text{EN: "sharing links could not be checked", NL: "deellinks konden niet worden gecontroleerd"}
	msgShared      = rules.Text{EN: "shared by a link beyond named people (R5: a breach risk; remove the link)",
		NL: "gedeeld met een link voor meer dan genoemde personen (R5: risico op een datalek; verwijder de link)"}
	msgLegalHold   = rules.Text{EN: "the store holds it under a legal hold", NL: "de opslag houdt het vast (legal hold)"}
	msgLockedUntil = rules.Text{EN: "the store locks it (Object Lock) until ", NL: "de opslag vergrendelt het (Object Lock) tot "}
)
