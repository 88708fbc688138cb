package s3test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Object Lock retention modes, as S3 spells them.
const (
	Compliance = "COMPLIANCE"
	Governance = "GOVERNANCE"
)

// BucketOptions says what kind of bucket NewBucket makes. The zero value
// is a plain bucket without versioning.
type BucketOptions struct {
	// Versioning turns versioning on.
	Versioning bool
	// ObjectLock creates the bucket with Object Lock enabled, which turns
	// versioning on as well.
	ObjectLock bool
	// DefaultMode and DefaultDays, when both set, give the bucket a
	// default retention: every new object version is locked in that mode
	// (Compliance or Governance) for that many days. Needs ObjectLock.
	DefaultMode string
	DefaultDays int32
}

var bucketSeq atomic.Int64

// NewBucket creates a bucket with a name of its own and removes it, with
// everything in it, when the test ends. It removes the bucket's folders
// from the disk, past the gateway, because a bucket holding locked
// versions cannot be emptied through S3.
func (s *Server) NewBucket(tb testing.TB, opts BucketOptions) string {
	tb.Helper()
	kind := "plain"
	switch {
	case opts.ObjectLock:
		kind = "lock"
	case opts.Versioning:
		kind = "versioned"
	}
	name := fmt.Sprintf("s3test-%s-%d-%s", kind, bucketSeq.Add(1), randomHex(4))
	ctx := tb.Context()
	_, err := s.client.CreateBucket(ctx, &s3.CreateBucketInput{
		Bucket:                     aws.String(name),
		ObjectLockEnabledForBucket: aws.Bool(opts.ObjectLock),
	})
	if err != nil {
		tb.Fatalf("s3test: creating a bucket: %v", err)
	}
	tb.Cleanup(func() { s.removeBucket(name) })
	if opts.Versioning && !opts.ObjectLock {
		_, err := s.client.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
			Bucket:                  aws.String(name),
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled},
		})
		if err != nil {
			tb.Fatalf("s3test: turning versioning on: %v", err)
		}
	}
	if opts.DefaultMode != "" || opts.DefaultDays != 0 {
		if !opts.ObjectLock || opts.DefaultMode == "" || opts.DefaultDays <= 0 {
			tb.Fatalf("s3test: a default retention needs ObjectLock, DefaultMode and DefaultDays > 0")
		}
		_, err := s.client.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{
			Bucket: aws.String(name),
			ObjectLockConfiguration: &types.ObjectLockConfiguration{
				ObjectLockEnabled: types.ObjectLockEnabledEnabled,
				Rule: &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{
					Mode: types.ObjectLockRetentionMode(opts.DefaultMode),
					Days: aws.Int32(opts.DefaultDays),
				}},
			},
		})
		if err != nil {
			tb.Fatalf("s3test: setting the default retention: %v", err)
		}
	}
	return name
}

// PlainBucket creates a bucket without versioning (see NewBucket).
func (s *Server) PlainBucket(tb testing.TB) string {
	tb.Helper()
	return s.NewBucket(tb, BucketOptions{})
}

// VersionedBucket creates a bucket with versioning on (see NewBucket).
func (s *Server) VersionedBucket(tb testing.TB) string {
	tb.Helper()
	return s.NewBucket(tb, BucketOptions{Versioning: true})
}

// LockBucket creates a bucket with Object Lock enabled and no default
// retention (see NewBucket).
func (s *Server) LockBucket(tb testing.TB) string {
	tb.Helper()
	return s.NewBucket(tb, BucketOptions{ObjectLock: true})
}

// ComplianceBucket creates a bucket with Object Lock and a default
// retention in compliance mode for days days (see NewBucket).
//
// Write to it with PutLocked (PutObject with ObjectLockMode COMPLIANCE and
// ObjectLockRetainUntilDate), as code that must work on AWS and elsewhere
// should: then nobody, the root account included, can delete the version
// or shorten its retention before the date, and VerifyImmutable passes.
// AWS stamps the default retention on every new version; versitygw v1.8.0
// does not: it protects the bucket's versions with the default as a whole,
// but a retention set later on one version replaces the default, so a
// version written without its own retention is not immutable there.
func (s *Server) ComplianceBucket(tb testing.TB, days int32) string {
	tb.Helper()
	return s.NewBucket(tb, BucketOptions{ObjectLock: true, DefaultMode: Compliance, DefaultDays: days})
}

// removeBucket removes a bucket's folders: its objects, their versions and
// their sidecar metadata.
func (s *Server) removeBucket(name string) {
	if strings.ContainsAny(name, `/\`) || name == "" || name == "." || name == ".." {
		return
	}
	for _, dir := range []string{"root", "versions", "sidecar"} {
		os.RemoveAll(filepath.Join(s.base, dir, name))
	}
}
