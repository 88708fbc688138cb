package graphtest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// route answers one Graph request other than $batch.
func (s *Server) route(req *request) *response {
	t := parsePath(req.path)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch t.kind {
	case "me":
		return errResp(http.StatusBadRequest, "BadRequest", "/me request is only valid with delegated authentication flow.")
	case "site", "siteDrives", "drive":
		if req.method != http.MethodGet {
			return methodNotAllowed()
		}
		if t.kind == "drive" {
			d, resp := s.resolveDrive(t)
			if resp != nil {
				return resp
			}
			return jsonResp(http.StatusOK, d.driveJSON())
		}
		st := s.findSite(t.siteRef)
		if st == nil {
			return errResp(http.StatusNotFound, "itemNotFound", "Requested site could not be found")
		}
		if t.kind == "site" {
			return jsonResp(http.StatusOK, st.siteJSON())
		}
		var values []any
		for _, id := range st.drives {
			values = append(values, s.drives[id].driveJSON())
		}
		return jsonResp(http.StatusOK, s.collection("drive", values, nil))
	case "item":
		d, resp := s.resolveDrive(t)
		if resp != nil {
			return resp
		}
		it := d.root
		if t.itemID != "" {
			if it = d.items[t.itemID]; it == nil {
				return notFound()
			}
		}
		if t.byPath {
			if it = lookupUnder(it, t.itemPath); it == nil {
				return notFound()
			}
		}
		return s.itemAction(req, t, d, it)
	}
	return errResp(http.StatusBadRequest, "BadRequest", "Resource not found for the segment in "+strconv.Quote(req.path)+".")
}

func methodNotAllowed() *response {
	return errResp(http.StatusMethodNotAllowed, "BadRequest", "The HTTP method is not allowed for this resource.")
}

// lookupUnder finds a path below a folder, case-insensitively.
func lookupUnder(it *item, p string) *item {
	for _, name := range splitPath(p) {
		if it = it.children[strings.ToLower(name)]; it == nil {
			return nil
		}
	}
	return it
}

// resolveDrive finds the drive a target names. Caller holds s.mu.
func (s *Server) resolveDrive(t target) (*drive, *response) {
	var id string
	switch {
	case t.driveID != "":
		id = t.driveID
	case t.userUPN != "":
		if id = s.users[strings.ToLower(t.userUPN)]; id == "" {
			return nil, errResp(http.StatusNotFound, "ResourceNotFound", "User's mysite not found.")
		}
	default:
		st := s.findSite(t.siteRef)
		if st == nil || len(st.drives) == 0 {
			return nil, errResp(http.StatusNotFound, "itemNotFound", "Requested site could not be found")
		}
		id = st.drives[0]
	}
	d := s.drives[id]
	if d == nil {
		return nil, errResp(http.StatusNotFound, "itemNotFound", "The resource could not be found.")
	}
	return d, nil
}

// findSite finds a site by id or by host and path. Caller holds s.mu.
func (s *Server) findSite(ref siteRef) *site {
	for _, st := range s.sites {
		if ref.id != "" && strings.EqualFold(ref.id, st.id) {
			return st
		}
		if ref.id == "" && strings.EqualFold(ref.host, st.hostname) && strings.EqualFold(ref.path, st.path) {
			return st
		}
	}
	return nil
}

// itemAction answers a request on an item. Caller holds s.mu.
func (s *Server) itemAction(req *request, t target, d *drive, it *item) *response {
	type key struct{ method, action string }
	switch (key{req.method, t.action}) {
	case key{http.MethodGet, ""}:
		return jsonResp(http.StatusOK, applySelect(s.itemJSON(d, it, false), req.query.Get("$select")))
	case key{http.MethodDelete, ""}:
		if resp := checkDeletable(req, it); resp != nil {
			return resp
		}
		d.recycle(it, s.now())
		return &response{status: http.StatusNoContent, header: http.Header{}}
	case key{http.MethodPost, "permanentDelete"}:
		if !d.permDelOK {
			return errResp(d.permDelSt, "notSupported", "Permanent delete is not supported for this drive.")
		}
		if resp := checkDeletable(req, it); resp != nil {
			return resp
		}
		d.remove(it)
		return &response{status: http.StatusNoContent, header: http.Header{}}
	case key{http.MethodGet, "children"}:
		return s.children(req, d, it)
	case key{http.MethodGet, "content"}:
		if it.folder {
			return errResp(http.StatusBadRequest, "invalidRequest", "The item is a folder and has no content.")
		}
		return redirect(s.downloadURL(d, it))
	case key{http.MethodGet, "delta"}:
		return s.delta(req, t, d, it)
	case key{http.MethodGet, "permissions"}:
		values := []any{}
		for _, p := range it.perms {
			values = append(values, permissionJSON(p, d.owner))
		}
		// Links made on a folder reach everything in it: Graph lists them
		// on each item below, marked inheritedFrom.
		for up := it.parent; up != nil; up = up.parent {
			for _, p := range up.perms {
				if p.scope != "" {
					m := permissionJSON(p, d.owner)
					m["inheritedFrom"] = map[string]any{"driveId": d.id, "id": up.id}
					values = append(values, m)
				}
			}
		}
		return jsonResp(http.StatusOK, s.collection("permission", values, nil))
	case key{http.MethodGet, "versions"}:
		if it.folder {
			return errResp(http.StatusBadRequest, "invalidRequest", "Versions are not supported for folders.")
		}
		return jsonResp(http.StatusOK, s.collection("driveItemVersion", versionsJSON(it), nil))
	case key{http.MethodGet, "version"}, key{http.MethodGet, "versionContent"}, key{http.MethodDelete, "version"}:
		return s.versionAction(req, t, d, it)
	}
	return methodNotAllowed()
}

