package s3

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/retentiond/retentiond/scanners"
)

// Errors the store returns, wrapped; test with errors.Is. Besides these, a
// missing record wraps scanners.ErrNotFound, a version that changed since
// the plan scanners.ErrChanged, and a locked one scanners.ErrLocked.
var (
	// ErrAccessDenied means S3 refused the request (403) for want of a
	// permission: see the README for the policy the store needs.
	ErrAccessDenied = errors.New("access denied by S3")
	// ErrThrottled means S3 kept answering 503 SlowDown (or 429) after
	// every retry the SDK allows.
	ErrThrottled = errors.New("S3 is throttling requests")
	// ErrNoSuchBucket means the bucket does not exist (or not in this
	// region or endpoint).
	ErrNoSuchBucket = errors.New("the bucket does not exist")
)

// Error is an error answer from S3. It carries the HTTP status and S3's
// error code, never the request's URL or S3's message, either of which can
// repeat a key (a file name, personal data).
type Error struct {
	// Op is what the store was doing: "scan", "stat", "delete", ...
	Op string
	// Operation is the S3 API call: "ListObjectsV2", "DeleteObjects", ...
	Operation string
	// Status is the HTTP status code; 0 for an error S3 reported inside a
	// successful DeleteObjects answer.
	Status int
	// Code is S3's error code ("NoSuchKey", "AccessDenied", "SlowDown").
	Code string
	// RequestID is S3's x-amz-request-id, for the provider's support.
	RequestID string
	kind      error
}

// Error says what failed and how S3 answered.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "s3: %s: ", e.Op)
	if e.Operation != "" {
		fmt.Fprintf(&b, "%s ", e.Operation)
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, "answered %d", e.Status)
	} else {
		b.WriteString("failed")
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " (%s)", e.Code)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, ", request id %s", e.RequestID)
	}
	if e.kind != nil {
		fmt.Fprintf(&b, ": %v", e.kind)
	}
	return b.String()
}

// Unwrap returns scanners.ErrNotFound, ErrAccessDenied, ErrThrottled,
// ErrNoSuchBucket or scanners.ErrLocked as the answer says, or nil.
func (e *Error) Unwrap() error { return e.kind }

// kindOf classifies an S3 answer by its code first (S3 answers some
// "not found"s with 400, and a HEAD has no body, hence no code) and then
// by its status.
func kindOf(status int, code string) error {
	switch code {
	case "NoSuchBucket":
		return ErrNoSuchBucket
	case "NoSuchKey", "NotFound", "NoSuchVersion":
		return scanners.ErrNotFound
	case "AccessDenied", "AllAccessDisabled", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken":
		return ErrAccessDenied
	case "SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException":
		return ErrThrottled
	}
	switch status {
	case http.StatusNotFound:
		return scanners.ErrNotFound
	case http.StatusForbidden, http.StatusUnauthorized:
		return ErrAccessDenied
	case http.StatusServiceUnavailable, http.StatusTooManyRequests:
		return ErrThrottled
	}
	return nil
}

// wrap turns an error from the SDK or the network into one that names the
// store's operation and holds no URL, key or secret. A context error is
// kept findable with errors.Is.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var se *Error
	if errors.As(err, &se) {
		return err
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("s3: %s: %w", op, context.Canceled)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("s3: %s: %w", op, context.DeadlineExceeded)
	}
	operation := ""
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		operation = oe.Operation()
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		e := &Error{Op: op, Operation: operation, Status: re.HTTPStatusCode(), RequestID: re.ServiceRequestID()}
		var ae smithy.APIError
		if errors.As(err, &ae) {
			e.Code = ae.ErrorCode()
		}
		e.kind = kindOf(e.Status, e.Code)
		return e
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// url.Error repeats the URL, which holds the key.
		return fmt.Errorf("s3: %s: %s request failed: %w", op, operation, ue.Err)
	}
	if operation != "" {
		// The SDK's own text for failures before or after the wire
		// (credentials, serialization, a malformed answer); it names the
		// operation but no key.
		return fmt.Errorf("s3: %s: %w", op, oe.Err)
	}
	return fmt.Errorf("s3: %s: %w", op, err)
}

// apiCode returns the S3 error code in err, or "".
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
