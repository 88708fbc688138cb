package lockcopy

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
)

// Errors Open, Upload and Verify wrap; test with errors.Is.
var (
	// ErrNoObjectLock means the bucket does not have Object Lock enabled,
	// so its copies could be deleted: Open refuses it.
	ErrNoObjectLock = errors.New("the bucket does not have Object Lock enabled")
	// ErrDiverged means the local ledger and its locked copies disagree:
	// a copied line or checkpoint differs from the local one, or the local
	// ledger is shorter than its copies. Run `retentiond verify`.
	ErrDiverged = errors.New("the ledger differs from its locked copies")
)

// Copier copies a ledger to a bucket with Object Lock. It is safe for
// concurrent use, but only one Upload of a ledger should run at a time
// (apply's, which holds the ledger).
type Copier struct {
	client *s3.Client
	bucket string
	prefix string
	retain time.Duration
	now    func() time.Time
}

// hooks are what tests replace.
type hooks struct {
	transport http.RoundTripper // nil: the SDK's own
}

// Open checks cfg, sets up the S3 client as the s3 store does (the SDK's
// default credential chain, or the explicit credentials) and checks that
// the bucket exists and has Object Lock enabled. It refuses a bucket
// without: a copy that can be deleted proves nothing.
func Open(ctx context.Context, cfg Config) (*Copier, error) {
	return open(ctx, cfg, hooks{})
}

func open(ctx context.Context, cfg Config, h hooks) (*Copier, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	opts := []func(*config.LoadOptions) error{
		// The SDK logs nothing on its own; this keeps it that way.
		config.WithLogger(logging.Nop{}),
	}
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	if cfg.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(cfg.Profile))
	}
	if cfg.AccessKeyID != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, cfg.SessionToken)))
	}
	if cfg.CAFile != "" && h.transport == nil {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ledger_copy.ca_file: %w", err)
		}
		if !x509.NewCertPool().AppendCertsFromPEM(pem) {
			return nil, errors.New("ledger_copy.ca_file holds no PEM certificate; give a file of CA certificates in PEM form")
		}
		// Replaces AWS_CA_BUNDLE, which the SDK would otherwise read.
		opts = append(opts, config.WithCustomCABundle(bytes.NewReader(pem)))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		// Errors from here name a profile or a file, never a secret.
		return nil, fmt.Errorf("lockcopy: loading the AWS configuration (profile, AWS_* variables, ~/.aws files): %w", err)
	}
	if awsCfg.Region == "" {
		return nil, errors.New("lockcopy: no region; set ledger_copy.region (such as eu-central-1), or AWS_REGION")
	}
	c := &Copier{
		bucket: cfg.Bucket,
		prefix: cfg.Prefix,
		retain: time.Duration(cfg.RetainDays) * 24 * time.Hour,
		now:    time.Now,
	}
	c.client = s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		o.UsePathStyle = cfg.PathStyle
		if h.transport != nil {
			// Set here, not in LoadDefaultConfig, which refuses a
			// caller's client when AWS_CA_BUNDLE is set.
			o.HTTPClient = &http.Client{Transport: h.transport}
		}
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	lock, err := c.client.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: &c.bucket})
	switch {
	case apiCode(err) == "ObjectLockConfigurationNotFoundError":
		return nil, fmt.Errorf("lockcopy: bucket %s: %w; create a bucket with Object Lock enabled for ledger_copy.bucket (it cannot be turned on for most existing buckets)", c.bucket, ErrNoObjectLock)
	case apiCode(err) == "NoSuchBucket":
		return nil, fmt.Errorf("lockcopy: bucket %s does not exist; check ledger_copy.bucket, region and endpoint", c.bucket)
	case err != nil:
		return nil, fmt.Errorf("lockcopy: reading the Object Lock configuration of bucket %s (the credentials need s3:GetBucketObjectLockConfiguration): %w", c.bucket, err)
	case lock.ObjectLockConfiguration == nil || lock.ObjectLockConfiguration.ObjectLockEnabled != types.ObjectLockEnabledEnabled:
		return nil, fmt.Errorf("lockcopy: bucket %s: %w; create a bucket with Object Lock enabled for ledger_copy.bucket", c.bucket, ErrNoObjectLock)
	}
	return c, nil
}