// checkDeletable refuses to delete the root, and honours If-Match.
func checkDeletable(req *request, it *item) *response {
	if it.parent == nil {
		return errResp(http.StatusForbidden, "accessDenied", "The root of a drive cannot be deleted.")
	}
	if m := req.header.Get("If-Match"); m != "" && m != "*" && m != it.eTag() {
		return errResp(http.StatusPreconditionFailed, "resourceModified", "ETag does not match current item's value.")
	}
	return nil
}

func redirect(to string) *response {
	return &response{status: http.StatusFound, header: http.Header{"Location": {to}}}
}

// versionAction gets one version, its content, or deletes it.
func (s *Server) versionAction(req *request, t target, d *drive, it *item) *response {
	n, err := strconv.Atoi(strings.TrimSuffix(t.actionArg, ".0"))
	if it.folder || err != nil || n < 1 || n > len(it.versions)+1 {
		return errResp(http.StatusNotFound, "itemNotFound", "The version could not be found.")
	}
	current := n == len(it.versions)+1
	switch {
	case req.method == http.MethodDelete && current:
		return errResp(http.StatusForbidden, "accessDenied", "The current version of a file cannot be deleted.")
	case req.method == http.MethodDelete && !s.versionDel:
		return errResp(http.StatusMethodNotAllowed, "notSupported", "Deleting a single version is not supported.")
	case req.method == http.MethodDelete:
		it.versions = append(it.versions[:n-1], it.versions[n:]...)
		d.touch(it, false)
		return &response{status: http.StatusNoContent, header: http.Header{}}
	case t.action == "versionContent" && current:
		return redirect(s.downloadURL(d, it))
	case t.action == "versionContent":
		return redirect(s.versionURL(d, it, n))
	}
	all := versionsJSON(it)
	return jsonResp(http.StatusOK, all[len(all)-n])
}

// children lists a folder's children, $top at a time, with a $skiptoken
// nextLink. Caller holds s.mu.
func (s *Server) children(req *request, d *drive, it *item) *response {
	top, ok := s.pageSize(req.query.Get("$top"))
	if !ok {
		return errResp(http.StatusBadRequest, "invalidRequest", "Invalid $top value.")
	}
	skip := 0
	if v := req.query.Get("$skiptoken"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return errResp(http.StatusBadRequest, "invalidRequest", "Invalid $skiptoken value.")
		}
		skip = n
	}
	kids := it.sortedChildren()
	values := []any{}
	for i := skip; i < len(kids) && i < skip+top; i++ {
		values = append(values, applySelect(s.itemJSON(d, kids[i], false), req.query.Get("$select")))
	}
	links := map[string]string{}
	if skip+top < len(kids) {
		q := url.Values{"$top": {strconv.Itoa(top)}, "$skiptoken": {strconv.Itoa(skip + top)}}
		if sel := req.query.Get("$select"); sel != "" {
			q.Set("$select", sel)
		}
		links["@odata.nextLink"] = s.GraphURL() + "/drives/" + url.PathEscape(d.id) + "/items/" + it.id + "/children?" + q.Encode()
	}
	return jsonResp(http.StatusOK, s.collection("driveItem", values, links))
}

// pageSize reads $top: the default when absent, clamped to the maximum.
func (s *Server) pageSize(v string) (int, bool) {
	if v == "" {
		return s.opts.PageSize, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, false
	}
	return min(n, s.opts.MaxPageSize), true
}
