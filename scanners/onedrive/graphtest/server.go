package graphtest

import (
	"bytes"
	"compress/gzip"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Defaults for Options.
const (
	// DefaultTenant is the tenant id the token endpoint answers for when
	// Options.TenantID is empty.
	DefaultTenant = "8f2a5c1e-4b7d-4e0a-9c3f-2d6b1a7e5f90"
	// DefaultPageSize is the page size of delta and children when a
	// request has no $top.
	DefaultPageSize = 200
	// DefaultMaxPageSize is the largest page the server sends; a larger
	// $top is clamped to it.
	DefaultMaxPageSize = 999
	// DefaultTokenLifetime is how long an issued access token is valid.
	DefaultTokenLifetime = time.Hour
	// GraphScope is the scope a client-credentials request must ask for
	// (any scope ending in "/.default" is accepted).
	GraphScope = "https://graph.microsoft.com/.default"
)

// Options configure a Server. The zero value serves one empty drive over
// TLS and accepts any client id and secret.
type Options struct {
	// TenantID is the tenant whose token endpoint the server serves
	// (matched case-insensitively, as MSAL lower-cases it).
	TenantID string
	// ClientID and ClientSecret, when set, are the only credentials the
	// token endpoint accepts.
	ClientID     string
	ClientSecret string
	// ClientCertificate, when set, is the application's registered
	// certificate: a client assertion must then be signed with its key
	// and name it by thumbprint, and (unless ClientSecret is also set)
	// no secret is accepted. When nil, any assertion is accepted.
	ClientCertificate *x509.Certificate
	// TokenLifetime is the lifetime of issued access tokens. MSAL treats
	// a token as expired five minutes before it is, so a lifetime under
	// five minutes makes the client fetch a token for every request.
	TokenLifetime time.Duration
	// PageSize and MaxPageSize bound delta and children pages.
	PageSize    int
	MaxPageSize int
	// PlainHTTP serves http instead of https. azidentity cannot use it as
	// an authority host; a client with a static token can.
	PlainHTTP bool
	// Listen is the address to listen on ("127.0.0.1:9466"); a free
	// loopback port when empty.
	Listen string
	// AllowAnonymous lets Graph requests through without a bearer token.
	AllowAnonymous bool
	// Now is the server's clock for token expiry, deletion times and
	// default timestamps; time.Now when nil.
	Now func() time.Time
}

// Server is a fake Graph server. Its methods are safe for concurrent use.
type Server struct {
	t    TB
	opts Options
	srv  *httptest.Server

	mu           sync.Mutex
	drives       map[string]*drive
	defaultDrive string
	users        map[string]string // lower-cased UPN → drive id
	sites        []*site
	tokens       map[string]*accessToken
	faults       []*Fault
	stats        Stats
	log          []LoggedRequest
	requestN     int
	downloads    map[string]dlRef
	versionDel   bool // DELETE on a single version allowed
}

// dlRef is what a download URL serves: a file's content, or one of its
// earlier versions (version ≥ 1).
type dlRef struct {
	drive, item string
	version     int
}

// site is a SharePoint site with its document libraries.
type site struct {
	id       string
	hostname string
	path     string // server-relative, e.g. "/sites/kdv"
	drives   []string
}

// TB is what the server needs of a test: *testing.T and *testing.B
// satisfy it, and so can a program that runs the server on its own (see
// the fakegraph command).
type TB interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Errorf(format string, args ...any)
	Cleanup(func())
}

var _ TB = testing.TB(nil)

// NewServer starts a server and stops it when the test ends.
func NewServer(t TB, opts Options) *Server {
	t.Helper()
	if opts.TenantID == "" {
		opts.TenantID = DefaultTenant
	}
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = DefaultTokenLifetime
	}
	if opts.MaxPageSize <= 0 {
		opts.MaxPageSize = DefaultMaxPageSize
	}
	if opts.PageSize <= 0 {
		opts.PageSize = DefaultPageSize
	}
	opts.PageSize = min(opts.PageSize, opts.MaxPageSize)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{
		t: t, opts: opts,
		drives:    map[string]*drive{},
		users:     map[string]string{},
		tokens:    map[string]*accessToken{},
		downloads: map[string]dlRef{},
		stats:     newStats(),
	}
	s.defaultDrive = s.addDrive("default", "OneDrive", Identity{DisplayName: "Beheer", Email: "beheer@example.org"})
	s.srv = httptest.NewUnstartedServer(s)
	if opts.Listen != "" {
		l, err := net.Listen("tcp", opts.Listen)
		if err != nil {
			t.Fatalf("graphtest: listen on %s: %v", opts.Listen, err)
		}
		s.srv.Listener.Close()
		s.srv.Listener = l
	}
	if opts.PlainHTTP {
		s.srv.Start()
	} else {
		s.srv.StartTLS()
	}
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the server's base URL, such as https://127.0.0.1:41234. Graph's
// base URL is URL()+"/v1.0" (GraphURL); the authority host for azidentity
// is URL()+"/" (AuthorityHost).
func (s *Server) URL() string { return s.srv.URL }

// GraphURL is the Graph base URL to give the request adapter.
func (s *Server) GraphURL() string { return s.srv.URL + "/v1.0" }

// AuthorityHost is the value for azidentity's
// cloud.Configuration.ActiveDirectoryAuthorityHost.
func (s *Server) AuthorityHost() string { return s.srv.URL + "/" }

// Host is the server's host name without the port, as kiota's allowed-hosts
// list wants it.
func (s *Server) Host() string {
	u, _ := url.Parse(s.srv.URL)
	return u.Hostname()
}

// TenantID is the tenant the token endpoint serves.
func (s *Server) TenantID() string { return s.opts.TenantID }

