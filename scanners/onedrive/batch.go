package onedrive

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	core "github.com/microsoftgraph/msgraph-sdk-go-core"

	"github.com/retentiond/retentiond/scanners"
)

// batchSize is the most requests Graph takes in one $batch.
const batchSize = 20

// DeleteRequest is a record to delete and the version (eTag) it was
// planned at. The item is deleted only if it is still at this version,
// which is the apply re-check done by Graph itself (If-Match), with no
// extra request. An empty Version means the version Scan last saw.
type DeleteRequest = scanners.DeleteRequest

// pending is a delete on its way: its place in the caller's slice, the
// item and the eTag it must still have.
type pending struct {
	at     int
	itemID string
	eTag   string
}

// DeleteMany deletes records in JSON batches of up to 20 requests (fewer
// if RequestsPerMinute is below 20, so that a batch fits the budget) and
// returns one error per request (nil for a deleted record), in order. An
// error wraps scanners.ErrNotFound if the record is gone, ErrChanged if it
// is no longer at its planned version, and ErrPermanentDeleteUnsupported as
// Delete does. Records are found through the index of the last Scan (a
// record Scan has not seen is read from Graph first, one request each).
// Requests that Graph throttled inside a batch that itself succeeded are
// sent again in a new batch after the longest Retry-After they carry;
// nothing else is repeated.
func (s *Store) DeleteMany(ctx context.Context, items []DeleteRequest) []error {
	errs := make([]error, len(items))
	todo := s.resolve(ctx, items, errs)
	for round := 0; len(todo) > 0; round++ {
		var retry []pending
		var wait time.Duration
		for chunk := range slices.Chunk(todo, s.batchSize) {
			again, after := s.sendBatch(ctx, chunk, errs)
			retry = append(retry, again...)
			wait = max(wait, after)
		}
		if len(retry) == 0 {
			break
		}
		if round >= s.tune.maxRetries {
			for _, p := range retry {
				errs[p.at] = fmt.Errorf("onedrive: delete: still throttled after %d retries: %w", round, ErrThrottled)
			}
			break
		}
		if wait == 0 {
			wait, _ = (&transport{tune: s.tune}).delay("", round)
		}
		if err := s.tune.sleep(ctx, wait); err != nil {
			for _, p := range retry {
				errs[p.at] = fmt.Errorf("onedrive: delete: %w", err)
			}
			break
		}
		todo = retry
	}
	return errs
}

// resolve finds the item behind each request, filling errs for those it
// cannot act on.
func (s *Store) resolve(ctx context.Context, items []DeleteRequest, errs []error) []pending {
	for i, it := range items {
		if _, err := scanners.CleanID(it.ID); err != nil {
			errs[i] = fmt.Errorf("onedrive: delete: %w", err)
		}
	}
	known := s.knownRefs()
	var out []pending
	for i, it := range items {
		if errs[i] != nil {
			continue
		}
		r, ok := known[it.ID]
		if !ok {
			rec, itemID, err := s.stat(ctx, "delete", it.ID)
			if err != nil {
				errs[i] = err
				continue
			}
			r = ref{itemID: itemID, eTag: rec.Version}
			if it.Version != "" && it.Version != rec.Version {
				errs[i] = fmt.Errorf("onedrive: delete: %w", ErrChanged)
				continue
			}
		}
		eTag := it.Version
		if eTag == "" {
			eTag = r.eTag
		}
		out = append(out, pending{at: i, itemID: r.itemID, eTag: eTag})
	}
	return out
}

// sendBatch sends one $batch and records each answer in errs. It returns
// the requests Graph throttled and the longest Retry-After among them.
func (s *Store) sendBatch(ctx context.Context, chunk []pending, errs []error) ([]pending, time.Duration) {
	batch := core.NewBatchRequest(s.adapter)
	byID := make(map[string]pending, len(chunk))
	for n, p := range chunk {
		ri, err := s.deleteRequest(ctx, p.itemID, p.eTag)
		if err == nil {
			var bi core.BatchItem
			if bi, err = batch.AddBatchRequestStep(*ri); err == nil {
				id := strconv.Itoa(n + 1)
				bi.SetId(&id)
				byID[id] = p
			}
		}
		if err != nil {
			errs[p.at] = wrap("delete", err)
		}
	}
	if len(byID) == 0 {
		return nil, 0
	}
	resp, err := batch.Send(ctx, s.adapter)
	if err != nil {
		err = wrap("delete: sending a batch", err)
		for _, p := range byID {
			errs[p.at] = err
		}
		return nil, 0
	}
	var retry []pending
	var wait time.Duration
	for id, p := range byID {
		item := resp.GetResponseById(id)
		if item == nil || item.GetStatus() == nil {
			errs[p.at] = errors.New("onedrive: delete: Graph's batch answer left this request out")
			continue
		}
		status := int(*item.GetStatus())
		if status < 300 {
			errs[p.at] = nil
			continue
		}
		headers := item.GetHeaders()
		if retryable(http.MethodDelete, status) {
			retry = append(retry, p)
			if d, ok := parseRetryAfter(subHeader(headers, "Retry-After"), s.tune.now()); ok {
				wait = max(wait, min(d, s.tune.maxRetryAfter))
			}
			continue
		}
		ge := newGraphError("delete", status, bodyCode(item.GetBody()), subHeader(headers, "request-id"))
		errs[p.at] = s.deleteErr(ge)
	}
	return retry, wait
}

// subHeader finds a header of a batch sub-response, whose names arrive in any
// case.
func subHeader(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// bodyCode is Graph's error code in a sub-response body, as the SDK
// decodes it (strings arrive as *string).
func bodyCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	switch code := e["code"].(type) {
	case string:
		return code
	case *string:
		return deref(code)
	}
	return ""
}
