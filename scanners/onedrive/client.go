package onedrive

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	abs "github.com/microsoft/kiota-abstractions-go"
	khttp "github.com/microsoft/kiota-http-go"
	msgraph "github.com/microsoftgraph/msgraph-sdk-go"
	core "github.com/microsoftgraph/msgraph-sdk-go-core"
	coreauth "github.com/microsoftgraph/msgraph-sdk-go-core/authentication"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"github.com/retentiond/retentiond/scanners"
)

// Store is one drive in Microsoft Graph: a user's OneDrive or a SharePoint
// document library. It is safe for concurrent use; Scans are serialised.
type Store struct {
	client    *msgraph.GraphServiceClient
	adapter   *msgraph.GraphRequestAdapter
	driveID   string
	endpoint  string
	permanent bool
	batchSize int    // requests per $batch: 20, or the budget if smaller
	state     string // the state file; "" for none
	scanMu    sync.Mutex
	tune      tuning

	// refs maps the files of the last Scan in this process to their
	// items, so that DeleteMany and SharingLinks need not read them again.
	refsMu sync.RWMutex
	refs   map[string]ref

	count *counter
}

var _ scanners.Store = (*Store)(nil)

// Open signs in with the client secret, finds the drive and returns a store
// for it. It makes one or two Graph requests (three for a site library)
// and fails if the drive cannot be read.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	return open(ctx, cfg, defaultTuning())
}

func open(ctx context.Context, cfg Config, tune tuning) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	base := cfg.Transport
	if base == nil {
		base = defaultTransport()
	}
	cred, err := credential(cfg, base)
	if err != nil {
		return nil, err
	}
	// The token goes only to the configured endpoint's host (NOTES-GRAPH
	// item 2).
	auth, err := coreauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cred, []string{cfg.scope()}, []string{cfg.graphHost()})
	if err != nil {
		return nil, wrap("setting up sign-in", err)
	}
	count := &counter{}
	adapter, err := newAdapter(auth, base, cfg.RequestsPerMinute, tune, count)
	if err != nil {
		return nil, wrap("setting up the Graph client", err)
	}
	// The base URL is set before the client is built from the adapter,
	// or $batch sub-requests keep absolute graph.microsoft.com URLs
	// (NOTES-GRAPH item 3).
	adapter.SetBaseUrl(cfg.Endpoint)
	s := &Store{
		client:    msgraph.NewGraphServiceClient(adapter),
		adapter:   adapter,
		endpoint:  cfg.Endpoint,
		permanent: cfg.PermanentDelete,
		batchSize: min(batchSize, cfg.RequestsPerMinute),
		count:     count,
		tune:      tune,
	}
	if s.driveID, err = s.resolveDrive(ctx, cfg); err != nil {
		return nil, err
	}
	if cfg.StateDir != "" {
		s.state = statePath(cfg.StateDir, cfg.Endpoint, s.driveID)
	}
	return s, nil
}

// credential signs in with the client secret or the certificate.
func credential(cfg Config, base http.RoundTripper) (azcore.TokenCredential, error) {
	opts := azcore.ClientOptions{
		Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: cfg.AuthorityHost},
		Transport: &http.Client{Transport: base},
	}
	// MSAL asks login.microsoftonline.com about any other host unless
	// told not to (NOTES-GRAPH item 1).
	noDiscovery := cfg.authorityOverridden()
	if len(cfg.Certificate) == 0 {
		cred, err := azidentity.NewClientSecretCredential(cfg.TenantID, cfg.ClientID, cfg.ClientSecret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: noDiscovery})
		if err != nil {
			return nil, wrap("setting up sign-in", err)
		}
		return cred, nil
	}
	var pw []byte
	if cfg.CertificatePassword != "" {
		pw = []byte(cfg.CertificatePassword)
	}
	certs, key, err := azidentity.ParseCertificates(cfg.Certificate, pw)
	if err != nil {
		// ParseCertificates' message names only what it could not find.
		return nil, fmt.Errorf("onedrive: client_certificate_file: %v; fix: give a PEM file with the certificate and its unencrypted private key, or a PKCS#12 file and its password", err)
	}
	cred, err := azidentity.NewClientCertificateCredential(cfg.TenantID, cfg.ClientID, certs, key,
		&azidentity.ClientCertificateCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: noDiscovery})
	if err != nil {
		return nil, wrap("setting up sign-in", err)
	}
	return cred, nil
}

// DriveID returns the id of the drive the store lists.
func (s *Store) DriveID() string { return s.driveID }

