// Package onedrive is the store for a drive in Microsoft Graph: a user's
// OneDrive, or a SharePoint site's document library. It is built on
// msgraph-sdk-go, signs in with an app registration's client secret
// (azidentity), and is the only package of retentiond that imports the
// Graph SDK, which takes minutes to compile.
//
// # Access
//
// The store signs in app-only (client credentials), with a client secret
// or, as Entra ID recommends, a certificate (Config.Certificate). The
// application needs
// the Microsoft Graph application permission Files.ReadWrite.All (every
// drive in the tenant), or, with the least reach, Sites.Selected granted
// "write" on the one site whose library is listed (an administrator grants
// it with POST /sites/{site-id}/permissions). Reading alone (plan without
// apply) needs Files.Read.All, or Sites.Selected with "read". Neither
// the client secret nor the certificate's key ever appears in errors or
// logs.
//
// # Listing
//
// Scan uses the delta query, at large pages, following nextLink to
// deltaLink. It keeps the delta link and an index of the drive's items in
// Config.StateDir, so that the next Scan asks Graph only for what changed
// and still lists the whole drive from the index. An expired delta token
// (410 Gone) falls back to a full listing by itself. Any error while
// listing fails the Scan, which leaves the saved state untouched.
//
// Record IDs are paths from the drive's root; Version is the item's eTag,
// which changes with content and with metadata (a rename or move), and
// ModTime is Graph's lastModifiedDateTime.
//
// # Acting
//
// Delete re-reads the item and deletes it with If-Match on its eTag, so a
// file that changed since is left alone (ErrChanged). DeleteMany does the
// same for many records in JSON batches of 20, with the planned version as
// If-Match: Graph does the apply-time re-check, without a request per
// record. By default deleted items go to the site's recycle bin (93 days,
// then the second-stage bin); with Config.PermanentDelete they are removed
// with Graph's permanentDelete, which OneDrive personal accounts do not
// offer (ErrPermanentDeleteUnsupported, nothing deleted).
//
// Earlier versions of a file hold the same personal data. Deleting a file
// deletes its versions with it (they go to the recycle bin together, and a
// permanent delete removes them together); Graph v1.0 has no call to
// delete a single version, so the store never tries to.
//
// # Throttling
//
// Every request, retries included, is taken from a budget of
// Config.RequestsPerMinute requests in any 60 seconds (sub-requests of a
// batch count one each); DefaultRequestsPerMinute explains the default.
// 429 and 503 are retried after their Retry-After, or with exponential
// backoff and jitter when there is none; when sub-requests are throttled
// inside a successful batch, only they are sent again, in a new batch.
// Network errors are not retried. Access tokens are renewed by azidentity before they expire.
//
// # Errors
//
// Graph's errors become *GraphError, which carries the HTTP status and
// Graph's error code and wraps scanners.ErrNotFound, ErrChanged,
// ErrThrottled or ErrAccessDenied. No error holds a URL (URLs hold file
// names), Graph's message (which can repeat a name), or a secret.
package onedrive
