package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/retentiond/retentiond/scanners"
)

// key maps a record ID to its key. IDs are never cleaned into shape: one
// that Scan could not have listed is refused with ErrOutsideRoot.
func (s *Store) key(op, id string) (string, error) {
	if _, err := scanners.CleanID(id); err != nil {
		return "", fmt.Errorf("s3: %s: %w", op, err)
	}
	return s.prefix + id, nil
}

// notFound is the error for a record that does not exist; like every
// error here it does not repeat the ID.
func notFound(op string) error {
	return fmt.Errorf("s3: %s: no such record: %w", op, scanners.ErrNotFound)
}

// Stat returns the record as Scan would list it now. In an unversioned
// bucket that takes one HeadObject; in a versioned one one
// ListObjectVersions (plus the lock lookups with Object Lock), and a key
// whose current version is a delete marker is still a record.
func (s *Store) Stat(ctx context.Context, id string) (scanners.Record, error) {
	key, err := s.key("stat", id)
	if err != nil {
		return scanners.Record{}, err
	}
	st, err := s.bucketState(ctx, false)
	if err != nil {
		return scanners.Record{}, err
	}
	if !st.versioned {
		h, err := s.client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: &s.bucket, Key: &key})
		if err != nil {
			return scanners.Record{}, wrap("stat", err)
		}
		return scanners.Record{
			ID: id, Kind: scanners.KindFile, Size: aws.ToInt64(h.ContentLength),
			ModTime: normTime(h.LastModified), Version: normETag(h.ETag), Versions: 1,
		}, nil
	}
	g, err := s.keyVersions(ctx, key)
	if err != nil {
		return scanners.Record{}, wrap("stat", err)
	}
	if g == nil {
		return scanners.Record{}, notFound("stat")
	}
	r := g.record(id)
	if st.locked {
		if r.Lock, err = s.keyLock(ctx, g); err != nil {
			return scanners.Record{}, err
		}
	}
	return r, nil
}

// Open returns the record's content: the current version's, or, when the
// current version is a delete marker, the newest version that holds data
// (a key with only delete markers reads as empty, as its Size says).
func (s *Store) Open(ctx context.Context, id string) (io.ReadCloser, error) {
	key, err := s.key("open", id)
	if err != nil {
		return nil, err
	}
	out, err := s.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: &s.bucket, Key: &key})
	if err == nil {
		return out.Body, nil
	}
	err = wrap("open", err)
	if !errors.Is(err, scanners.ErrNotFound) {
		return nil, err
	}
	st, serr := s.bucketState(ctx, false)
	if serr != nil || !st.versioned {
		return nil, err
	}
	g, lerr := s.keyVersions(ctx, key)
	switch {
	case lerr != nil:
		return nil, wrap("open", lerr)
	case g == nil:
		return nil, notFound("open")
	}
	d, ok := g.newestData()
	if !ok {
		return io.NopCloser(strings.NewReader("")), nil
	}
	out, err = s.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: &s.bucket, Key: &key, VersionId: aws.String(d.versionID)})
	if err != nil {
		return nil, wrap("open", err)
	}
	return out.Body, nil
}