// newAdapter builds the request adapter over a middleware chain of our
// own: kiota's default chain compresses request bodies before its retry
// handler, and a retried POST then goes out plain but still marked gzip,
// which Graph refuses (kiota-http-go#183, NOTES-GRAPH item 4). This chain
// has no compression handler and no kiota retry: transport retries below
// it, where it also counts every attempt against the budget.
func newAdapter(auth *coreauth.AzureIdentityAuthenticationProvider, base http.RoundTripper, perMinute int, tune tuning, c *counter) (*msgraph.GraphRequestAdapter, error) {
	opts := msgraph.GetDefaultClientOptions()
	chain := []khttp.Middleware{
		core.NewGraphTelemetryHandler(&opts),
		khttp.NewRedirectHandler(),
		khttp.NewParametersNameDecodingHandler(),
		khttp.NewUserAgentHandler(),
		khttp.NewHeadersInspectionHandler(),
	}
	t := &transport{base: base, budget: newBudget(perMinute, tune.window, tune.now, tune.sleep), tune: tune, count: c}
	hc := &http.Client{
		Transport: khttp.NewCustomTransportWithParentTransport(t, chain...),
		// The redirect handler follows redirects (and drops the token
		// when one leaves Graph's host); the client must not.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return msgraph.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(auth, nil, nil, hc)
}

// defaultTransport is Go's default transport with a limit on waiting for
// response headers: the client has no overall timeout, as downloads of
// large files may take long.
func defaultTransport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = 2 * time.Minute
	return t
}

// errorMapping makes the SDK parse Graph's error bodies.
var errorMapping = abs.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue}

// resolveDrive finds the configured drive's id.
func (s *Store) resolveDrive(ctx context.Context, cfg Config) (string, error) {
	var d models.Driveable
	var err error
	switch {
	case cfg.DriveID != "":
		d, err = s.client.Drives().ByDriveId(cfg.DriveID).Get(ctx, nil)
	case cfg.User != "":
		d, err = s.client.Users().ByUserId(cfg.User).Drive().Get(ctx, nil)
	default:
		d, err = s.siteDrive(ctx, cfg)
	}
	if err != nil {
		err = wrap("finding the drive", err)
		if errors.Is(err, scanners.ErrNotFound) {
			return "", fmt.Errorf("%w; check drive_id, user or site and library in the config", err)
		}
		if errors.Is(err, ErrAccessDenied) {
			return "", fmt.Errorf("%w; grant the application Files.ReadWrite.All, or Sites.Selected with write access to the site (see the package documentation)", err)
		}
		return "", err
	}
	if d == nil || d.GetId() == nil || *d.GetId() == "" {
		return "", errors.New("onedrive: finding the drive: Graph returned a drive without an id")
	}
	return *d.GetId(), nil
}

// siteDrive finds a site's library: by name, or the default one.
func (s *Store) siteDrive(ctx context.Context, cfg Config) (models.Driveable, error) {
	host, path, _ := splitSite(cfg.Site)
	// The SDK would percent-encode the ':' and '/' of the path address,
	// so it is built here.
	ri := s.rawRequest(abs.GET, "/sites/"+escapePath(host)+":"+escapeSegments(path))
	res, err := s.adapter.Send(ctx, ri, models.CreateSiteFromDiscriminatorValue, errorMapping)
	if err != nil {
		return nil, err
	}
	site, _ := res.(models.Siteable)
	if site == nil || site.GetId() == nil {
		return nil, errors.New("Graph returned a site without an id")
	}
	sb := s.client.Sites().BySiteId(*site.GetId())
	if cfg.Library == "" {
		return sb.Drive().Get(ctx, nil)
	}
	list, err := sb.Drives().Get(ctx, nil)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, d := range list.GetValue() {
		if d.GetName() != nil {
			if strings.EqualFold(*d.GetName(), cfg.Library) {
				return d, nil
			}
			names = append(names, fmt.Sprintf("%q", *d.GetName()))
		}
	}
	return nil, fmt.Errorf("onedrive: the site has no document library %q (it has %s); check library in the config: %w", cfg.Library, strings.Join(names, ", "), scanners.ErrNotFound)
}

// rawRequest is a request to a path below the endpoint, for the path
// addresses the SDK's URL templates cannot express.
func (s *Store) rawRequest(method abs.HttpMethod, path string) *abs.RequestInformation {
	ri := abs.NewRequestInformation()
	ri.Method = method
	// path is escaped already; url.Parse keeps that escaping as RawPath.
	u, err := url.Parse(s.endpoint + path)
	if err != nil {
		// Only from a malformed endpoint, which Validate refused.
		panic("onedrive: building a request URL: " + err.Error())
	}
	ri.SetUri(*u)
	ri.Headers.TryAdd("Accept", "application/json")
	return ri
}
