package onedrive

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/onedrive/graphtest"
	"github.com/retentiond/retentiond/scanners/scannertest"
)

func TestOpenFindsDrive(t *testing.T) {
	f := newFixture(t, graphtest.Options{})
	user := f.srv.AddUserDrive("leidster@example.org")
	f.srv.AddFile(user, "u.txt", []byte("user's"), later)
	_, lib := f.srv.AddSiteLibrary("example.sharepoint.com", "/sites/Opvang", "Documenten")
	f.srv.AddFile(lib, "Kinddossiers/d.pdf", []byte("library's"), later)
	_, other := f.srv.AddSiteLibrary("example.sharepoint.com", "/sites/Opvang", "Personeel")
	f.srv.AddFile(other, "p.pdf", []byte("staff"), later)

	for _, tc := range []struct {
		name string
		set  func(*Config)
		want []string
	}{
		{"user", func(c *Config) { c.User = "leidster@example.org" }, []string{"u.txt"}},
		{"site library", func(c *Config) { c.Site, c.Library = "example.sharepoint.com:/sites/Opvang", "documenten" }, []string{"Kinddossiers/d.pdf"}},
		{"site URL", func(c *Config) { c.Site, c.Library = "https://example.sharepoint.com/sites/Opvang", "Personeel" }, []string{"p.pdf"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := f.cfg
			cfg.DriveID = ""
			tc.set(&cfg)
			s := f.openWith(t, cfg)
			if got := slices.Sorted(maps.Keys(collect(t, s))); !slices.Equal(got, tc.want) {
				t.Errorf("listed %q, want %q", got, tc.want)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	f := newFixture(t, graphtest.Options{})
	f.srv.AddSiteLibrary("example.sharepoint.com", "/sites/Opvang", "Documenten")
	for _, tc := range []struct {
		name string
		set  func(*Config)
		is   error
		says string
	}{
		{"wrong secret", func(c *Config) { c.ClientSecret = "wrong-" + testSecret }, nil, "AADSTS7000215"},
		{"wrong tenant", func(c *Config) { c.TenantID = "00000000-0000-0000-0000-000000000000" }, nil, "invalid_tenant"},
		{"unknown drive", func(c *Config) { c.DriveID = "b!nothere" }, scanners.ErrNotFound, "check drive_id"},
		{"unknown user", func(c *Config) { c.DriveID, c.User = "", "nobody@example.org" }, scanners.ErrNotFound, "check drive_id, user or site"},
		{"unknown library", func(c *Config) {
			c.DriveID, c.Site, c.Library = "", "example.sharepoint.com:/sites/Opvang", "Geheim"
		}, scanners.ErrNotFound, `it has "Documenten"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := f.cfg
			tc.set(&cfg)
			_, err := open(t.Context(), cfg, f.tune)
			if err == nil {
				t.Fatal("Open succeeded")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v does not wrap %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %q does not say %q", err, tc.says)
			}
			if strings.Contains(err.Error(), testSecret) {
				t.Errorf("error repeats the client secret: %v", err)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	good := Config{TenantID: "t", ClientID: "c", ClientSecret: "s", DriveID: "b!x"}
	for _, tc := range []struct {
		name string
		set  func(*Config)
		says string // "" for valid
	}{
		{"valid", func(*Config) {}, ""},
		{"site", func(c *Config) {
			c.DriveID, c.Site, c.Library = "", "example.sharepoint.com:/sites/Opvang", "Documenten"
		}, ""},
		{"no tenant", func(c *Config) { c.TenantID = "" }, "tenant_id is empty"},
		{"no client", func(c *Config) { c.ClientID = " " }, "client_id is empty"},
		{"no secret", func(c *Config) { c.ClientSecret = "" }, "client_secret_file, client_secret_env or client_certificate_file"},
		{"no drive", func(c *Config) { c.DriveID = "" }, "set one of drive_id, user or site"},
		{"two drives", func(c *Config) { c.User = "a@b" }, "set only one"},
		{"library alone", func(c *Config) { c.Library = "Documenten" }, "library is set without site"},
		{"bad site", func(c *Config) { c.DriveID, c.Site = "", "Opvang" }, "host:/sites/name"},
		{"bad endpoint", func(c *Config) { c.Endpoint = "graph.microsoft.com" }, "endpoint is not a plain"},
		{"endpoint with password", func(c *Config) { c.Endpoint = "https://u:s3cr3t@graph.example/v1.0" }, "endpoint is not a plain"},
		{"plain authority", func(c *Config) { c.AuthorityHost = "http://login.example/" }, "authority_host must be an https URL"},
		{"negative budget", func(c *Config) { c.RequestsPerMinute = -1 }, "requests_per_minute"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good
			tc.set(&cfg)
			err := cfg.Validate()
			switch {
			case tc.says == "" && err != nil:
				t.Errorf("Validate: %v", err)
			case tc.says != "" && (err == nil || !strings.Contains(err.Error(), tc.says)):
				t.Errorf("Validate = %v, want an error saying %q", err, tc.says)
			}
			if err != nil && strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("error repeats the secret: %v", err)
			}
		})
	}
}

func TestAuthorityOverride(t *testing.T) {
	for host, want := range map[string]bool{
		"":                                   false,
		"https://login.microsoftonline.com/": false,
		"https://login.microsoftonline.com":  false,
		"https://login.microsoftonline.us/":  true,
		"https://127.0.0.1:8443/":            true,
	} {
		c := Config{AuthorityHost: host}.withDefaults()
		if got := c.authorityOverridden(); got != want {
			t.Errorf("authorityOverridden(%q) = %v, want %v", host, got, want)
		}
	}
}

// TestTokenSentToEndpoint guards NOTES-GRAPH item 2: the bearer token
// goes to the configured endpoint's host, which is not Graph's.
func TestTokenSentToEndpoint(t *testing.T) {
	f := newFixture(t, graphtest.Options{})
	f.add(map[string][]byte{"a.txt": []byte("a")})
	base := f.cfg.Transport
	var auth []string
	f.cfg.Transport = transportFunc(func(r *http.Request) (*http.Response, error) {
		if strings.HasPrefix(r.URL.Path, "/v1.0/") {
			auth = append(auth, r.Header.Get("Authorization"))
		}
		return base.RoundTrip(r)
	})
	s := f.open(t)
	if _, err := scannertest.ReadAll(t.Context(), s, "a.txt"); err != nil {
		t.Fatal(err)
	}
	if len(auth) < 3 {
		t.Fatalf("saw %d Graph requests, want at least 3", len(auth))
	}
	for _, a := range auth {
		if !strings.HasPrefix(a, "Bearer ") {
			t.Errorf("a Graph request went without a bearer token: %q", a)
		}
	}
}

func TestWrapHoldsNoNames(t *testing.T) {
	odata := odataerrors.NewODataError()
	main := odataerrors.NewMainError()
	code, msg := "itemNotFound", "Item 'Jansen, Piet/intake.pdf' does not exist"
	main.SetCode(&code)
	main.SetMessage(&msg)
	odata.SetErrorEscaped(main)
	odata.ResponseStatusCode = 404
	h := abs.NewResponseHeaders()
	h.Add("request-id", "5e1f0c2a-1")
	odata.ResponseHeaders = h
	err := wrap("stat", fmt.Errorf("sdk: %w", odata))
	if !errors.Is(err, scanners.ErrNotFound) {
		t.Errorf("wrap(404) = %v, want ErrNotFound", err)
	}
	if got, want := err.Error(), "onedrive: stat: Graph answered 404 (itemNotFound), request-id 5e1f0c2a-1: record not found"; got != want {
		t.Errorf("wrap = %q, want %q", got, want)
	}
	for status, want := range map[int]error{412: ErrChanged, 429: ErrThrottled, 503: ErrThrottled, 401: ErrAccessDenied, 403: ErrAccessDenied, 410: scanners.ErrNotFound} {
		if err := newGraphError("x", status, "", ""); !errors.Is(err, want) {
			t.Errorf("status %d: %v does not wrap %v", status, err, want)
		}
	}
	if err := newGraphError("x", 500, "", ""); err.Unwrap() != nil {
		t.Errorf("status 500 wraps %v", err.Unwrap())
	}
}

// TestOtherSpellingIsNotFound: OneDrive finds names case-insensitively,
// but a store acts only on IDs spelled as it lists them.
func TestOtherSpellingIsNotFound(t *testing.T) {
	f := newFixture(t, graphtest.Options{})
	f.add(map[string][]byte{"top.txt": []byte("top"), "a/b/sibling.txt": []byte("s")})
	s := f.open(t)
	for _, id := range []string{"TOP.txt", "top.TXT", "A/b/sibling.txt", "a/B/sibling.txt"} {
		if _, err := s.Stat(t.Context(), id); !errors.Is(err, scanners.ErrNotFound) {
			t.Errorf("Stat(%q) = %v, want ErrNotFound", id, err)
		}
		if err := s.Delete(t.Context(), id); !errors.Is(err, scanners.ErrNotFound) {
			t.Errorf("Delete(%q) = %v, want ErrNotFound", id, err)
		}
	}
	if got := collect(t, s); len(got) != 2 {
		t.Errorf("%d records left, want 2", len(got))
	}
}

// TestNetworkErrorsHoldNoNames: Go's HTTP client puts the URL, and so the
// path and the file's name, into its errors; the store takes it out.
func TestNetworkErrorsHoldNoNames(t *testing.T) {
	f := newFixture(t, graphtest.Options{})
	f.add(map[string][]byte{"Jansen, Piet/intake.pdf": []byte("x")})
	base := f.cfg.Transport
	f.cfg.Transport = transportFunc(func(r *http.Request) (*http.Response, error) {
		if strings.Contains(r.URL.Path, "root:") || strings.Contains(r.URL.Path, "delta") {
			return nil, errors.New("connection reset by peer")
		}
		return base.RoundTrip(r)
	})
	s := f.open(t)
	errs := []error{s.Scan(t.Context(), func(scanners.Record) error { return nil })}
	_, err := s.Stat(t.Context(), "Jansen, Piet/intake.pdf")
	errs = append(errs, err)
	_, err = s.Open(t.Context(), "Jansen, Piet/intake.pdf")
	errs = append(errs, err, s.Delete(t.Context(), "Jansen, Piet/intake.pdf"))
	errs = append(errs, s.DeleteMany(t.Context(), []DeleteRequest{{ID: "Jansen, Piet/intake.pdf"}})...)
	for i, err := range errs {
		switch {
		case err == nil:
			t.Errorf("call %d succeeded", i)
		case strings.Contains(err.Error(), "Jansen") || strings.Contains(err.Error(), "/drives/") || strings.Contains(err.Error(), "127.0.0.1"):
			t.Errorf("call %d: error holds a name or URL: %v", i, err)
		case !strings.Contains(err.Error(), "connection reset by peer"):
			t.Errorf("call %d: error lost its cause: %v", i, err)
		}
	}
}
