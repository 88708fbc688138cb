package onedrive

import (
	"context"
	"fmt"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/drives"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/retentiond/retentiond/scanners"
)

// Link scopes SharingLinks reports.
const (
	// ScopeAnonymous is an "anyone with the link" link: whoever has the
	// URL can open the file without signing in.
	ScopeAnonymous = "anonymous"
	// ScopeOrganization is a link anyone in the tenant can use.
	ScopeOrganization = "organization"
)

// Link is a sharing link on a file that reaches beyond named people. It
// holds no URL: the URL itself grants access.
type Link struct {
	// PermissionID is the permission's id, to remove the link with.
	PermissionID string
	// Scope is ScopeAnonymous or ScopeOrganization.
	Scope string
	// Type is the link's type: "view", "edit", "embed", ...
	Type string
	// Roles are what the link grants ("read", "write").
	Roles []string
	// Expires is when the link stops working; zero if never.
	Expires time.Time
	// HasPassword says the link needs a password.
	HasPassword bool
	// Inherited says the link was made on a folder holding the file.
	Inherited bool
}

// SharingLinks lists the anonymous and organisation-wide sharing links on
// the file id (made on it or on a folder above it). Links to named people
// are not listed. It takes one request for the file (none if the last Scan
// in this process listed it) and one per page of permissions.
func (s *Store) SharingLinks(ctx context.Context, id string) ([]Link, error) {
	itemID, err := s.itemID(ctx, "sharing links", id)
	if err != nil {
		return nil, err
	}
	var links []Link
	b := s.item(itemID).Permissions()
	for page := 1; ; page++ {
		res, err := b.Get(ctx, nil)
		if err != nil {
			return nil, wrap(fmt.Sprintf("sharing links: permissions page %d", page), err)
		}
		for _, p := range res.GetValue() {
			if l, ok := linkOf(p); ok {
				links = append(links, l)
			}
		}
		next := res.GetOdataNextLink()
		if next == nil || *next == "" {
			return links, nil
		}
		if err := s.checkLink(*next); err != nil {
			return nil, err
		}
		b = drives.NewItemItemsItemPermissionsRequestBuilder(*next, s.adapter)
	}
}

// linkOf returns p as a Link if it is an anonymous or organisation link.
func linkOf(p models.Permissionable) (Link, bool) {
	sl := p.GetLink()
	if sl == nil {
		return Link{}, false
	}
	scope := deref(sl.GetScope())
	if scope != ScopeAnonymous && scope != ScopeOrganization {
		return Link{}, false
	}
	l := Link{
		PermissionID: deref(p.GetId()),
		Scope:        scope,
		Type:         deref(sl.GetTypeEscaped()),
		Roles:        p.GetRoles(),
		HasPassword:  deref(p.GetHasPassword()),
		Inherited:    p.GetInheritedFrom() != nil,
	}
	if t := p.GetExpirationDateTime(); t != nil {
		l.Expires = *t
	}
	return l, true
}

// Links is SharingLinks for the store-neutral scanners.LinkLister.
func (s *Store) Links(ctx context.Context, id string) ([]scanners.Link, error) {
	ls, err := s.SharingLinks(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]scanners.Link, len(ls))
	for i, l := range ls {
		out[i] = scanners.Link{Scope: l.Scope, Type: l.Type, Roles: l.Roles, Expires: l.Expires, HasPassword: l.HasPassword, Inherited: l.Inherited}
	}
	return out, nil
}

var _ scanners.LinkLister = (*Store)(nil)
var _ scanners.BatchDeleter = (*Store)(nil)

// itemID finds the item behind a record ID: from the last Scan's listing
// if it has it, or else by reading it from Graph.
func (s *Store) itemID(ctx context.Context, op, id string) (string, error) {
	if r, ok := s.cached(id); ok {
		return r.itemID, nil
	}
	_, itemID, err := s.stat(ctx, op, id)
	return itemID, err
}
