package onedrive

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/drives"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/retentiond/retentiond/scanners"
)

// deltaPageSize is the $top of delta requests. Graph documents no maximum
// and sends at most what it allows; SharePoint sends up to about a
// thousand.
const deltaPageSize = 1000

// deltaSelect are the item properties the index needs; asking for them
// alone keeps pages small.
var deltaSelect = []string{"id", "name", "size", "eTag", "lastModifiedDateTime", "parentReference", "file", "folder", "package", "root", "deleted", "shared"}

// maxResyncs is how many times one Scan starts over after Graph says its
// delta token expired.
const maxResyncs = 2

// Scan lists every file of the drive, in path order.
//
// It asks Graph with the delta query only for what changed since the last
// Scan (the delta token and an index of the drive are kept in StateDir),
// applies the changes to the index, and lists the whole drive from it. The
// first Scan, a Scan without StateDir, and a Scan whose token has expired
// (410 Gone) list the whole drive from Graph. Any error while listing
// fails the Scan and leaves the saved state as it was: a partial listing
// is never taken as the drive.
func (s *Store) Scan(ctx context.Context, fn func(scanners.Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.scanMu.Lock()
	defer s.scanMu.Unlock()
	x, link, err := s.loadState()
	if err != nil {
		return err
	}
	x, link, err = s.sync(ctx, x, link)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("onedrive: scan: %w", ctx.Err())
		}
		return fmt.Errorf("%w; the listing is incomplete, so nothing in this store will be acted on", err)
	}
	if err := s.saveState(x, link); err != nil {
		return err
	}
	refs := x.refs()
	s.refsMu.Lock()
	s.refs = refs
	s.refsMu.Unlock()
	return x.each(ctx, refs, fn)
}

// sync brings x up to date from link (a full listing when link is empty)
// and returns it with the delta link for next time.
func (s *Store) sync(ctx context.Context, x *index, link string) (*index, string, error) {
	if link == "" {
		x = newIndex()
	}
	for resyncs := 0; ; resyncs++ {
		next, err := s.deltaPages(ctx, x, link)
		if err == nil {
			if x.root == "" {
				if err := s.findRoot(ctx, x); err != nil {
					return nil, "", err
				}
			}
			x.prune()
			return x, next, nil
		}
		var ge *GraphError
		if resyncs >= maxResyncs || !errors.As(err, &ge) || ge.Status != 410 {
			return nil, "", err
		}
		// The token (of the deltaLink, or of a nextLink during the
		// listing) expired: list everything again into an empty index,
		// so that what was deleted meanwhile goes too.
		x, link = newIndex(), ""
	}
}

// deltaPages follows the delta query from link (or from the start) through
// every nextLink, applying items to x, and returns the final deltaLink.
func (s *Store) deltaPages(ctx context.Context, x *index, link string) (string, error) {
	var b *drives.ItemItemsItemDeltaRequestBuilder
	var cfg *drives.ItemItemsItemDeltaRequestBuilderGetRequestConfiguration
	if link == "" {
		// The SDK sends .../items/root/delta() (NOTES-GRAPH item 6).
		b = s.client.Drives().ByDriveId(s.driveID).Items().ByDriveItemId("root").Delta()
		top := int32(deltaPageSize)
		cfg = &drives.ItemItemsItemDeltaRequestBuilderGetRequestConfiguration{
			QueryParameters: &drives.ItemItemsItemDeltaRequestBuilderGetQueryParameters{Top: &top, Select: deltaSelect},
		}
	} else {
		if err := s.checkLink(link); err != nil {
			return "", err
		}
		b = drives.NewItemItemsItemDeltaRequestBuilder(link, s.adapter)
	}
	for page := 1; ; page++ {
		res, err := b.GetAsDeltaGetResponse(ctx, cfg)
		if err != nil {
			return "", wrap(fmt.Sprintf("scan: delta page %d", page), err)
		}
		for _, it := range res.GetValue() {
			x.apply(it)
		}
		if next := res.GetOdataNextLink(); next != nil && *next != "" {
			if err := s.checkLink(*next); err != nil {
				return "", err
			}
			b, cfg = drives.NewItemItemsItemDeltaRequestBuilder(*next, s.adapter), nil
			continue
		}
		if d := res.GetOdataDeltaLink(); d != nil && *d != "" {
			return *d, nil
		}
		return "", fmt.Errorf("onedrive: scan: delta page %d has neither a nextLink nor a deltaLink", page)
	}
}

// checkLink refuses a nextLink or deltaLink that leaves the endpoint: the
// token would not be sent there, and the listing would not be Graph's.
func (s *Store) checkLink(link string) error {
	u, err := url.Parse(link)
	e, _ := url.Parse(s.endpoint)
	if err != nil || !strings.EqualFold(u.Scheme, e.Scheme) || !strings.EqualFold(u.Host, e.Host) {
		return errors.New("onedrive: scan: Graph sent a delta link to another host than the endpoint; check endpoint in the config")
	}
	return nil
}

// findRoot asks for the root's id when delta did not list the root.
func (s *Store) findRoot(ctx context.Context, x *index) error {
	root, err := s.client.Drives().ByDriveId(s.driveID).Root().Get(ctx, nil)
	if err != nil {
		return wrap("scan: reading the drive's root", err)
	}
	if root.GetId() == nil {
		return errors.New("onedrive: scan: Graph returned the drive's root without an id")
	}
	x.root = *root.GetId()
	return nil
}

// apply records one delta item: a deletion, or the item's current state.
func (x *index) apply(it models.DriveItemable) {
	id := deref(it.GetId())
	if id == "" {
		return
	}
	if it.GetDeleted() != nil {
		delete(x.items, id)
		return
	}
	if it.GetRoot() != nil {
		x.root = id
		return
	}
	e := &entry{ID: id, Name: deref(it.GetName()), File: it.GetFile() != nil, ETag: deref(it.GetETag()), Shared: it.GetShared() != nil}
	if p := it.GetParentReference(); p != nil {
		e.Parent = deref(p.GetId())
	}
	if n := it.GetSize(); n != nil {
		e.Size = *n
	}
	if t := it.GetLastModifiedDateTime(); t != nil {
		e.Mod = *t
	}
	x.items[id] = e
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