// Client returns an HTTP client that trusts the server's certificate. Give
// it (it has a Do method) as azidentity's ClientOptions.Transport, and its
// Transport as the parent transport of kiota's middleware.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// DefaultDrive is the id of the drive every server starts with. Helpers
// taking a drive id accept "" for it.
func (s *Server) DefaultDrive() string { return s.defaultDrive }

func (s *Server) now() time.Time { return s.opts.Now() }

// ServeHTTP routes a request to Graph, the token endpoint, the discovery
// document or a download URL.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.stats.Requests++
	s.requestN++
	reqID := fmt.Sprintf("5e1f0c2a-0000-4000-8000-%012d", s.requestN)
	s.mu.Unlock()
	w.Header().Set("request-id", reqID)
	if c := r.Header.Get("client-request-id"); c != "" {
		w.Header().Set("client-request-id", c)
	}
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/v1.0/"):
		s.serveGraphHTTP(w, r, strings.TrimPrefix(p, "/v1.0"))
	case strings.HasPrefix(p, "/_download/"):
		s.serveDownload(w, r)
	default:
		s.serveAuth(w, r)
	}
}

// request is a Graph request, from the wire or from inside a batch.
type request struct {
	method  string
	path    string // decoded, relative to /v1.0, starting with "/"
	query   url.Values
	header  http.Header
	body    []byte
	inBatch bool
	graph   bool // a Graph request, as opposed to token or download
}

// response is a Graph response before it is written to the wire or into a
// batch.
type response struct {
	status int
	header http.Header
	body   any // marshalled as JSON; nil for no body
}

func (s *Server) serveGraphHTTP(w http.ResponseWriter, r *http.Request, p string) {
	req := &request{method: r.Method, path: p, query: r.URL.Query(), header: r.Header, graph: true}
	endpoint := endpointName(req)
	body, err := readBody(r)
	if err != nil {
		s.finish(w, req, endpoint, errResp(http.StatusBadRequest, "BadRequest", err.Error()))
		return
	}
	req.body = body
	if resp := s.authenticate(r); resp != nil {
		s.finish(w, req, endpoint, resp)
		return
	}
	if req.query.Has("$expand") {
		// Better a clear refusal than a silently missing property.
		s.finish(w, req, endpoint, errResp(http.StatusBadRequest, "invalidRequest", "graphtest does not implement $expand."))
		return
	}
	if f := s.takeFault(req); f != nil {
		if f.Drop {
			s.drop(w, req, endpoint)
			return
		}
		s.finish(w, req, endpoint, f.response())
		return
	}
	var resp *response
	if req.path == "/$batch" {
		resp = s.batch(req)
	} else {
		resp = s.route(req)
	}
	s.finish(w, req, endpoint, resp)
}

// readBody reads the request body, undoing gzip. A body marked gzip that
// is not gzip is refused, as Graph refuses it (see kiota-http-go#183: a
// retried POST can keep the header after losing the compression).
func readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("reading the request body: %v", err)
	}
	if !strings.EqualFold(strings.TrimSpace(r.Header.Get("Content-Encoding")), "gzip") {
		return body, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("the request body is marked Content-Encoding: gzip but is not gzip: %v", err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("the request body is marked Content-Encoding: gzip but is not valid gzip: %v", err)
	}
	return plain, nil
}

// finish logs and counts a top-level Graph response and writes it.
func (s *Server) finish(w http.ResponseWriter, req *request, endpoint string, resp *response) {
	s.record(req, endpoint, resp.status)
	for k, v := range resp.header {
		w.Header()[k] = v
	}
	if resp.body == nil {
		w.WriteHeader(resp.status)
		return
	}
	data, err := json.Marshal(resp.body)
	if err != nil {
		s.t.Errorf("graphtest: encoding a response: %v", err)
	}
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(resp.status)
	_, _ = w.Write(data)
}

// jsonResp is a 200 (or other status) with a JSON body.
func jsonResp(status int, body any) *response {
	return &response{status: status, header: http.Header{}, body: body}
}

// errResp is Graph's error body: {"error":{"code","message","innerError"}}.
func errResp(status int, code, msg string) *response {
	return &response{status: status, header: http.Header{}, body: map[string]any{
		"error": map[string]any{
			"code":    code,
			"message": msg,
			"innerError": map[string]any{
				"date": time.Now().UTC().Format("2006-01-02T15:04:05"),
			},
		},
	}}
}

func notFound() *response {
	return errResp(http.StatusNotFound, "itemNotFound", "The resource could not be found.")
}

// serveDownload serves the pre-authenticated URL that /content redirects
// to. Like Graph's download URLs it needs no bearer token.
func (s *Server) serveDownload(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.URL.Path, "/_download/")
	s.mu.Lock()
	data, ok := s.download(key)
	s.mu.Unlock()
	req := &request{method: r.Method, path: r.URL.Path, query: r.URL.Query(), header: r.Header}
	if !ok {
		s.record(req, "GET download", http.StatusNotFound)
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	s.record(req, "GET download", http.StatusOK)
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

// download finds the content a download key serves. Caller holds s.mu.
func (s *Server) download(key string) ([]byte, bool) {
	ref, ok := s.downloads[key]
	if !ok {
		return nil, false
	}
	d := s.drives[ref.drive]
	if d == nil {
		return nil, false
	}
	it := d.items[ref.item]
	switch {
	case it == nil || it.folder:
		return nil, false
	case ref.version == 0:
		return it.content, true
	case ref.version <= len(it.versions):
		return it.versions[ref.version-1].content, true
	}
	return nil, false
}

// Certificate is the server's TLS certificate (self-signed; nil over
// plain HTTP): write it to a file for a client's ca_file.
func (s *Server) Certificate() *x509.Certificate { return s.srv.Certificate() }
