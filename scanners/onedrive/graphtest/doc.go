// Package graphtest is a fake Microsoft Graph and Entra ID server for tests:
// an httptest server that speaks Graph v1.0's drive protocol and the OAuth2
// client-credentials flow, with in-memory drives that tests fill and
// inspect, faults they can inject, and request counters for request-count
// benchmarks. It is plain net/http, so that packages testing against it do
// not need the Graph SDK to compile it.
//
// # Endpoints
//
// Under /v1.0, with "Authorization: Bearer <token>":
//
//	GET    /drives/{id}, /users/{upn}/drive, /sites/{id}/drive
//	GET    /sites/{host}:/{path}, /sites/{host}:/{path}:/drives, /sites/{id}, /sites/{id}/drives
//	GET    {drive}/root, {drive}/items/{id}, {drive}/root:/{path}:, {drive}/items/{id}:/{path}:
//	GET    {item}/children        ($top, $skiptoken nextLink)
//	GET    {drive}/root/delta, {drive}/items/root/delta(), delta(token='…'), ?token=…, ?token=latest
//	GET    {item}/content         (302 to a pre-authenticated download URL)
//	GET    {item}/versions, {item}/versions/{id}, {item}/versions/{id}/content
//	GET    {item}/permissions
//	DELETE {item}                 (If-Match → 412 resourceModified; to the recycle bin)
//	POST   {item}/permanentDelete (204, or 400/403 notSupported: DisablePermanentDelete)
//	DELETE {item}/versions/{id}   (405 notSupported unless AllowVersionDelete)
//	POST   /$batch                (≤ 20 requests, relative URLs)
//
// and, for azidentity/MSAL, GET /{tenant}/v2.0/.well-known/openid-configuration
// and POST /{tenant}/oauth2/v2.0/token (grant_type=client_credentials, with
// client_secret or client_assertion, scope "<resource>/.default").
//
// $select is honoured; $expand is refused (400) rather than ignored.
//
// # Graph behaviour a client must cope with
//
//   - Delta items carry no parentReference.path (as Graph documents for
//     OneDrive for Business and SharePoint): rebuild paths from
//     parentReference.id. A full listing starts with the root item (root
//     facet) and lists parents before children. Deleted items carry only
//     id, parentReference and the deleted facet, and come last.
//   - An incremental delta also lists the folders above each changed item,
//     unless the request has "Prefer: deltaExcludeParent".
//   - A $top above the server's maximum (999) is clamped; a page may hold
//     fewer items than asked for.
//   - An expired delta token (ExpireDeltaTokens), deltaLink or nextLink,
//     answers 410 Gone, error code resyncRequired, with a Location header
//     holding a fresh delta URL.
//   - Batch responses come back in reverse order: match them by id. A
//     sub-request's error body has Content-Type application/json; a 204
//     has no body. A batch with an absolute sub-request URL, more than 20
//     requests, duplicate ids or a dependsOn on a later request is refused
//     whole (400 BadRequest).
//   - A request marked Content-Encoding: gzip whose body is not gzip
//     answers 400, as Graph does (kiota-http-go#183).
//   - /me answers 400 for app-only tokens.
//   - eTags and cTags are quoted ("{GUID},N"); If-Match wants them so.
//     Names are case-insensitive and may not hold " * : < > ? \ |.
//
// # Wiring the real SDK (checked with msgraph-sdk-go v1.89.0, azidentity v1.15.0)
//
// The server serves HTTPS (httptest's certificate), because azidentity and
// MSAL refuse an authority host that is not https:
//
//	cred, _ := azidentity.NewClientSecretCredential(s.TenantID(), "app", "secret",
//		&azidentity.ClientSecretCredentialOptions{
//			ClientOptions: azcore.ClientOptions{
//				Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: s.AuthorityHost()},
//				Transport: s.Client(),
//			},
//			DisableInstanceDiscovery: true, // else MSAL asks login.microsoftonline.com
//		})
//	auth, _ := kiotaauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(
//		cred, []string{graphtest.GraphScope}, []string{s.Host()})
//	hc := &http.Client{Transport: khttp.NewCustomTransportWithParentTransport(
//		s.Client().Transport, middlewares...)} // leave out khttp.CompressionHandler
//	adapter, _ := msgraph.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(auth, nil, nil, hc)
//	adapter.SetBaseUrl(s.GraphURL()) // before NewGraphServiceClient, so that batch URLs are relative
//	client := msgraph.NewGraphServiceClient(adapter)
//
// MSAL asks for the OpenID configuration, then a token (scope
// "<resource>/.default openid offline_access profile"); nothing else. It
// reuses a token until five minutes before it expires. ExpireAccessTokens
// makes Graph answer 401 with a claims challenge for clients that
// announced continuous access evaluation (kiota's azure provider does), on
// which kiota fetches a new token and retries by itself. With the
// compression handler in the chain, a 429 on POST /$batch makes the retry
// answer 400, as against Graph. testdata/sdkcheck holds the test that
// checked all this; it runs in a scratch module, not in this one.
//
// With a static token (IssueToken) or AllowAnonymous and PlainHTTP, a
// client needs no azidentity at all.
package graphtest
