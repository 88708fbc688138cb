package s3

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/logging"

	"github.com/retentiond/retentiond/scanners"
)

// Store is a bucket, or the keys under a prefix of it. It is safe for
// concurrent use.
type Store struct {
	client *awss3.Client
	bucket string
	prefix string
	counts *counter
	now    func() time.Time // for the lock check before deleting only

	stateMu sync.Mutex
	state   bucketState
	known   bool // state was read at least once

	statsMu sync.Mutex
	last    ScanStats
}

var (
	_ scanners.Store        = (*Store)(nil)
	_ scanners.BatchDeleter = (*Store)(nil)
)

// bucketState is what the store must know about the bucket before listing
// or deleting. Both flags only ever turn on: S3 can suspend versioning but
// never turn it off, and cannot disable Object Lock.
type bucketState struct {
	// versioned: versioning is or was on (Enabled or Suspended), so keys
	// can have noncurrent versions and delete markers.
	versioned bool
	// locked: Object Lock is enabled, so versions can carry a retention
	// or a legal hold.
	locked bool
	// defaultMode is the bucket's default retention mode, lower case, if
	// it has one, as read when locked was found on. Only for explaining
	// a refused delete: AWS stamps the default on each new version, where
	// the lock lookups find it, but versitygw applies it to the bucket.
	defaultMode string
}

// tuning holds what tests shorten or fake.
type tuning struct {
	maxAttempts int
	maxBackoff  time.Duration
	now         func() time.Time
}

func defaultTuning() tuning {
	return tuning{maxAttempts: 8, maxBackoff: 20 * time.Second, now: time.Now}
}

// Open checks cfg, sets up the client with the default credential chain (or
// the explicit credentials) and checks that the bucket can be reached with
// one HeadBucket request.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	return open(ctx, cfg, defaultTuning())
}

func open(ctx context.Context, cfg Config, tune tuning) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	opts := []func(*config.LoadOptions) error{
		// The SDK logs nothing on its own; this keeps it that way, so no
		// key can reach a log through it.
		config.WithLogger(logging.Nop{}),
		config.WithRetryer(func() aws.Retryer {
			// Many deletions in a row must not run dry of the SDK's
			// client-side retry quota: S3's own SlowDown paces them.
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = tune.maxAttempts
				o.MaxBackoff = tune.maxBackoff
				o.RateLimiter = ratelimit.None
			})
		}),
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
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		// Errors from here name a profile or a file, never a secret.
		return nil, fmt.Errorf("s3: loading the AWS configuration (profile, AWS_* variables, ~/.aws files): %w", err)
	}
	if awsCfg.Region == "" {
		return nil, errors.New("s3: no region; set region in the store's config (such as eu-central-1), or AWS_REGION, or a region in the profile")
	}
	s := &Store{bucket: cfg.Bucket, prefix: cfg.Prefix, counts: newCounter(), now: tune.now}
	s.client = awss3.NewFromConfig(awsCfg, func(o *awss3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		o.UsePathStyle = cfg.PathStyle
		if cfg.Transport != nil {
			// Set here rather than in LoadDefaultConfig, which refuses a
			// caller's client when AWS_CA_BUNDLE is set.
			o.HTTPClient = &http.Client{Transport: cfg.Transport}
		}
		o.DisableLogOutputChecksumValidationSkipped = true
		o.APIOptions = append(o.APIOptions, s.counts.register)
	})
	_, err = s.client.HeadBucket(ctx, &awss3.HeadBucketInput{Bucket: &s.bucket})
	if err != nil {
		err = wrap("opening the bucket", err)
		var se *Error
		switch {
		case errors.Is(err, scanners.ErrNotFound), errors.Is(err, ErrNoSuchBucket):
			return nil, fmt.Errorf("%w: %w; check bucket, region and endpoint", err, ErrNoSuchBucket)
		case errors.Is(err, ErrAccessDenied):
			return nil, fmt.Errorf("%w; check the credentials and that they may s3:ListBucket on the bucket (see the s3 store's README)", err)
		case errors.As(err, &se) && se.Status == http.StatusMovedPermanently:
			return nil, fmt.Errorf("%w; the bucket is in another region: set region to the bucket's region", err)
		}
		return nil, err
	}
	return s, nil
}

// Bucket returns the bucket's name.
func (s *Store) Bucket() string { return s.bucket }

// Prefix returns the key prefix the store lists.
func (s *Store) Prefix() string { return s.prefix }

// bucketState reads the bucket's versioning status and Object Lock
// configuration (one or two requests). With refresh false it returns what
// it knows when it knows it, and it never asks again about a flag that is
// on, since neither turns off.
func (s *Store) bucketState(ctx context.Context, refresh bool) (bucketState, error) {
	s.stateMu.Lock()
	st, known := s.state, s.known
	s.stateMu.Unlock()
	if known && (!refresh || (st.versioned && st.locked)) {
		return st, nil
	}
	if !st.versioned {
		v, err := s.client.GetBucketVersioning(ctx, &awss3.GetBucketVersioningInput{Bucket: &s.bucket})
		if err != nil {
			return st, s.permissionHint(wrap("reading the bucket's versioning", err), "s3:GetBucketVersioning")
		}
		// Enabled or Suspended: either way keys may hold old versions.
		st.versioned = v.Status != ""
	}
	if st.versioned && !st.locked {
		// Object Lock needs versioning, so an unversioned bucket costs
		// no request here.
		l, err := s.client.GetObjectLockConfiguration(ctx, &awss3.GetObjectLockConfigurationInput{Bucket: &s.bucket})
		switch {
		case err == nil:
			c := l.ObjectLockConfiguration
			st.locked = c != nil && c.ObjectLockEnabled == "Enabled"
			if st.locked && c.Rule != nil && c.Rule.DefaultRetention != nil {
				st.defaultMode = strings.ToLower(string(c.Rule.DefaultRetention.Mode))
			}
		case apiCode(err) == "ObjectLockConfigurationNotFoundError":
		default:
			return st, s.permissionHint(wrap("reading the bucket's Object Lock configuration", err), "s3:GetBucketObjectLockConfiguration")
		}
	}
	s.stateMu.Lock()
	s.state, s.known = st, true
	s.stateMu.Unlock()
	return st, nil
}

// permissionHint adds the missing permission to an access-denied error.
func (s *Store) permissionHint(err error, perm string) error {
	if errors.Is(err, ErrAccessDenied) {
		return fmt.Errorf("%w; the credentials need %s (see the s3 store's README)", err, perm)
	}
	return err
}
