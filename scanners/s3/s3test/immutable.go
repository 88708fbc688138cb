package s3test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// VerifyImmutable checks that one version of an object can be neither
// deleted nor changed, as compliance mode promises. It checks the version
// is locked in compliance mode until a time after now, then tries what an
// administrator holding the root account could: deleting the version by id
// (with and without the governance bypass, alone and with DeleteObjects),
// shortening its retention, and turning it into governance mode with the
// bypass. Then it overwrites the key, which must add a new version and
// leave this one be, and checks that the version still reads want with
// the same retention.
//
// It returns nil if the version held, or an error listing each attempt
// that got through. Side effect: the overwrite leaves a new version of the
// key on top (locked too, in a bucket with a default retention).
func (s *Server) VerifyImmutable(ctx context.Context, bucket, key, versionID string, want []byte) error {
	if versionID == "" {
		return errors.New("s3test: VerifyImmutable needs the version id of the object (PutObject returns it)")
	}
	b, k, v := aws.String(bucket), aws.String(key), aws.String(versionID)
	r, err := s.effectiveRetention(ctx, b, k, v)
	if err != nil {
		return err
	}
	if r.Mode != types.ObjectLockRetentionModeCompliance || (r.RetainUntilDate != nil && !r.RetainUntilDate.After(time.Now())) {
		return fmt.Errorf("s3test: the version is not locked in compliance mode until a future date (retention %s until %v)", r.Mode, aws.ToTime(r.RetainUntilDate))
	}
	var got []error
	through := func(what string, err error) {
		if err == nil {
			got = append(got, fmt.Errorf("%s succeeded", what))
		}
	}
	_, err = s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: k, VersionId: v})
	through("deleting the version", err)
	_, err = s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: k, VersionId: v, BypassGovernanceRetention: aws.Bool(true)})
	through("deleting the version with the governance bypass", err)
	out, err := s.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b, BypassGovernanceRetention: aws.Bool(true), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{{Key: k, VersionId: v}},
	}})
	if err == nil && len(out.Errors) == 0 {
		got = append(got, errors.New("deleting the version with DeleteObjects succeeded"))
	}
	shorter := time.Now().Add(time.Minute).UTC()
	_, err = s.client.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: b, Key: k, VersionId: v,
		Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeCompliance, RetainUntilDate: &shorter}})
	through("shortening the retention", err)
	_, err = s.client.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: b, Key: k, VersionId: v, BypassGovernanceRetention: aws.Bool(true),
		Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: &shorter}})
	through("turning the retention into governance mode", err)
	if _, err := s.client.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, Body: bytes.NewReader([]byte("s3test overwrite"))}); err != nil {
		return fmt.Errorf("s3test: overwriting the key: %w", err)
	}

	obj, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: k, VersionId: v})
	if err != nil {
		return errors.Join(append(got, fmt.Errorf("the version can no longer be read: %w", err))...)
	}
	data, err := io.ReadAll(obj.Body)
	obj.Body.Close()
	if err != nil || !bytes.Equal(data, want) {
		got = append(got, fmt.Errorf("the version now reads %d different bytes (error %v)", len(data), err))
	}
	after, err := s.effectiveRetention(ctx, b, k, v)
	if err != nil || after.Mode != r.Mode || !aws.ToTime(after.RetainUntilDate).Equal(aws.ToTime(r.RetainUntilDate)) {
		got = append(got, fmt.Errorf("the retention changed (error %v)", err))
	}
	if len(got) > 0 {
		return fmt.Errorf("s3test: the version is not immutable: %w", errors.Join(got...))
	}
	return nil
}

// effectiveRetention returns the version's own retention or, if it has
// none, the bucket's default retention (RetainUntilDate nil). AWS stamps
// the default onto each new version; versitygw v1.8.0 does not, and
// applies the default to the whole bucket instead.
func (s *Server) effectiveRetention(ctx context.Context, b, k, v *string) (*types.ObjectLockRetention, error) {
	out, err := s.client.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: b, Key: k, VersionId: v})
	if err == nil && out.Retention != nil && out.Retention.Mode != "" {
		return out.Retention, nil
	}
	var ae smithy.APIError
	if err != nil && (!errors.As(err, &ae) || ae.ErrorCode() != "NoSuchObjectLockConfiguration") {
		return nil, fmt.Errorf("s3test: reading the version's retention: %w", err)
	}
	conf, err := s.client.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: b})
	if err != nil {
		return nil, fmt.Errorf("s3test: the version has no retention, and the bucket no Object Lock configuration: %w", err)
	}
	if c := conf.ObjectLockConfiguration; c != nil && c.Rule != nil && c.Rule.DefaultRetention != nil {
		return &types.ObjectLockRetention{Mode: c.Rule.DefaultRetention.Mode}, nil
	}
	return &types.ObjectLockRetention{}, nil
}
