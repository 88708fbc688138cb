package notify

import (
	"net/url"
	"regexp"
	"strings"
)

// Console pages a link may name. Their ids are made by retentiond itself
// and hold no personal data: a plan folder's name (its time) and a
// request's number.
const (
	PagePlan    = "plans"
	PageRequest = "requests"
)

var (
	planIDRe    = regexp.MustCompile(`^[0-9]{8}-[0-9]{6}(-[0-9]{1,3})?$`)
	requestIDRe = regexp.MustCompile(`^REQ-[0-9]{1,9}$`)
)

// ConsoleLink returns the address of a plan's or a request's page in the
// review console: base (the config's console.public_url) + "plans/ID" or
// "requests/ID". It returns "" when base is empty (no console), is not an
// http or https address, or carries a user name, password, query or
// fragment, or when id is not one retentiond makes ("20261123-020000",
// "REQ-0003"): a link never carries anything but the page and the id, so
// it can carry no personal data or secret.
func ConsoleLink(base, page, id string) string {
	switch {
	case page == PagePlan && planIDRe.MatchString(id):
	case page == PageRequest && requestIDRe.MatchString(id):
	default:
		return ""
	}
	u, err := url.Parse(strings.TrimSpace(base))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return ""
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawPath = ""
	return u.String() + page + "/" + id
}
