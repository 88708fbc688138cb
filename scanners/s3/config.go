package s3

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"unicode"
)

// Config says which bucket and prefix a Store lists and how it reaches S3.
// Keys map one to one onto the YAML store config (bucket, prefix, region,
// endpoint, path_style, profile, access_key_id, secret_access_key,
// session_token).
//
// Credentials come from the SDK's default chain unless AccessKeyID and
// SecretAccessKey are set: the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
// environment variables, then the shared config and credentials files
// (~/.aws; Profile, or AWS_PROFILE, picks the profile, which may use SSO or
// assume a role), then a container or EC2 instance role.
type Config struct {
	// Bucket is the bucket's name.
	Bucket string
	// Prefix limits the store to keys that start with it. It is empty (the
	// whole bucket) or ends with "/" ("daily/"). Record IDs are keys with
	// the prefix removed.
	Prefix string
	// Region is the bucket's region ("eu-central-1"). Empty takes it from
	// the default chain (AWS_REGION, the profile); Open fails if that has
	// none either. S3-compatible servers often accept any, or only
	// "us-east-1".
	Region string
	// Endpoint is the base URL of an S3-compatible server
	// ("https://s3.example.nl"); empty for AWS.
	Endpoint string
	// PathStyle addresses the bucket in the URL's path
	// (https://host/bucket/key) instead of its host name
	// (https://bucket.host/key), as most S3-compatible servers need.
	PathStyle bool
	// Profile is the shared config profile to use; empty for AWS_PROFILE
	// or "default". Not together with AccessKeyID.
	Profile string
	// AccessKeyID, SecretAccessKey and SessionToken are explicit
	// credentials, which the caller reads from a file or an environment
	// variable of its choosing. SessionToken is only for temporary
	// credentials. The store never logs them nor puts them in an error.
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	// Transport, if set, carries every request: for a proxy or a private
	// certificate authority. The SDK's retries and the store's request
	// counting sit above it. With a Transport of its own the store does
	// not apply AWS_CA_BUNDLE (the SDK can only add it to its own
	// transport): give the transport the roots instead.
	Transport http.RoundTripper
}

var (
	// bucketName is S3's rule for bucket names, with the legacy
	// upper-case letters and underscores that old us-east-1 buckets and
	// some S3-compatible servers allow.
	bucketName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._-]{1,253}[a-zA-Z0-9]$`)
	regionName = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

// Validate checks c without contacting anything. Errors name the config
// key and the fix; none repeats a secret, and none repeats the prefix,
// which can hold a person's name.
func (c Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("s3: "+format, args...))
	}
	switch {
	case strings.TrimSpace(c.Bucket) == "":
		add("bucket is empty; set it to the bucket's name, without s3:// or a path")
	case strings.HasPrefix(c.Bucket, "s3://") || strings.Contains(c.Bucket, "/"):
		add("bucket must be the bare bucket name, without s3:// or a path; put the path in prefix")
	case !bucketName.MatchString(c.Bucket):
		add("bucket is not a valid bucket name; use 3 to 255 letters, digits, dots, hyphens and underscores, starting and ending with a letter or digit")
	}
	if err := checkPrefix(c.Prefix); err != nil {
		errs = append(errs, err)
	}
	if c.Region != "" && !regionName.MatchString(c.Region) {
		add("region %q is not a region name; use a name such as eu-central-1, or leave it empty to take AWS_REGION or the profile's region", c.Region)
	}
	if c.Endpoint != "" {
		u, err := url.Parse(c.Endpoint)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.Trim(u.Path, "/") != "" {
			// The value is not repeated: it may hold a password.
			add("endpoint is not a plain http(s) base URL (no user, path, query or fragment); use a URL such as https://s3.example.nl, or leave it empty for AWS")
		}
	}
	if (c.AccessKeyID == "") != (c.SecretAccessKey == "") {
		add("access_key_id and secret_access_key go together; set both, or neither to use the default credential chain")
	}
	if c.SessionToken != "" && c.AccessKeyID == "" {
		add("session_token is set without access_key_id and secret_access_key; set all three, or none")
	}
	if c.Profile != "" && c.AccessKeyID != "" {
		add("profile and access_key_id both give credentials; set only one of them")
	}
	return errors.Join(errs...)
}

// checkPrefix checks a key prefix: empty, or a relative folder path
// ending with "/".
func checkPrefix(p string) error {
	if p == "" {
		return nil
	}
	why := ""
	switch {
	case strings.HasPrefix(p, "/"):
		why = "must not start with \"/\" (S3 keys have no leading slash)"
	case !strings.HasSuffix(p, "/"):
		why = "must end with \"/\", so that it names a folder (a prefix of \"daily\" would also match \"daily-old/\")"
	case strings.IndexFunc(p, unicode.IsControl) >= 0:
		why = "must not hold control characters"
	default:
		for elem := range strings.SplitSeq(strings.TrimSuffix(p, "/"), "/") {
			if elem == "" || elem == "." || elem == ".." {
				why = "must not hold empty, \".\" or \"..\" path elements"
				break
			}
		}
	}
	if why == "" {
		return nil
	}
	return fmt.Errorf("s3: prefix %s; write it as a folder path such as daily/ or backups/2024/, or leave it empty for the whole bucket", why)
}
