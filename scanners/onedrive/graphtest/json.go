package graphtest

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// graphTime formats a timestamp as Graph does: UTC, whole seconds.
func graphTime(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05Z")
}

func identityJSON(id Identity) map[string]any {
	return map[string]any{"user": map[string]any{"displayName": id.DisplayName, "email": id.Email}}
}

// webURL is a SharePoint-looking address for an item; clients must not
// fetch it.
func (d *drive) webURL(p string) string {
	u := "https://example.sharepoint.com/personal/" + url.PathEscape(strings.ToLower(d.name)) + "/Documents"
	for _, s := range splitPath(p) {
		u += "/" + url.PathEscape(s)
	}
	return u
}

// itemJSON renders a driveItem. Delta leaves parentReference.path out, as
// Graph does for OneDrive for Business and SharePoint: clients must track
// items by id and rebuild paths from parentReference.id.
func (s *Server) itemJSON(d *drive, it *item, inDelta bool) map[string]any {
	if it.deletedSeq != 0 {
		return deletedJSON(d, it)
	}
	m := map[string]any{
		"@odata.type":          "#microsoft.graph.driveItem",
		"id":                   it.id,
		"name":                 it.name,
		"eTag":                 it.eTag(),
		"cTag":                 it.cTag(),
		"size":                 it.size(),
		"createdDateTime":      graphTime(it.created),
		"lastModifiedDateTime": graphTime(it.modified),
		"webUrl":               d.webURL(it.path()),
		"fileSystemInfo": map[string]any{
			"createdDateTime":      graphTime(it.created),
			"lastModifiedDateTime": graphTime(it.modified),
		},
	}
	if it.createdBy != (Identity{}) {
		m["createdBy"] = identityJSON(it.createdBy)
	}
	if it.modifiedBy != (Identity{}) {
		m["lastModifiedBy"] = identityJSON(it.modifiedBy)
	}
	ref := map[string]any{"driveType": d.driveType, "driveId": d.id}
	if it.parent != nil {
		ref["id"] = it.parent.id
		if !inDelta {
			ref["path"] = it.parentPath()
			ref["name"] = it.parent.name
		}
	}
	m["parentReference"] = ref
	if it.folder {
		m["folder"] = map[string]any{"childCount": len(it.children)}
	} else {
		m["file"] = map[string]any{"mimeType": it.mime}
		if !inDelta {
			m["@microsoft.graph.downloadUrl"] = s.downloadURL(d, it)
		}
	}
	if it.parent == nil {
		m["root"] = map[string]any{}
	}
	if scope := it.sharedScope(); scope != "" {
		// Graph's shared facet marks the item on which links were made
		// (not the items below a shared folder).
		m["shared"] = map[string]any{"scope": scope, "owner": map[string]any{"user": identityJSON(d.owner)["user"]}}
	}
	return m
}

// sharedScope is the widest scope of the item's own sharing links:
// "anonymous", "organization", "users", or "" if it has none.
func (it *item) sharedScope() string {
	best := ""
	rank := map[string]int{"": 0, "users": 1, "organization": 2, "anonymous": 3}
	for _, p := range it.perms {
		if rank[p.scope] > rank[best] {
			best = p.scope
		}
	}
	return best
}

// deletedJSON is how delta reports a deleted item: its id, its parent and
// the deleted facet, without name, size or times.
func deletedJSON(d *drive, it *item) map[string]any {
	m := map[string]any{
		"@odata.type":     "#microsoft.graph.driveItem",
		"id":              it.id,
		"deleted":         map[string]any{"state": "deleted"},
		"parentReference": map[string]any{"driveType": d.driveType, "driveId": d.id, "id": it.parent.id},
	}
	if it.folder {
		m["folder"] = map[string]any{"childCount": 0}
	} else {
		m["file"] = map[string]any{}
	}
	return m
}

