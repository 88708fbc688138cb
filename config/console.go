package config

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Defaults of the console: section.
const (
	DefaultConsoleListen      = "127.0.0.1:9466"
	DefaultConsoleIdleTimeout = "30m"
	DefaultConsoleLang        = "nl"
)

// Console roles, from least to most: a viewer reads; a reviewer also
// excludes items and settles review items; an approver also approves and
// rejects plans and may start an apply; a privacy officer handles
// requests, holds and access packages. A person may have several roles.
const (
	RoleViewer         = "viewer"
	RoleReviewer       = "reviewer"
	RoleApprover       = "approver"
	RolePrivacyOfficer = "privacy-officer"
)

// Roles lists the console roles.
var Roles = []string{RoleViewer, RoleReviewer, RoleApprover, RolePrivacyOfficer}

// Console is the console: section: the review console that `retentiond
// run` serves on its own listener (package agent/console).
type Console struct {
	// Listen is the console's host:port (default 127.0.0.1:9466); "off"
	// turns the console off.
	Listen string `yaml:"listen"`
	// PublicURL is the address people reach the console at (through a
	// reverse proxy, say), for links in notifications and reports and
	// for the OpenID Connect redirect. Default http://LISTEN/.
	PublicURL string `yaml:"public_url"`
	// Lang is the console's default language: nl (default) or en; each
	// person can switch.
	Lang string `yaml:"lang"`
	// TLSCertFile and TLSKeyFile, when both set, serve the console over
	// TLS; session cookies are then Secure.
	TLSCertFile string `yaml:"tls_cert_file"`
	TLSKeyFile  string `yaml:"tls_key_file"`
	// IdleTimeout signs a person out after this long without a request
	// (a Go duration such as 30m; default 30m).
	IdleTimeout       string        `yaml:"idle_timeout"`
	ParsedIdleTimeout time.Duration `yaml:"-"`
	// FourEyesOver, when above 0, makes a plan with more deletions than
	// this need two different approvers before it is applied.
	FourEyesOver int `yaml:"four_eyes_over"`
	// OIDC signs people in with the organisation's identity provider
	// (Entra ID, Google Workspace, Keycloak). Without it, only local
	// accounts (`retentiond console user add`) can sign in.
	OIDC *OIDC `yaml:"oidc"`
	// Roles give people of the identity provider their roles, by e-mail
	// address or group. Local accounts carry their roles themselves.
	Roles []RoleGrant `yaml:"roles"`
}

// OIDC is the console.oidc section.
type OIDC struct {
	// Issuer is the provider's issuer URL, such as
	// https://login.microsoftonline.com/TENANT-ID/v2.0.
	Issuer   string `yaml:"issuer"`
	ClientID string `yaml:"client_id"`
	// ClientSecretFile holds the client secret (absolute after Load);
	// empty for a public client using PKCE only.
	ClientSecretFile string `yaml:"client_secret_file"`
	// Scopes beyond openid; default email and profile.
	Scopes []string `yaml:"scopes"`
	// GroupsClaim names the ID token claim that lists a person's groups
	// (default "groups").
	GroupsClaim string `yaml:"groups_claim"`
}

// RoleGrant gives a role to the people listed by e-mail or group.
type RoleGrant struct {
	Role   string   `yaml:"role"`
	Emails []string `yaml:"emails"`
	Groups []string `yaml:"groups"`
}

// Enabled reports whether the console is served.
func (c *Console) Enabled() bool { return c.Listen != "off" }

// defaults fills what the console: section leaves out.
func (c *Console) defaults() {
	if strings.TrimSpace(c.Listen) == "" {
		c.Listen = DefaultConsoleListen
	}
	if c.Lang == "" {
		c.Lang = DefaultConsoleLang
	}
	if c.IdleTimeout == "" {
		c.IdleTimeout = DefaultConsoleIdleTimeout
	}
	if c.PublicURL == "" && c.Enabled() {
		scheme := "http"
		if c.TLSCertFile != "" {
			scheme = "https"
		}
		c.PublicURL = scheme + "://" + c.Listen + "/"
	}
	if o := c.OIDC; o != nil {
		if len(o.Scopes) == 0 {
			o.Scopes = []string{"email", "profile"}
		}
		if o.GroupsClaim == "" {
			o.GroupsClaim = "groups"
		}
	}
}

// console checks the console: section.
func (k checker) console() {
	c := &k.c.Console
	if c.Enabled() {
		if host, port, err := net.SplitHostPort(c.Listen); err != nil || !validPort(port) || strings.ContainsAny(host, "/ ") {
			k.add("console.listen", fmt.Sprintf("%q is not a host:port address", c.Listen), "write an address such as 127.0.0.1:9466, or off to serve no console")
		} else if c.Listen == k.c.Daemon.Listen {
			k.add("console.listen", "is the same address as daemon.listen", "give the console its own port, such as 127.0.0.1:9466")
		}
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		k.add("console.public_url", fmt.Sprintf("%q is not an http or https address", c.PublicURL), "write the address people open the console at, such as https://retentie.example.nl/")
	}
	if c.Lang != "nl" && c.Lang != "en" {
		k.add("console.lang", fmt.Sprintf("%q is not a language the console speaks", c.Lang), "write nl or en")
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		k.add("console.tls_cert_file", "is given without its pair", "give both tls_cert_file and tls_key_file, or neither (and put a TLS reverse proxy in front)")
	}
	d, err := time.ParseDuration(c.IdleTimeout)
	if err != nil || d < time.Minute || d > 24*time.Hour {
		k.add("console.idle_timeout", fmt.Sprintf("%q is not a duration between 1m and 24h", c.IdleTimeout), "write a duration such as 30m or 1h")
	} else {
		c.ParsedIdleTimeout = d
	}
	if c.FourEyesOver < 0 {
		k.add("console.four_eyes_over", "is below 0", "write the number of deletions above which two approvers are needed, or 0 for never")
	}
	if o := c.OIDC; o != nil {
		if u, err := url.Parse(o.Issuer); err != nil || u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) || u.Host == "" {
			k.add("console.oidc.issuer", fmt.Sprintf("%q is not an https address", o.Issuer), "write the identity provider's issuer URL, such as https://login.microsoftonline.com/TENANT-ID/v2.0")
		}
		if strings.TrimSpace(o.ClientID) == "" {
			k.missing("console.oidc", "client_id", "is missing", "write the client (application) id registered at the identity provider")
		}
	}
	for i, g := range c.Roles {
		p := fmt.Sprintf("console.roles[%d]", i)
		if !slices.Contains(Roles, g.Role) {
			k.add(p+".role", fmt.Sprintf("%q is not a role", g.Role), "use viewer, reviewer, approver or privacy-officer")
		}
		if len(g.Emails) == 0 && len(g.Groups) == 0 {
			k.add(p, "names nobody", "list emails: or groups: that get this role")
		}
	}
}

// isLoopback reports whether host is a loopback name or address (an
// identity provider on the same machine, as in tests, may use http).
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
