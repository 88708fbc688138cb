package graphtest

import (
	"strings"
)

// target is what a Graph path addresses.
type target struct {
	kind string // "drive", "item", "site", "siteDrives", "me", "batch", "" (unknown)

	// The drive: by id, by a user's UPN, or a site's default library.
	driveID string
	userUPN string
	siteRef siteRef

	// The item: by id (root when both are empty), or by path from the
	// root (or from itemID when both are set).
	itemID   string
	itemPath string
	byPath   bool

	action    string // "", "children", "content", "delta", "versions", "version", "versionContent", "permissions", "permanentDelete"
	actionArg string // the version id, or the token of delta(token='…')
	hasArg    bool
}

// siteRef names a site by id or by host name and server-relative path.
type siteRef struct {
	id   string
	host string
	path string
}

// parsePath splits a decoded Graph path (relative to /v1.0) into what it
// addresses. Names in OneDrive cannot hold ':', so a colon always ends a
// path-addressing segment.
func parsePath(p string) target {
	rest := strings.TrimPrefix(p, "/")
	head, rest := cut(rest)
	switch head {
	case "$batch":
		if rest == "" {
			return target{kind: "batch"}
		}
	case "me":
		return target{kind: "me"}
	case "drives":
		id, rest := cut(rest)
		if id == "" {
			return target{}
		}
		return parseDriveRest(target{driveID: id}, rest)
	case "users":
		upn, rest := cut(rest)
		d, rest := cut(rest)
		if upn == "" || d != "drive" {
			return target{}
		}
		return parseDriveRest(target{userUPN: upn}, rest)
	case "sites":
		return parseSite(rest)
	}
	return target{}
}

// cut splits off the first path segment.
func cut(s string) (head, rest string) {
	head, rest, _ = strings.Cut(s, "/")
	return head, rest
}

func parseSite(rest string) target {
	var ref siteRef
	if host, after, ok := strings.Cut(rest, ":"); ok && !strings.Contains(host, "/") {
		// sites/{host}:/{path} or sites/{host}:/{path}:/drives…
		ref.host = host
		sitePath, tail, closed := strings.Cut(after, ":")
		ref.path = "/" + strings.Trim(sitePath, "/")
		rest = ""
		if closed {
			rest = strings.TrimPrefix(tail, "/")
		}
	} else {
		ref.id, rest = cut(rest)
		if ref.id == "" {
			return target{}
		}
	}
	head, tail := cut(rest)
	switch head {
	case "":
		return target{kind: "site", siteRef: ref}
	case "drives":
		if tail == "" {
			return target{kind: "siteDrives", siteRef: ref}
		}
		id, tail := cut(tail)
		return parseDriveRest(target{driveID: id}, tail)
	case "drive":
		return parseDriveRest(target{siteRef: ref}, tail)
	}
	return target{}
}

// parseDriveRest parses what follows a drive: nothing, root, root:/path:,
// items/{id} or items/{id}:/path:, then an action.
func parseDriveRest(t target, rest string) target {
	if rest == "" {
		t.kind = "drive"
		return t
	}
	t.kind = "item"
	switch {
	case rest == "root" || strings.HasPrefix(rest, "root/"):
		rest = strings.TrimPrefix(strings.TrimPrefix(rest, "root"), "/")
	case strings.HasPrefix(rest, "root:"):
		rest = t.parseItemPath(strings.TrimPrefix(rest, "root:"))
	case strings.HasPrefix(rest, "items/"):
		whole := strings.TrimPrefix(rest, "items/")
		id, tail := cut(whole)
		if i := strings.IndexByte(whole, ':'); i >= 0 && !strings.Contains(whole[:i], "/") {
			// items/{id}:/relative/path:/action
			id, tail = whole[:i], t.parseItemPath(whole[i+1:])
		}
		if id == "" {
			return target{}
		}
		if id != "root" {
			t.itemID = id
		}
		rest = tail
	default:
		return target{}
	}
	return t.parseAction(rest)
}

// parseItemPath takes "/a/b:/action" or "/a/b" and returns the action part.
func (t *target) parseItemPath(s string) string {
	t.byPath = true
	p, tail, _ := strings.Cut(s, ":")
	t.itemPath = strings.Trim(p, "/")
	return strings.TrimPrefix(tail, "/")
}

func (t target) parseAction(rest string) target {
	head, tail := cut(rest)
	head = strings.TrimPrefix(head, "microsoft.graph.")
	switch {
	case head == "" && tail == "":
		t.action = ""
	case head == "children" || head == "content" || head == "permissions" || head == "permanentDelete":
		if tail != "" {
			return target{}
		}
		t.action = head
	case head == "versions":
		vid, more := cut(tail)
		switch {
		case vid == "":
			t.action = "versions"
		case more == "":
			t.action, t.actionArg = "version", vid
		case more == "content":
			t.action, t.actionArg = "versionContent", vid
		default:
			return target{}
		}
	case head == "delta" || strings.HasPrefix(head, "delta("):
		if tail != "" {
			return target{}
		}
		t.action = "delta"
		if arg, ok := strings.CutPrefix(head, "delta("); ok {
			arg = strings.TrimSuffix(arg, ")")
			if arg != "" {
				arg = strings.TrimPrefix(arg, "token=")
				t.actionArg, t.hasArg = strings.Trim(arg, "'"), true
			}
		}
	default:
		return target{}
	}
	return t
}

// endpointName names what a request does, for the counters: "GET delta",
// "DELETE item", "POST $batch".
func endpointName(req *request) string {
	t := parsePath(req.path)
	name := t.kind
	switch t.kind {
	case "":
		name = "unknown"
	case "batch":
		name = "$batch"
	case "item":
		if t.action != "" {
			name = t.action
		}
	}
	return req.method + " " + name
}
