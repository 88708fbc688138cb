package graphtest

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// enumeration is one delta listing in progress: the ids it reports, fixed
// when it starts, and the change sequence its deltaLink will resume from.
// Items are rendered as they are when their page is served, so a change
// during the listing shows now and again in the next delta, as in Graph.
type enumeration struct {
	ids      []string
	upto     int64
	pageSize int
}

// deltaToken is what a delta token carries. Tokens are opaque to clients.
type deltaToken struct {
	next   bool  // a nextLink token (else a deltaLink token)
	epoch  int   // the drive's token epoch when it was issued
	seq    int64 // deltaLink: changes after this are reported
	enum   int   // nextLink: the enumeration
	offset int   // nextLink: where the next page starts
}

func (d *drive) check() string {
	sum := sha256.Sum256([]byte(d.id))
	return fmt.Sprintf("%x", sum[:3])
}

func (d *drive) encodeToken(tk deltaToken) string {
	var s string
	if tk.next {
		s = fmt.Sprintf("n.%s.%d.%d.%d", d.check(), tk.epoch, tk.enum, tk.offset)
	} else {
		s = fmt.Sprintf("d.%s.%d.%d", d.check(), tk.epoch, tk.seq)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func (d *drive) decodeToken(s string) (deltaToken, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return deltaToken{}, false
	}
	f := strings.Split(string(raw), ".")
	if len(f) < 4 || f[1] != d.check() {
		return deltaToken{}, false
	}
	nums := make([]int64, 0, 3)
	for _, x := range f[2:] {
		n, err := strconv.ParseInt(x, 10, 64)
		if err != nil || n < 0 {
			return deltaToken{}, false
		}
		nums = append(nums, n)
	}
	switch {
	case f[0] == "d" && len(nums) == 2:
		return deltaToken{epoch: int(nums[0]), seq: nums[1]}, true
	case f[0] == "n" && len(nums) == 3:
		return deltaToken{next: true, epoch: int(nums[0]), enum: int(nums[1]), offset: int(nums[2])}, true
	}
	return deltaToken{}, false
}

// deltaURL is the canonical delta address for links and Location headers.
func (s *Server) deltaURL(d *drive, token string) string {
	u := s.GraphURL() + "/drives/" + url.PathEscape(d.id) + "/root/delta"
	if token != "" {
		u += "?token=" + url.QueryEscape(token)
	}
	return u
}

// delta answers a delta query: a full listing without a token, the
// changes since a deltaLink token, the next page for a nextLink token,
// nothing but a fresh deltaLink for token=latest, and 410 resyncRequired
// for a token issued before the test expired the drive's tokens. Caller
// holds s.mu.
func (s *Server) delta(req *request, t target, d *drive, it *item) *response {
	if it.parent != nil {
		return errResp(http.StatusBadRequest, "invalidRequest", "Delta is only supported on the root of a drive.")
	}
	tok := req.query.Get("token")
	if t.hasArg {
		tok = t.actionArg
	}
	top, ok := s.pageSize(req.query.Get("$top"))
	if !ok {
		return errResp(http.StatusBadRequest, "invalidRequest", "Invalid $top value.")
	}
	if tok == "latest" {
		link := s.deltaURL(d, d.encodeToken(deltaToken{epoch: d.epoch, seq: d.seq}))
		return jsonResp(http.StatusOK, s.collection("driveItem", []any{}, map[string]string{"@odata.deltaLink": link}))
	}
	var enumID, offset int
	switch {
	case tok == "":
		enumID = d.startEnumeration(0, true, false, top)
	default:
		dt, ok := d.decodeToken(tok)
		if !ok {
			return errResp(http.StatusBadRequest, "invalidRequest", "Invalid delta token.")
		}
		if dt.epoch != d.epoch {
			resp := errResp(http.StatusGone, "resyncRequired", "Resync required. Replace any local items with the server's version (including deletes) if you're sure that the service was up to date with your local changes when you last sync'd. Upload any local changes that the server doesn't know about.")
			resp.body.(map[string]any)["error"].(map[string]any)["innerError"].(map[string]any)["code"] = "resyncChangesApplyDifferences"
			resp.header.Set("Location", s.deltaURL(d, ""))
			return resp
		}
		if dt.next {
			if d.enums[dt.enum] == nil {
				return errResp(http.StatusBadRequest, "invalidRequest", "Invalid delta token.")
			}
			enumID, offset = dt.enum, dt.offset
			if req.query.Get("$top") == "" {
				top = d.enums[enumID].pageSize
			}
		} else {
			excludeParents := strings.Contains(strings.ToLower(req.header.Get("Prefer")), "deltaexcludeparent")
			enumID = d.startEnumeration(dt.seq, false, excludeParents, top)
		}
	}
	e := d.enums[enumID]
	values := []any{}
	end := min(offset+top, len(e.ids))
	for _, id := range e.ids[min(offset, end):end] {
		x := d.items[id]
		if x == nil {
			x = d.tombs[id]
		}
		values = append(values, applySelect(s.itemJSON(d, x, true), req.query.Get("$select")))
	}
	links := map[string]string{}
	if end < len(e.ids) {
		links["@odata.nextLink"] = s.deltaURL(d, d.encodeToken(deltaToken{next: true, epoch: d.epoch, enum: enumID, offset: end}))
	} else {
		links["@odata.deltaLink"] = s.deltaURL(d, d.encodeToken(deltaToken{epoch: d.epoch, seq: e.upto}))
	}
	return jsonResp(http.StatusOK, s.collection("driveItem", values, links))
}

// startEnumeration fixes the ids a listing reports: every live item for a
// full listing; for changes since seq, the changed and deleted items and,
// unless excludeParents, the folders above changed items. Parents come
// before children; deletions come last.
func (d *drive) startEnumeration(since int64, full, excludeParents bool, pageSize int) int {
	var ids []string
	if full {
		d.root.walk(func(x *item) { ids = append(ids, x.id) })
	} else {
		want := map[string]bool{}
		mark := func(x *item) {
			want[x.id] = true
			if excludeParents {
				return
			}
			for p := x.parent; p != nil; p = p.parent {
				want[p.id] = true
			}
		}
		for _, x := range d.items {
			if x.seq > since {
				mark(x)
			}
		}
		var gone []*item
		for _, x := range d.tombs {
			if x.deletedSeq > since {
				gone = append(gone, x)
				if p := d.items[x.parent.id]; p != nil && !excludeParents {
					mark(p)
				}
			}
		}
		if len(want) > 0 {
			d.root.walk(func(x *item) {
				if want[x.id] {
					ids = append(ids, x.id)
				}
			})
		}
		slices.SortFunc(gone, func(a, b *item) int { return int(a.deletedSeq - b.deletedSeq) })
		for _, x := range gone {
			ids = append(ids, x.id)
		}
	}
	d.nextEnum++
	d.enums[d.nextEnum] = &enumeration{ids: ids, upto: d.seq, pageSize: pageSize}
	return d.nextEnum
}