// apiCode returns S3's error code in err, or "".
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// put writes one object, locked in compliance mode for the configured
// days, and returns its version id. Content-MD5 is set because S3 wants
// an integrity check on every write that sets a retention.
func (c *Copier) put(ctx context.Context, key string, data []byte, contentType string) (string, error) {
	sum := md5.Sum(data)
	until := c.now().Add(c.retain).UTC()
	out, err := c.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:                    &c.bucket,
		Key:                       &key,
		Body:                      bytes.NewReader(data),
		ContentLength:             aws.Int64(int64(len(data))),
		ContentMD5:                aws.String(base64.StdEncoding.EncodeToString(sum[:])),
		ContentType:               aws.String(contentType),
		ObjectLockMode:            types.ObjectLockModeCompliance,
		ObjectLockRetainUntilDate: &until,
	})
	if err != nil {
		return "", fmt.Errorf("lockcopy: writing %s to bucket %s (the credentials need s3:PutObject and s3:PutObjectRetention): %w", key, c.bucket, err)
	}
	return aws.ToString(out.VersionId), nil
}

// get reads an object's current version, or the given version; found is
// false if the key has none (or is hidden by a delete marker).
func (c *Copier) get(ctx context.Context, key, versionID string) (data []byte, found bool, err error) {
	in := &s3.GetObjectInput{Bucket: &c.bucket, Key: &key}
	if versionID != "" {
		in.VersionId = &versionID
	}
	out, err := c.client.GetObject(ctx, in)
	if code := apiCode(err); code == "NoSuchKey" || code == "NoSuchVersion" {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("lockcopy: reading %s from bucket %s: %w", key, c.bucket, err)
	}
	defer out.Body.Close()
	data, err = io.ReadAll(out.Body)
	if err != nil {
		return nil, false, fmt.Errorf("lockcopy: reading %s from bucket %s: %w", key, c.bucket, err)
	}
	return data, true, nil
}

// object is a listed object.
type object struct {
	key  string
	size int64
}

// list lists the current objects under prefix whose keys sort after
// startAfter ("" for all), in key order.
func (c *Copier) list(ctx context.Context, prefix, startAfter string) ([]object, error) {
	in := &s3.ListObjectsV2Input{Bucket: &c.bucket, Prefix: &prefix}
	if startAfter != "" {
		in.StartAfter = &startAfter
	}
	var objs []object
	p := s3.NewListObjectsV2Paginator(c.client, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("lockcopy: listing bucket %s (the credentials need s3:ListBucket): %w", c.bucket, err)
		}
		for _, o := range out.Contents {
			objs = append(objs, object{key: aws.ToString(o.Key), size: aws.ToInt64(o.Size)})
		}
	}
	return objs, nil
}

// version is one version or delete marker of a key.
type version struct {
	key, id      string
	deleteMarker bool
}

// versions lists every version and delete marker under the copier's
// prefix. versitygw v1.8.0 can repeat an entry across pages
// (versity/versitygw#2178), so repeats are removed; a page that brings
// nothing new while claiming more ends the listing with an error rather
// than a loop.
func (c *Copier) versions(ctx context.Context) ([]version, error) {
	var all []version
	seen := make(map[[2]string]bool)
	in := &s3.ListObjectVersionsInput{Bucket: &c.bucket, Prefix: &c.prefix}
	for {
		out, err := c.client.ListObjectVersions(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("lockcopy: listing the versions in bucket %s (the credentials need s3:ListBucketVersions): %w", c.bucket, err)
		}
		fresh := 0
		add := func(v version) {
			if id := [2]string{v.key, v.id}; !seen[id] {
				seen[id] = true
				all = append(all, v)
				fresh++
			}
		}
		for _, v := range out.Versions {
			add(version{key: aws.ToString(v.Key), id: aws.ToString(v.VersionId)})
		}
		for _, m := range out.DeleteMarkers {
			add(version{key: aws.ToString(m.Key), id: aws.ToString(m.VersionId), deleteMarker: true})
		}
		if !aws.ToBool(out.IsTruncated) {
			return all, nil
		}
		if fresh == 0 {
			return nil, fmt.Errorf("lockcopy: listing the versions in bucket %s: the server keeps answering the same page", c.bucket)
		}
		in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
	}
}
