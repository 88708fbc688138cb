package onedrive

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Defaults for Config.
const (
	// DefaultEndpoint is Graph's global v1.0 endpoint.
	DefaultEndpoint = "https://graph.microsoft.com/v1.0"
	// DefaultAuthorityHost is Entra ID's global sign-in host.
	DefaultAuthorityHost = "https://login.microsoftonline.com/"
)

// Config says which drive a Store lists and how it signs in. Exactly one
// of DriveID, User and Site names the drive.
type Config struct {
	// TenantID is the directory (tenant) id of the app registration.
	TenantID string
	// ClientID is the application (client) id.
	ClientID string
	// ClientSecret is the client secret, which the caller reads from a
	// file or an environment variable. The store never logs it nor puts
	// it in an error.
	ClientSecret string
	// Certificate is, instead of a client secret, the application's
	// certificate with its private key: PEM (certificate and key blocks)
	// or PKCS#12, as read from client_certificate_file. Entra ID prefers
	// certificates to secrets for app-only access.
	Certificate []byte
	// CertificatePassword unlocks an encrypted key or PKCS#12 file.
	CertificatePassword string
	// DriveID is a drive's id ("b!..."), as Graph gives it.
	DriveID string
	// User is a user's principal name (or object id): the store lists
	// that user's OneDrive.
	User string
	// Site is a SharePoint site as "host:/server/relative/path"
	// ("example.sharepoint.com:/sites/Opvang"); "https://host/path" is
	// accepted too. Library picks one of its document libraries.
	Site string
	// Library is the name of the site's document library
	// ("Documenten"); empty for the site's default library.
	Library string
	// Endpoint is Graph's base URL; DefaultEndpoint when empty. National
	// clouds and tests override it. Tokens are only sent to its host.
	Endpoint string
	// AuthorityHost is Entra ID's sign-in host; DefaultAuthorityHost
	// when empty.
	AuthorityHost string
	// PermanentDelete makes Delete use Graph's permanentDelete instead of
	// moving items to the recycle bin.
	PermanentDelete bool
	// StateDir is where the store keeps its delta token and its index of
	// the drive (the file names in it are personal data: keep the folder
	// private). Empty means no state: every Scan lists the whole drive.
	StateDir string
	// RequestsPerMinute is the most requests the store starts in any
	// minute (each request in a $batch counts);
	// DefaultRequestsPerMinute when 0.
	RequestsPerMinute int
	// Transport, if set, carries every request (Graph and sign-in): for
	// a proxy or a private certificate authority. Retries and the budget
	// are added on top of it.
	Transport http.RoundTripper
}

// withDefaults returns c with empty fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.Endpoint == "" {
		c.Endpoint = DefaultEndpoint
	}
	c.Endpoint = strings.TrimRight(c.Endpoint, "/")
	if c.AuthorityHost == "" {
		c.AuthorityHost = DefaultAuthorityHost
	}
	if !strings.HasSuffix(c.AuthorityHost, "/") {
		c.AuthorityHost += "/"
	}
	if c.RequestsPerMinute == 0 {
		c.RequestsPerMinute = DefaultRequestsPerMinute
	}
	return c
}

// authorityOverridden says whether the authority host is not Entra ID's
// global host, in which case MSAL's instance discovery (which always asks
// login.microsoftonline.com) must be turned off.
func (c Config) authorityOverridden() bool {
	return !strings.EqualFold(c.AuthorityHost, DefaultAuthorityHost)
}

// Validate checks c (after defaults) without contacting anything. Errors
// name the config key and the fix; none repeats the secret.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	need := func(v, key, fix string) {
		if strings.TrimSpace(v) == "" {
			errs = append(errs, fmt.Errorf("onedrive: %s is empty; %s", key, fix))
		}
	}
	need(c.TenantID, "tenant_id", "set it to the directory (tenant) id of the app registration")
	need(c.ClientID, "client_id", "set it to the application (client) id of the app registration")
	switch {
	case strings.TrimSpace(c.ClientSecret) == "" && len(c.Certificate) == 0:
		errs = append(errs, errors.New("onedrive: no credential; set client_secret_file, client_secret_env or client_certificate_file"))
	case c.ClientSecret != "" && len(c.Certificate) > 0:
		errs = append(errs, errors.New("onedrive: both a client secret and a certificate are set; set only one of them"))
	}
	n := 0
	for _, v := range []string{c.DriveID, c.User, c.Site} {
		if v != "" {
			n++
		}
	}
	switch {
	case n == 0:
		errs = append(errs, errors.New("onedrive: no drive given; set one of drive_id, user or site (with library)"))
	case n > 1:
		errs = append(errs, errors.New("onedrive: drive_id, user and site each name a drive; set only one of them"))
	}
	if c.Library != "" && c.Site == "" {
		errs = append(errs, errors.New("onedrive: library is set without site; library names a document library of the site"))
	}
	if c.Site != "" {
		if _, _, err := splitSite(c.Site); err != nil {
			errs = append(errs, err)
		}
	}
	if err := checkURL("endpoint", c.Endpoint); err != nil {
		errs = append(errs, err)
	}
	if err := checkURL("authority_host", c.AuthorityHost); err != nil {
		errs = append(errs, err)
	} else if u, _ := url.Parse(c.AuthorityHost); u.Scheme != "https" {
		errs = append(errs, errors.New("onedrive: authority_host must be an https URL (Entra ID's sign-in library refuses anything else)"))
	}
	if c.RequestsPerMinute < 0 {
		errs = append(errs, fmt.Errorf("onedrive: requests_per_minute is %d; it must be positive (default %d)", c.RequestsPerMinute, DefaultRequestsPerMinute))
	}
	return errors.Join(errs...)
}

func checkURL(key, v string) error {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		// The value is not repeated: a URL with user info or a query
		// may hold a password or a token.
		return fmt.Errorf("onedrive: %s is not a plain http(s) URL (no user, query or fragment); use a URL such as %s", key, map[string]string{"endpoint": DefaultEndpoint, "authority_host": DefaultAuthorityHost}[key])
	}
	return nil
}

// splitSite splits a site into its host name and server-relative path.
func splitSite(site string) (host, path string, err error) {
	s := strings.TrimPrefix(strings.TrimPrefix(site, "https://"), "http://")
	host, path, ok := strings.Cut(s, ":")
	if !ok {
		host, path, ok = strings.Cut(s, "/")
		path = "/" + path
	}
	path = "/" + strings.Trim(path, "/")
	if !ok || host == "" || strings.Contains(host, "/") || path == "/" {
		return "", "", fmt.Errorf("onedrive: site %q is not a site path; write it as host:/sites/name, such as example.sharepoint.com:/sites/Opvang", site)
	}
	return host, path, nil
}

// graphHost is the host the bearer token may be sent to, without port.
func (c Config) graphHost() string {
	u, _ := url.Parse(c.Endpoint)
	return u.Hostname()
}

// scope is the OAuth scope for the endpoint: its origin and "/.default".
func (c Config) scope() string {
	u, _ := url.Parse(c.Endpoint)
	return u.Scheme + "://" + u.Host + "/.default"
}