// downloadURL registers a pre-authenticated URL for a file's content.
// Caller holds s.mu.
func (s *Server) downloadURL(d *drive, it *item) string {
	key := fmt.Sprintf("%s/%s/c%d", d.check(), it.id, it.ctagN)
	s.downloads[key] = dlRef{drive: d.id, item: it.id}
	return s.srv.URL + "/_download/" + key
}

// versionURL registers a download URL for the n-th (1-based) earlier
// version of a file. Caller holds s.mu.
func (s *Server) versionURL(d *drive, it *item, n int) string {
	key := fmt.Sprintf("%s/%s/v%d", d.check(), it.id, n)
	s.downloads[key] = dlRef{drive: d.id, item: it.id, version: n}
	return s.srv.URL + "/_download/" + key
}

func (d *drive) driveJSON() map[string]any {
	used := d.root.size()
	return map[string]any{
		"id":              d.id,
		"name":            d.name,
		"driveType":       d.driveType,
		"createdDateTime": graphTime(d.root.created),
		"webUrl":          d.webURL(""),
		"owner":           identityJSON(d.owner),
		"quota": map[string]any{
			"total": int64(1 << 40), "used": used, "remaining": int64(1<<40) - used,
			"deleted": int64(0), "state": "normal",
		},
	}
}

func (st *site) siteJSON() map[string]any {
	name := st.path[strings.LastIndexByte(st.path, '/')+1:]
	return map[string]any{
		"id":             st.id,
		"name":           name,
		"displayName":    name,
		"webUrl":         "https://" + st.hostname + st.path,
		"siteCollection": map[string]any{"hostname": st.hostname},
	}
}

// permissionJSON renders a permission: the owner's grant, or a sharing
// link.
func permissionJSON(p permission, owner Identity) map[string]any {
	m := map[string]any{"id": p.id, "roles": p.roles}
	if p.scope == "" {
		m["grantedToV2"] = identityJSON(owner)
		return m
	}
	m["shareId"] = "u!" + p.id
	m["hasPassword"] = false
	m["link"] = map[string]any{
		"scope":            p.scope,
		"type":             p.typ,
		"webUrl":           "https://example.sharepoint.com/:f:/g/" + p.id,
		"preventsDownload": false,
	}
	if p.scope == "users" {
		m["grantedToIdentitiesV2"] = []any{identityJSON(Identity{DisplayName: "Extern", Email: "extern@example.com"})}
	}
	return m
}

// versionsJSON lists a file's versions newest first, the current version
// included, as Graph does. Version ids are "1.0", "2.0", ….
func versionsJSON(it *item) []any {
	out := []any{map[string]any{
		"id":                   fmt.Sprintf("%d.0", len(it.versions)+1),
		"lastModifiedDateTime": graphTime(it.modified),
		"size":                 len(it.content),
		"lastModifiedBy":       identityJSON(it.modifiedBy),
	}}
	for i := len(it.versions) - 1; i >= 0; i-- {
		v := it.versions[i]
		out = append(out, map[string]any{
			"id":                   fmt.Sprintf("%d.0", i+1),
			"lastModifiedDateTime": graphTime(v.modified),
			"size":                 len(v.content),
			"lastModifiedBy":       identityJSON(v.by),
		})
	}
	return out
}

// collection wraps a page of values with its context and links.
func (s *Server) collection(kind string, values []any, links map[string]string) map[string]any {
	m := map[string]any{
		"@odata.context": s.GraphURL() + "/$metadata#Collection(" + kind + ")",
		"value":          values,
	}
	for k, v := range links {
		m[k] = v
	}
	return m
}

// applySelect keeps only the $select-ed properties of an object, plus id,
// the deleted facet and OData annotations, which Graph always sends.
func applySelect(m map[string]any, sel string) map[string]any {
	if sel == "" {
		return m
	}
	keep := map[string]bool{"id": true, "deleted": true}
	for _, f := range strings.Split(sel, ",") {
		keep[strings.TrimSpace(f)] = true
	}
	out := map[string]any{}
	for k, v := range m {
		if keep[k] || strings.HasPrefix(k, "@odata.") {
			out[k] = v
		}
	}
	return out
}
