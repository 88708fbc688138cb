package s3test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Put writes an object and returns its version id ("" in a bucket
// without versioning). It fails the test on an error.
func (s *Server) Put(tb testing.TB, bucket, key string, data []byte) string {
	tb.Helper()
	out, err := s.client.PutObject(tb.Context(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data),
	})
	if err != nil {
		tb.Fatalf("s3test: putting an object: %v", err)
	}
	return aws.ToString(out.VersionId)
}

// PutLocked writes an object whose new version is locked in mode
// (Compliance or Governance) until the given time, and returns its
// version id. The bucket needs Object Lock.
func (s *Server) PutLocked(tb testing.TB, bucket, key string, data []byte, mode string, until time.Time) string {
	tb.Helper()
	out, err := s.client.PutObject(tb.Context(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data),
		ObjectLockMode:            types.ObjectLockMode(mode),
		ObjectLockRetainUntilDate: aws.Time(until),
	})
	if err != nil {
		tb.Fatalf("s3test: putting a locked object: %v", err)
	}
	return aws.ToString(out.VersionId)
}

// DeleteMarker deletes a key without a version id, which in a versioned
// bucket adds a delete marker and keeps the data; it returns the marker's
// version id.
func (s *Server) DeleteMarker(tb testing.TB, bucket, key string) string {
	tb.Helper()
	out, err := s.client.DeleteObject(tb.Context(), &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		tb.Fatalf("s3test: adding a delete marker: %v", err)
	}
	return aws.ToString(out.VersionId)
}

// SetLegalHold puts a legal hold on one version (on true) or lifts it.
func (s *Server) SetLegalHold(tb testing.TB, bucket, key, versionID string, on bool) {
	tb.Helper()
	status := types.ObjectLockLegalHoldStatusOff
	if on {
		status = types.ObjectLockLegalHoldStatusOn
	}
	_, err := s.client.PutObjectLegalHold(tb.Context(), &s3.PutObjectLegalHoldInput{
		Bucket: aws.String(bucket), Key: aws.String(key), VersionId: optional(versionID),
		LegalHold: &types.ObjectLockLegalHold{Status: status},
	})
	if err != nil {
		tb.Fatalf("s3test: setting a legal hold: %v", err)
	}
}

// SetRetention locks one version in mode (Compliance or Governance) until
// the given time.
func (s *Server) SetRetention(tb testing.TB, bucket, key, versionID, mode string, until time.Time) {
	tb.Helper()
	_, err := s.client.PutObjectRetention(tb.Context(), &s3.PutObjectRetentionInput{
		Bucket: aws.String(bucket), Key: aws.String(key), VersionId: optional(versionID),
		Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionMode(mode), RetainUntilDate: aws.Time(until)},
	})
	if err != nil {
		tb.Fatalf("s3test: setting a retention: %v", err)
	}
}

// Version is one version or delete marker of a key.
type Version struct {
	// Key and VersionID name the version.
	Key, VersionID string
	// DeleteMarker says it is a delete marker, which holds no data.
	DeleteMarker bool
	// IsLatest says it is the key's current version.
	IsLatest bool
	// Size is the version's size in bytes (0 for a delete marker).
	Size int64
}

// ListVersions lists every version and delete marker under prefix, with
// versitygw's repeated entries removed. It fails the test on an error.
func (s *Server) ListVersions(tb testing.TB, bucket, prefix string) []Version {
	tb.Helper()
	vs, err := s.listVersions(tb.Context(), bucket, prefix)
	if err != nil {
		tb.Fatalf("s3test: listing versions: %v", err)
	}
	return vs
}

func (s *Server) listVersions(ctx context.Context, bucket, prefix string) ([]Version, error) {
	var all []Version
	seen := make(map[[2]string]bool)
	add := func(v Version) {
		if id := [2]string{v.Key, v.VersionID}; !seen[id] {
			seen[id] = true
			all = append(all, v)
		}
	}
	in := &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String(prefix)}
	for {
		out, err := s.client.ListObjectVersions(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, v := range out.Versions {
			add(Version{Key: aws.ToString(v.Key), VersionID: aws.ToString(v.VersionId), IsLatest: aws.ToBool(v.IsLatest), Size: aws.ToInt64(v.Size)})
		}
		for _, m := range out.DeleteMarkers {
			add(Version{Key: aws.ToString(m.Key), VersionID: aws.ToString(m.VersionId), IsLatest: aws.ToBool(m.IsLatest), DeleteMarker: true})
		}
		if !aws.ToBool(out.IsTruncated) {
			return all, nil
		}
		in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}
