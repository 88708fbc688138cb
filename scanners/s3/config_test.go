package s3

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/scanners/s3/s3test"
)

func TestValidate(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	good := Config{Bucket: "kidsadmin-backups", Prefix: "daily/", Region: "eu-central-1", Endpoint: "https://s3.example.nl", PathStyle: true}
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string // in the error; "" for valid
	}{
		{"Good", func(*Config) {}, ""},
		{"NoPrefixNoRegionNoEndpoint", func(c *Config) { c.Prefix, c.Region, c.Endpoint = "", "", "" }, ""},
		{"DeepPrefix", func(c *Config) { c.Prefix = "backups/2024/" }, ""},
		{"StaticKeys", func(c *Config) { c.AccessKeyID, c.SecretAccessKey, c.SessionToken = "AKIAEXAMPLE", secret, "token" }, ""},
		{"Profile", func(c *Config) { c.Profile = "backups" }, ""},
		{"LegacyBucket", func(c *Config) { c.Bucket = "Old_Bucket" }, ""},
		{"LocalHTTP", func(c *Config) { c.Endpoint = "http://127.0.0.1:7070/" }, ""},
		{"NoBucket", func(c *Config) { c.Bucket = " " }, "bucket is empty"},
		{"BucketURL", func(c *Config) { c.Bucket = "s3://kidsadmin-backups" }, "bucket must be the bare bucket name"},
		{"BucketPath", func(c *Config) { c.Bucket = "kidsadmin-backups/daily" }, "put the path in prefix"},
		{"BucketShort", func(c *Config) { c.Bucket = "ab" }, "bucket is not a valid bucket name"},
		{"PrefixNoSlash", func(c *Config) { c.Prefix = "Jansen" }, `prefix must end with "/"`},
		{"PrefixLeadingSlash", func(c *Config) { c.Prefix = "/Jansen/" }, `prefix must not start with "/"`},
		{"PrefixDotDot", func(c *Config) { c.Prefix = "Jansen/../x/" }, "prefix must not hold empty"},
		{"PrefixDoubleSlash", func(c *Config) { c.Prefix = "Jansen//" }, "prefix must not hold empty"},
		{"PrefixControl", func(c *Config) { c.Prefix = "Jan\nsen/" }, "control characters"},
		{"Region", func(c *Config) { c.Region = "EU Central" }, "region"},
		{"EndpointNoScheme", func(c *Config) { c.Endpoint = "s3.example.nl" }, "endpoint is not a plain http(s) base URL"},
		{"EndpointUser", func(c *Config) { c.Endpoint = "https://user:" + secret + "@s3.example.nl" }, "endpoint is not"},
		{"EndpointPath", func(c *Config) { c.Endpoint = "https://s3.example.nl/kidsadmin-backups" }, "endpoint is not"},
		{"KeyWithoutSecret", func(c *Config) { c.AccessKeyID = "AKIAEXAMPLE" }, "access_key_id and secret_access_key go together"},
		{"SecretWithoutKey", func(c *Config) { c.SecretAccessKey = secret }, "access_key_id and secret_access_key go together"},
		{"TokenAlone", func(c *Config) { c.SessionToken = secret }, "session_token"},
		{"ProfileAndKeys", func(c *Config) { c.Profile, c.AccessKeyID, c.SecretAccessKey = "x", "AKIAEXAMPLE", secret }, "profile and access_key_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			tc.edit(&c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate: %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Validate: %v, want an error with %q", err, tc.want)
			case err != nil && strings.Contains(err.Error(), secret):
				t.Errorf("error repeats the secret: %v", err)
			case err != nil && strings.Contains(err.Error(), "Jan"):
				t.Errorf("error repeats the prefix: %v", err)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	srv := s3test.Get(t)
	bucket := srv.PlainBucket(t)
	for _, tc := range []struct {
		name string
		edit func(*Config)
		is   error
		want string
	}{
		{"NoSuchBucket", func(c *Config) { c.Bucket = "no-such-bucket-here" }, ErrNoSuchBucket, "check bucket, region and endpoint"},
		{"WrongSecret", func(c *Config) { c.SecretAccessKey = "not-the-secret-at-all" }, ErrAccessDenied, "s3:ListBucket"},
		{"NoRegion", func(c *Config) { c.Region = "" }, nil, "no region"},
		{"Invalid", func(c *Config) { c.Prefix = "/x" }, nil, "prefix"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(srv, bucket, "")
			tc.edit(&cfg)
			s, err := open(t.Context(), cfg, testTuning())
			if err == nil {
				t.Fatalf("Open succeeded: %v", s)
			}
			if (tc.is != nil && !errors.Is(err, tc.is)) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Open: %v; want %v with %q", err, tc.is, tc.want)
			}
			if strings.Contains(err.Error(), srv.SecretKey) || strings.Contains(err.Error(), cfg.SecretAccessKey) {
				t.Errorf("error repeats the secret: %v", err)
			}
		})
	}
}

// TestCABundle opens stores with AWS_CA_BUNDLE set, which the SDK cannot
// combine with an HTTP client of the caller's (NOTES-S3).
func TestCABundle(t *testing.T) {
	srv := s3test.Get(t)
	bucket := srv.PlainBucket(t)
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	pem, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	if err != nil {
		t.Skipf("no CA bundle on this machine: %v", err)
	}
	if err := os.WriteFile(bundle, pem, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CA_BUNDLE", bundle)
	for name, rt := range map[string]*s3test.Faults{"SDKTransport": nil, "OwnTransport": {}} {
		t.Run(name, func(t *testing.T) {
			cfg := testConfig(srv, bucket, "")
			if rt != nil {
				cfg.Transport = rt
			}
			if _, err := open(t.Context(), cfg, testTuning()); err != nil {
				t.Errorf("Open with AWS_CA_BUNDLE set: %v", err)
			}
		})
	}
}
