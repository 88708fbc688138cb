package graphtest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// accessToken is an issued bearer token.
type accessToken struct {
	expires time.Time
	revoked bool // by ExpireAccessTokens
	cae     bool // the client announced the CP1 capability (continuous access evaluation)
}

// serveAuth serves the Entra ID endpoints a client-credentials client
// calls: the OpenID configuration MSAL reads first (when instance
// discovery is disabled) and the token endpoint it names.
func (s *Server) serveAuth(w http.ResponseWriter, r *http.Request) {
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)
	req := &request{method: r.Method, path: r.URL.Path, query: r.URL.Query(), header: r.Header}
	if len(parts) < 2 {
		s.record(req, r.Method+" unknown", http.StatusNotFound)
		http.NotFound(w, r)
		return
	}
	tenant, rest := parts[0], parts[1]
	var endpoint string
	switch {
	case rest == "v2.0/.well-known/openid-configuration" && r.Method == http.MethodGet:
		endpoint = "GET openid-configuration"
	case rest == "oauth2/v2.0/token" && r.Method == http.MethodPost:
		endpoint = "POST token"
	default:
		s.record(req, r.Method+" unknown", http.StatusNotFound)
		http.NotFound(w, r)
		return
	}
	if !strings.EqualFold(tenant, s.opts.TenantID) {
		s.oauthError(w, req, endpoint, http.StatusBadRequest, "invalid_tenant",
			fmt.Sprintf("AADSTS90002: Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", tenant))
		return
	}
	if endpoint == "GET openid-configuration" {
		base := s.srv.URL + "/" + tenant
		s.writeAuthJSON(w, req, endpoint, http.StatusOK, map[string]any{
			"token_endpoint":                        base + "/oauth2/v2.0/token",
			"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
			"issuer":                                base + "/v2.0",
			"jwks_uri":                              base + "/discovery/v2.0/keys",
			"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
			"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
			"tenant_region_scope":                   "EU",
			"cloud_instance_name":                   "microsoftonline.com",
		})
		return
	}
	s.token(w, r, req, endpoint)
}

