package onedrive

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/drives"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/retentiond/retentiond/scanners"
)

// Stat reads the item at id from Graph (by path) and returns it as a record
// whose Version is its eTag.
func (s *Store) Stat(ctx context.Context, id string) (scanners.Record, error) {
	rec, _, err := s.stat(ctx, "stat", id)
	return rec, err
}

// stat reads the file at id and returns its record and item id.
func (s *Store) stat(ctx context.Context, op, id string) (scanners.Record, string, error) {
	if err := ctx.Err(); err != nil {
		return scanners.Record{}, "", err
	}
	if _, err := scanners.CleanID(id); err != nil {
		return scanners.Record{}, "", fmt.Errorf("onedrive: %s: %w", op, err)
	}
	ri := s.rawRequest(abs.GET, "/drives/"+escapePath(s.driveID)+"/root:"+escapeSegments("/"+id)+":")
	res, err := s.adapter.Send(ctx, ri, models.CreateDriveItemFromDiscriminatorValue, errorMapping)
	if err != nil {
		return scanners.Record{}, "", wrap(op, err)
	}
	it, _ := res.(models.DriveItemable)
	switch {
	case it == nil || it.GetId() == nil:
		return scanners.Record{}, "", fmt.Errorf("onedrive: %s: Graph returned an item without an id", op)
	case it.GetFile() == nil:
		return scanners.Record{}, "", fmt.Errorf("onedrive: %s: it is a folder, not a file: %w", op, scanners.ErrNotFound)
	case !samePath(it, id):
		// OneDrive finds names case-insensitively; a store acts only
		// on the IDs it lists, spelled as it lists them.
		return scanners.Record{}, "", fmt.Errorf("onedrive: %s: the drive holds the file under another spelling of its name: %w", op, scanners.ErrNotFound)
	}
	rec := scanners.Record{ID: id, Kind: scanners.KindFile, Size: deref(it.GetSize()), Version: deref(it.GetETag())}
	if t := it.GetLastModifiedDateTime(); t != nil {
		rec.ModTime = *t
	}
	return rec, *it.GetId(), nil
}

// samePath says whether the item Graph found is spelled as id: the name
// exactly, and the parent's path where Graph gives it.
func samePath(it models.DriveItemable, id string) bool {
	dir, name := "", id
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		dir, name = id[:i], id[i+1:]
	}
	if deref(it.GetName()) != name {
		return false
	}
	p := it.GetParentReference()
	if p == nil || p.GetPath() == nil {
		return true
	}
	_, parent, ok := strings.Cut(*p.GetPath(), "root:")
	if !ok {
		return true
	}
	if dec, err := url.PathUnescape(parent); err == nil {
		parent = dec
	}
	return strings.Trim(parent, "/") == dir
}

// Open returns the content of the file at id. It reads the item (to refuse
// folders and other spellings) and then streams its content.
func (s *Store) Open(ctx context.Context, id string) (io.ReadCloser, error) {
	_, itemID, err := s.stat(ctx, "open", id)
	if err != nil {
		return nil, err
	}
	ri, err := s.item(itemID).Content().ToGetRequestInformation(ctx, nil)
	if err != nil {
		return nil, wrap("open", err)
	}
	// A response handler hands over the response unread, so the content
	// streams instead of being read into memory by the SDK.
	var resp *http.Response
	h := abs.NewRequestHandlerOption()
	h.SetResponseHandler(func(r any, _ abs.ErrorMappings) (any, error) {
		resp, _ = r.(*http.Response)
		return nil, nil
	})
	ri.AddRequestOptions([]abs.RequestOption{h})
	if _, err := s.adapter.SendPrimitive(ctx, ri, "[]byte", errorMapping); err != nil {
		return nil, wrap("open", err)
	}
	if resp == nil {
		return nil, fmt.Errorf("onedrive: open: no response")
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, newGraphError("open: downloading", resp.StatusCode, "", resp.Header.Get("request-id"))
	}
	return &body{rc: resp.Body}, nil
}

// body strips URLs from read errors.
type body struct{ rc io.ReadCloser }

func (b *body) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err != nil && err != io.EOF {
		err = wrap("open: reading", err)
	}
	return n, err
}

func (b *body) Close() error { return b.rc.Close() }

// Delete re-reads the file at id and deletes it if its eTag is still the
// one just read (If-Match; ErrChanged otherwise). By default the item goes
// to the recycle bin, where it stays (with its versions) for the tenant's
// retention, 93 days by default; with Config.PermanentDelete it is removed
// for good, or ErrPermanentDeleteUnsupported says the drive cannot.
// Deleting a file deletes all its earlier versions with it: Graph offers
// no way to delete one version, and none is needed.
func (s *Store) Delete(ctx context.Context, id string) error {
	rec, itemID, err := s.stat(ctx, "delete", id)
	if err != nil {
		return err
	}
	return s.deleteItem(ctx, itemID, rec.Version)
}

// deleteItem deletes one item if its eTag is still eTag.
func (s *Store) deleteItem(ctx context.Context, itemID, eTag string) error {
	ri, err := s.deleteRequest(ctx, itemID, eTag)
	if err != nil {
		return wrap("delete", err)
	}
	err = s.adapter.SendNoContent(ctx, ri, errorMapping)
	return s.deleteErr(wrap("delete", err))
}

// deleteRequest is the request that deletes an item: DELETE, or POST
// permanentDelete, with If-Match.
func (s *Store) deleteRequest(ctx context.Context, itemID, eTag string) (*abs.RequestInformation, error) {
	h := abs.NewRequestHeaders()
	if eTag != "" {
		h.Add("If-Match", eTag)
	}
	if s.permanent {
		return s.item(itemID).PermanentDelete().ToPostRequestInformation(ctx, &drives.ItemItemsItemPermanentDeleteRequestBuilderPostRequestConfiguration{Headers: h})
	}
	return s.item(itemID).ToDeleteRequestInformation(ctx, &drives.ItemItemsDriveItemItemRequestBuilderDeleteRequestConfiguration{Headers: h})
}

// deleteErr says so clearly when a permanent delete failed because the
// drive does not offer it.
func (s *Store) deleteErr(err error) error {
	ge, ok := err.(*GraphError)
	if !ok || !s.permanent || !permanentUnsupported(ge.Status, ge.Code) {
		return err
	}
	return fmt.Errorf("%w: %w; set permanent_delete: false to move items to the recycle bin instead (OneDrive personal accounts have no permanentDelete)", ge, ErrPermanentDeleteUnsupported)
}

// permanentUnsupported says whether Graph's answer to permanentDelete
// means the drive has no such action (rather than that the item is gone
// or changed).
func permanentUnsupported(status int, code string) bool {
	switch status {
	case http.StatusNotImplemented, http.StatusMethodNotAllowed:
		return true
	case http.StatusBadRequest, http.StatusForbidden:
		return code == "notSupported" || code == "invalidRequest" || code == "BadRequest"
	}
	return code == "notSupported"
}

func (s *Store) item(itemID string) *drives.ItemItemsDriveItemItemRequestBuilder {
	return s.client.Drives().ByDriveId(s.driveID).Items().ByDriveItemId(itemID)
}

// escapeSegments escapes each element of a slash-separated path, keeping
// the slashes; ':' is escaped too, as it ends a path address in Graph.
func escapeSegments(p string) string {
	parts := strings.Split(p, "/")
	for i, e := range parts {
		parts[i] = escapePath(e)
	}
	return strings.Join(parts, "/")
}

// escapePath escapes one path element.
func escapePath(e string) string {
	return strings.ReplaceAll(url.PathEscape(e), ":", "%3A")
}
