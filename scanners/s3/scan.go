package s3

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/retentiond/retentiond/scanners"
)

// ScanStats describes the last Scan of a store.
type ScanStats struct {
	// Versioned says the bucket has (or had) versioning on, so the scan
	// listed every version and delete marker.
	Versioned bool
	// ObjectLock says the bucket has Object Lock enabled, so the scan
	// looked up each version's retention and legal hold.
	ObjectLock bool
	// Records is how many records the scan passed on.
	Records int
	// FolderMarkers is how many zero-byte "folder/" keys it left out.
	FolderMarkers int
	// Skipped is how many keys it left out because they cannot be record
	// IDs: with an empty, "." or ".." path element ("a//b", "a/../b"), a
	// leading "/", or a NUL byte. The store never touches them; they need
	// a person's look.
	Skipped int
	// Complete says the listing reached its end without an error.
	Complete bool
}

// LastScan returns the figures of the last Scan that ended, completely or
// not.
func (s *Store) LastScan() ScanStats {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	return s.last
}

// Scan lists the records under the prefix, streaming them to fn: memory
// holds one listing page (and, with versioning, one key's versions), never
// the bucket.
//
// It reads the bucket's versioning and Object Lock settings first (one or
// two requests). An unversioned bucket is listed with ListObjectsV2. A
// versioned one is listed with ListObjectVersions, so that a key whose
// current version is a delete marker, whose data lives on in older
// versions, is still a record. With Object Lock enabled, each version's
// legal hold and retention are looked up (two requests per version, one
// if it is held) and reported in Record.Lock.
//
// Any listing error fails the Scan: the records passed on until then are
// not the whole store.
func (s *Store) Scan(ctx context.Context, fn func(scanners.Record) error) error {
	if err := ctx.Err(); err != nil {
		return wrap("scan", err)
	}
	stats := ScanStats{}
	defer func() {
		s.statsMu.Lock()
		s.last = stats
		s.statsMu.Unlock()
	}()
	st, err := s.bucketState(ctx, true)
	if err != nil {
		return err
	}
	stats.Versioned, stats.ObjectLock = st.versioned, st.locked
	if st.versioned {
		err = s.scanVersions(ctx, st, &stats, fn)
	} else {
		err = s.scanObjects(ctx, &stats, fn)
	}
	stats.Complete = err == nil
	return err
}

// emit passes one record on, unless the context has ended.
func emit(ctx context.Context, stats *ScanStats, fn func(scanners.Record) error, r scanners.Record) error {
	if err := ctx.Err(); err != nil {
		return wrap("scan", err)
	}
	stats.Records++
	return fn(r)
}

// recordID maps a key to a record ID, or says why it cannot be one.
func (s *Store) recordID(key string, stats *ScanStats) (string, bool) {
	id, ok := strings.CutPrefix(key, s.prefix)
	if !ok {
		// S3 lists only keys with the prefix; a server that did not
		// would otherwise hand out IDs outside the store.
		stats.Skipped++
		return "", false
	}
	if _, err := scanners.CleanID(id); err != nil {
		stats.Skipped++
		return "", false
	}
	return id, true
}

// scanObjects lists an unversioned bucket.
func (s *Store) scanObjects(ctx context.Context, stats *ScanStats, fn func(scanners.Record) error) error {
	in := &awss3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: aws.String(s.prefix), MaxKeys: aws.Int32(pageSize)}
	for {
		if err := ctx.Err(); err != nil {
			return wrap("scan", err)
		}
		out, err := s.client.ListObjectsV2(ctx, in)
		if err != nil {
			return s.permissionHint(wrap("scan", err), "s3:ListBucket")
		}
		for _, o := range out.Contents {
			key := aws.ToString(o.Key)
			if strings.HasSuffix(key, "/") && aws.ToInt64(o.Size) == 0 {
				stats.FolderMarkers++
				continue
			}
			id, ok := s.recordID(key, stats)
			if !ok {
				continue
			}
			r := scanners.Record{
				ID: id, Kind: scanners.KindFile, Size: aws.ToInt64(o.Size),
				ModTime: normTime(o.LastModified), Version: normETag(o.ETag), Versions: 1,
			}
			if err := emit(ctx, stats, fn, r); err != nil {
				return err
			}
		}
		token := aws.ToString(out.NextContinuationToken)
		if !aws.ToBool(out.IsTruncated) {
			return nil
		}
		if token == "" || token == aws.ToString(in.ContinuationToken) {
			return wrap("scan", errListing)
		}
		in.ContinuationToken = aws.String(token)
	}
}

// scanVersions lists a versioned bucket, one key with all its versions at
// a time.
func (s *Store) scanVersions(ctx context.Context, st bucketState, stats *ScanStats, fn func(scanners.Record) error) error {
	var cbErr error
	_, err := versionListing{prefix: s.prefix}.run(ctx, s, func(g *keyGroup) (bool, error) {
		if g.folderMarker() {
			stats.FolderMarkers++
			return true, nil
		}
		id, ok := s.recordID(g.key, stats)
		if !ok {
			return true, nil
		}
		r := g.record(id)
		if st.locked {
			lock, err := s.keyLock(ctx, g)
			if err != nil {
				cbErr = err
				return false, nil
			}
			r.Lock = lock
		}
		if err := emit(ctx, stats, fn, r); err != nil {
			cbErr = err
			return false, nil
		}
		return true, nil
	})
	if cbErr != nil {
		// The callback's own error, or a lock lookup's, wrapped already.
		return cbErr
	}
	if err != nil {
		return s.permissionHint(wrap("scan", err), "s3:ListBucketVersions")
	}
	return nil
}
