package lockcopy

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"unicode"
)

// DefaultRetainDays is a retention to propose when the config sets none:
// seven years, the longest period the ledger's own records are usually
// asked about (the fiscal retention period). The config loader decides.
const DefaultRetainDays = 2555

// maxRetainDays bounds RetainDays at 100 years: a typo of extra digits
// would lock objects, and their storage costs, for good.
const maxRetainDays = 36500

// Config says where the ledger's copies go. Each field is the config key
// under ledger_copy: named in its comment.
//
// Credentials come from the SDK's default chain (AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY, then the shared ~/.aws files with Profile or
// AWS_PROFILE, then a container or instance role) unless AccessKeyID and
// SecretAccessKey are set, as for the s3 store. The credentials need
// s3:PutObject, s3:PutObjectRetention, s3:GetObject, s3:GetObjectVersion,
// s3:ListBucket, s3:ListBucketVersions and
// s3:GetBucketObjectLockConfiguration; never s3:DeleteObject*, so that
// a stolen key cannot even add delete markers.
type Config struct {
	// Bucket (bucket) is the bucket's name. It must have Object Lock
	// enabled; Open refuses one without.
	Bucket string
	// Prefix (prefix) is put before every object name: empty, or a folder
	// path ending in "/" ("retentiond/ledger/").
	Prefix string
	// Region (region) is the bucket's region; empty takes AWS_REGION or
	// the profile's.
	Region string
	// Endpoint (endpoint) is the base URL of an S3-compatible server
	// ("https://s3.example.nl"); empty for AWS.
	Endpoint string
	// PathStyle (path_style) puts the bucket in the URL's path, as most
	// S3-compatible servers need.
	PathStyle bool
	// RetainDays (retain_days) is how long each object is locked in
	// compliance mode from its upload: nobody, the bucket owner included,
	// can delete or overwrite it before then.
	RetainDays int
	// CAFile (ca_file) is a PEM file of the certificate authorities to
	// trust for Endpoint, in place of the system's (as AWS_CA_BUNDLE,
	// which it overrides): for a server with a private CA.
	CAFile string
	// Profile (profile) is the shared config profile; empty for
	// AWS_PROFILE or "default". Not together with AccessKeyID.
	Profile string
	// AccessKeyID, SecretAccessKey and SessionToken (access_key_id,
	// secret_access_key, session_token) are explicit credentials, which
	// the caller reads from a file or variable of its choosing. They are
	// never logged nor put in an error.
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
}

var (
	// The s3 store's rules for bucket and region names.
	bucketName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._-]{1,253}[a-zA-Z0-9]$`)
	regionName = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

// Validate checks c without contacting anything. Each error names the
// config key under ledger_copy. and how to fix it; none repeats a secret
// or the endpoint (which may hold a password).
func (c Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("ledger_copy."+format, args...))
	}
	switch {
	case strings.TrimSpace(c.Bucket) == "":
		add("bucket is empty; set it to the name of a bucket with Object Lock enabled")
	case strings.HasPrefix(c.Bucket, "s3://") || strings.Contains(c.Bucket, "/"):
		add("bucket must be the bare bucket name, without s3:// or a path; put the path in ledger_copy.prefix")
	case !bucketName.MatchString(c.Bucket):
		add("bucket is not a valid bucket name; use 3 to 255 letters, digits, dots, hyphens and underscores, starting and ending with a letter or digit")
	}
	if why := prefixProblem(c.Prefix); why != "" {
		add("prefix %s; write it as a folder path such as retentiond/ledger/, or leave it empty", why)
	}
	if c.Region != "" && !regionName.MatchString(c.Region) {
		add("region %q is not a region name; use one such as eu-central-1, or leave it empty to take AWS_REGION", c.Region)
	}
	if c.Endpoint != "" {
		u, err := url.Parse(c.Endpoint)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.Trim(u.Path, "/") != "" {
			add("endpoint is not a plain http(s) base URL (no user, path, query or fragment); use one such as https://s3.example.nl, or leave it empty for AWS")
		}
	}
	switch {
	case c.RetainDays <= 0:
		add("retain_days must be set to a number of days, at least 1 (%d for seven years): each copy is locked that long", DefaultRetainDays)
	case c.RetainDays > maxRetainDays:
		add("retain_days is %d, more than %d (100 years): copies could never be removed; check for extra digits", c.RetainDays, maxRetainDays)
	}
	if c.CAFile != "" {
		if _, err := os.Stat(c.CAFile); err != nil {
			add("ca_file: %v; give the path of a PEM file of CA certificates, or leave it empty", err)
		}
	}
	if (c.AccessKeyID == "") != (c.SecretAccessKey == "") {
		add("access_key_id and secret_access_key go together; set both, or neither to use the default credential chain")
	}
	if c.SessionToken != "" && c.AccessKeyID == "" {
		add("session_token is set without access_key_id and secret_access_key; set all three, or none")
	}
	if c.Profile != "" && c.AccessKeyID != "" {
		add("profile and ledger_copy.access_key_id both give credentials; set only one of them")
	}
	return errors.Join(errs...)
}

// prefixProblem says what is wrong with a key prefix, or "".
func prefixProblem(p string) string {
	switch {
	case p == "":
		return ""
	case strings.HasPrefix(p, "/"):
		return "must not start with \"/\""
	case !strings.HasSuffix(p, "/"):
		return "must end with \"/\""
	case strings.IndexFunc(p, unicode.IsControl) >= 0:
		return "must not hold control characters"
	}
	for elem := range strings.SplitSeq(strings.TrimSuffix(p, "/"), "/") {
		if elem == "" || elem == "." || elem == ".." {
			return "must not hold empty, \".\" or \"..\" path elements"
		}
	}
	return ""
}
