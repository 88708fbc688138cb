package onedrive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"github.com/retentiond/retentiond/scanners"
)

// Errors the store returns, wrapped; test with errors.Is.
var (
	// ErrChanged means the item changed since its version was read (Graph
	// answered 412 to If-Match): re-scan and re-plan before acting on it.
	ErrChanged = scanners.ErrChanged
	// ErrPermanentDeleteUnsupported means the drive does not offer
	// permanentDelete (OneDrive personal accounts, and tenants that have
	// not enabled it). Nothing was deleted.
	ErrPermanentDeleteUnsupported = errors.New("this drive does not support permanent deletion")
	// ErrThrottled means Graph kept answering 429 or 503 after every
	// retry the store allows.
	ErrThrottled = errors.New("Graph is throttling this application")
	// ErrAccessDenied means Graph refused the request (401 or 403): the
	// application lacks a permission or was not granted the site.
	ErrAccessDenied = errors.New("access denied by Graph")
)

// GraphError is an error response from Graph. It carries the HTTP status
// and Graph's error code, never the request's URL or Graph's message, both
// of which can hold a file's name (personal data) and the URL sometimes a
// token.
type GraphError struct {
	// Op is what the store was doing: "scan", "stat", "delete", ...
	Op string
	// Status is the HTTP status code.
	Status int
	// Code is Graph's error code ("itemNotFound", "resyncRequired", ...),
	// or "" if the body had none.
	Code string
	// RequestID is Graph's request-id header, for Microsoft support.
	RequestID string
	kind      error
}

// Error says what failed and how Graph answered.
func (e *GraphError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "onedrive: %s: Graph answered %d", e.Op, e.Status)
	if e.Code != "" {
		fmt.Fprintf(&b, " (%s)", e.Code)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, ", request-id %s", e.RequestID)
	}
	if e.kind != nil {
		fmt.Fprintf(&b, ": %v", e.kind)
	}
	return b.String()
}

// Unwrap returns scanners.ErrNotFound for 404 and 410, ErrChanged for 412,
// ErrThrottled for 429 and 503, ErrAccessDenied for 401 and 403, and nil
// otherwise.
func (e *GraphError) Unwrap() error { return e.kind }

func kindOf(status int) error {
	switch status {
	case 404, 410:
		return scanners.ErrNotFound
	case 412:
		return ErrChanged
	case 429, 503:
		return ErrThrottled
	case 401, 403:
		return ErrAccessDenied
	}
	return nil
}

func newGraphError(op string, status int, code, requestID string) *GraphError {
	return &GraphError{Op: op, Status: status, Code: code, RequestID: requestID, kind: kindOf(status)}
}

// wrap turns an error from the SDK, azidentity or the network into one
// that names the operation and holds no URL, file name or secret. A
// context error is returned as it is, so that errors.Is finds it.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var ge *GraphError
	if errors.As(err, &ge) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("onedrive: %s: %w", op, contextErr(err))
	}
	var odata *odataerrors.ODataError
	if errors.As(err, &odata) {
		code := ""
		if e := odata.GetErrorEscaped(); e != nil && e.GetCode() != nil {
			code = *e.GetCode()
		}
		return newGraphError(op, odata.ResponseStatusCode, code, headerValue(odata.ResponseHeaders, "request-id"))
	}
	var api *abs.ApiError
	if errors.As(err, &api) {
		return newGraphError(op, api.ResponseStatusCode, "", headerValue(api.ResponseHeaders, "request-id"))
	}
	var auth *azidentity.AuthenticationFailedError
	if errors.As(err, &auth) {
		return fmt.Errorf("onedrive: %s: signing in to Entra ID failed%s; check tenant_id, client_id and the client secret or certificate, and that it has not expired and is registered on the app", op, authDetail(auth))
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// url.Error repeats the URL, which holds drive paths.
		return fmt.Errorf("onedrive: %s: %s request failed: %w", op, ue.Op, ue.Err)
	}
	return fmt.Errorf("onedrive: %s: %w", op, err)
}

// contextErr finds the context error inside err, dropping wrappers (such
// as url.Error) that would print a URL.
func contextErr(err error) error {
	if errors.Is(err, context.Canceled) {
		return context.Canceled
	}
	return context.DeadlineExceeded
}

func headerValue(h *abs.ResponseHeaders, key string) string {
	if h == nil {
		return ""
	}
	if v := h.Get(key); len(v) > 0 {
		return v[0]
	}
	return ""
}

var aadsts = regexp.MustCompile(`^AADSTS[0-9]+`)

// authDetail is the status and OAuth error code of a failed sign-in,
// without the response's description (which names the tenant and app).
func authDetail(e *azidentity.AuthenticationFailedError) string {
	if e.RawResponse == nil {
		return ""
	}
	detail := fmt.Sprintf(" (HTTP %d", e.RawResponse.StatusCode)
	if e.RawResponse.Body != nil {
		var body struct {
			Error       string `json:"error"`
			ErrorCodes  []int  `json:"error_codes"`
			Description string `json:"error_description"`
		}
		data, _ := io.ReadAll(io.LimitReader(e.RawResponse.Body, 64<<10))
		if json.Unmarshal(data, &body) == nil && body.Error != "" {
			detail += ", " + body.Error
			for _, c := range body.ErrorCodes {
				detail += fmt.Sprintf(", AADSTS%d", c)
			}
			// Only the code that starts the description: the rest can
			// name the tenant or the application.
			if code := aadsts.FindString(body.Description); len(body.ErrorCodes) == 0 && code != "" {
				detail += ", " + code
			}
		}
	}
	return detail + ")"
}