// token issues an access token for the client-credentials grant.
func (s *Server) token(w http.ResponseWriter, r *http.Request, req *request, endpoint string) {
	if err := r.ParseForm(); err != nil {
		s.oauthError(w, req, endpoint, http.StatusBadRequest, "invalid_request", "AADSTS900144: The request body must contain the following parameter: 'grant_type'.")
		return
	}
	f := r.PostForm
	switch {
	case f.Get("grant_type") != "client_credentials":
		s.oauthError(w, req, endpoint, http.StatusBadRequest, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type. This test server supports client_credentials only.")
		return
	case f.Get("client_id") == "" || (s.opts.ClientID != "" && f.Get("client_id") != s.opts.ClientID):
		s.oauthError(w, req, endpoint, http.StatusBadRequest, "unauthorized_client", "AADSTS700016: Application was not found in the directory.")
		return
	case f.Get("client_secret") == "" && f.Get("client_assertion") == "":
		s.oauthError(w, req, endpoint, http.StatusUnauthorized, "invalid_client", "AADSTS7000216: 'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.")
		return
	case f.Get("client_secret") != "" && s.opts.ClientSecret != "" && f.Get("client_secret") != s.opts.ClientSecret:
		s.oauthError(w, req, endpoint, http.StatusUnauthorized, "invalid_client", "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.")
		return
	case f.Get("client_assertion") != "" && s.opts.ClientCertificate != nil &&
		checkAssertion(f.Get("client_assertion"), s.opts.ClientCertificate, f.Get("client_id"), s.srv.URL+"/"+tenantOf(r)+"/oauth2/v2.0/token", s.now()) != nil:
		s.oauthError(w, req, endpoint, http.StatusUnauthorized, "invalid_client", "AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application, or the assertion is invalid: "+
			checkAssertion(f.Get("client_assertion"), s.opts.ClientCertificate, f.Get("client_id"), s.srv.URL+"/"+tenantOf(r)+"/oauth2/v2.0/token", s.now()).Error())
		return
	case f.Get("client_secret") != "" && s.opts.ClientCertificate != nil && s.opts.ClientSecret == "":
		s.oauthError(w, req, endpoint, http.StatusUnauthorized, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
		return
	case !defaultScope(f.Get("scope")):
		s.oauthError(w, req, endpoint, http.StatusBadRequest, "invalid_scope", "AADSTS1002012: The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).")
		return
	}
	buf := make([]byte, 24)
	_, _ = rand.Read(buf)
	tok := "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0." + hex.EncodeToString(buf)
	life := s.opts.TokenLifetime
	s.mu.Lock()
	s.tokens[tok] = &accessToken{expires: s.now().Add(life), cae: strings.Contains(strings.ToLower(f.Get("claims")), "cp1")}
	s.mu.Unlock()
	secs := int(life / time.Second)
	s.writeAuthJSON(w, req, endpoint, http.StatusOK, map[string]any{
		"token_type": "Bearer", "expires_in": secs, "ext_expires_in": secs, "access_token": tok,
	})
}

// tenantOf is the tenant segment of a sign-in request's path.
func tenantOf(r *http.Request) string {
	t, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	return t
}

// defaultScope says whether a client-credentials scope list names one
// resource's "/.default" scope. MSAL adds openid, profile and
// offline_access to every request, which Entra ID ignores here.
func defaultScope(scope string) bool {
	n := 0
	for _, sc := range strings.Fields(scope) {
		switch {
		case sc == "openid" || sc == "profile" || sc == "offline_access":
		case strings.HasSuffix(sc, "/.default"):
			n++
		default:
			return false
		}
	}
	return n == 1
}

// IssueToken returns a valid access token without the OAuth2 round trip,
// for clients that use a static-token auth provider.
func (s *Server) IssueToken() string {
	buf := make([]byte, 24)
	_, _ = rand.Read(buf)
	tok := "static." + hex.EncodeToString(buf)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[tok] = &accessToken{expires: s.now().Add(s.opts.TokenLifetime)}
	return tok
}

// ExpireAccessTokens makes every access token issued so far invalid: Graph
// then answers 401 InvalidAuthenticationToken. For a token whose client
// announced continuous access evaluation (kiota's azure provider does by
// default), the 401 carries a claims challenge in WWW-Authenticate, on
// which kiota fetches a new token and retries once by itself, as against
// Graph after a revocation. Tokens issued later are valid.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		t.revoked = true
	}
}

// authenticate checks the bearer token of a Graph request; nil means it is
// valid.
func (s *Server) authenticate(r *http.Request) *response {
	if s.opts.AllowAnonymous {
		return nil
	}
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || tok == "" {
		return unauthorized("Access token is empty.", "")
	}
	s.mu.Lock()
	at := s.tokens[tok]
	now := s.now()
	s.mu.Unlock()
	switch {
	case at == nil:
		return unauthorized("Invalid access token.", "")
	case at.revoked && at.cae:
		claims := fmt.Sprintf(`{"access_token":{"nbf":{"essential":true,"value":"%d"}}}`, now.Unix())
		return unauthorized("Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp",
			base64.StdEncoding.EncodeToString([]byte(claims)))
	case at.revoked || !now.Before(at.expires):
		return unauthorized("Lifetime validation failed, the token is expired.", "")
	}
	return nil
}

// unauthorized is Graph's 401, with a claims challenge when claims is set.
func unauthorized(msg, claims string) *response {
	resp := errResp(http.StatusUnauthorized, "InvalidAuthenticationToken", msg)
	chal := `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`
	if claims != "" {
		chal += `, error="insufficient_claims", claims="` + claims + `"`
	}
	resp.header.Set("WWW-Authenticate", chal)
	return resp
}

func (s *Server) oauthError(w http.ResponseWriter, req *request, endpoint string, status int, code, desc string) {
	s.writeAuthJSON(w, req, endpoint, status, map[string]any{
		"error": code, "error_description": desc, "error_codes": []int{},
		"timestamp": s.now().UTC().Format("2006-01-02 15:04:05Z"),
	})
}

func (s *Server) writeAuthJSON(w http.ResponseWriter, req *request, endpoint string, status int, body any) {
	s.record(req, endpoint, status)
	data, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}
