package s3

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/retentiond/retentiond/scanners"
)

// maxDeleteBatch is the most objects S3 deletes in one DeleteObjects.
const maxDeleteBatch = 1000

// target is one key to delete and the requests that ask for it.
type target struct {
	key   string
	group *keyGroup // what the key holds now; nil if nothing
	reqs  []int     // indexes of the requests still to act on
	err   error     // the outcome for every request in reqs
}

// Delete removes the record: every version and delete marker of its key,
// by version id (a plain DELETE would only add a delete marker over the
// data). It looks up the key's versions first (one ListObjectVersions)
// and, with Object Lock, every version's lock, so that a locked version
// (scanners.ErrLocked) leaves the whole key untouched. A key with nothing
// left gives scanners.ErrNotFound.
func (s *Store) Delete(ctx context.Context, id string) error {
	return s.deleteMany(ctx, []scanners.DeleteRequest{{ID: id}}, false)[0]
}

// DeleteMany deletes the records and returns one error per request, in
// order (nil: deleted). Each record is first checked against its planned
// Version: the current versions of all the keys are listed again, a folder
// at a time (or a key at a time where that is cheaper), and a record no
// longer at its planned version is left alone with scanners.ErrChanged. A
// record with a locked version is left alone with scanners.ErrLocked.
// The versions of the remaining records go to S3 in DeleteObjects calls of
// up to 1,000 versions; S3's per-key errors become errors of those requests
// only (AccessDenied on a locked version: scanners.ErrLocked). Versions
// that are already gone count as deleted.
func (s *Store) DeleteMany(ctx context.Context, reqs []scanners.DeleteRequest) []error {
	return s.deleteMany(ctx, reqs, true)
}

func (s *Store) deleteMany(ctx context.Context, reqs []scanners.DeleteRequest, check bool) []error {
	errs := make([]error, len(reqs))
	byKey := make(map[string]*target)
	var keys []string
	for i, r := range reqs {
		key, err := s.key("delete", r.ID)
		if err != nil {
			errs[i] = err
			continue
		}
		if check && r.Version == "" {
			errs[i] = fmt.Errorf("s3: delete: the request has no planned version; scan and plan again: %w", scanners.ErrChanged)
			continue
		}
		t := byKey[key]
		if t == nil {
			t = &target{key: key}
			byKey[key] = t
			keys = append(keys, key)
		}
		t.reqs = append(t.reqs, i)
	}
	if len(keys) == 0 {
		return errs
	}
	slices.Sort(keys)
	st, err := s.bucketState(ctx, true)
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		for _, t := range byKey {
			t.err = wrap("delete", err)
		}
	} else {
		s.lookup(ctx, st, keys, byKey)
		s.checkTargets(ctx, st, keys, byKey, reqs, errs, check)
		s.sendDeletes(ctx, st, keys, byKey)
	}
	for _, t := range byKey {
		for _, i := range t.reqs {
			errs[i] = t.err
		}
	}
	return errs
}

// checkTargets settles the targets that must not be deleted: gone, changed
// since the plan, or holding a locked version.
func (s *Store) checkTargets(ctx context.Context, st bucketState, keys []string, byKey map[string]*target, reqs []scanners.DeleteRequest, errs []error, check bool) {
	now := s.now()
	for _, key := range keys {
		t := byKey[key]
		if t.err != nil {
			continue
		}
		if t.group == nil {
			t.err = notFound("delete")
			continue
		}
		if check {
			current := t.group.latest().token()
			t.reqs = slices.DeleteFunc(t.reqs, func(i int) bool {
				if reqs[i].Version == current {
					return false
				}
				errs[i] = fmt.Errorf("s3: delete: the record has a new version since it was planned; left alone: %w", scanners.ErrChanged)
				return true
			})
			if len(t.reqs) == 0 {
				continue
			}
		}
		if !st.locked {
			continue
		}
		for _, e := range t.group.entries {
			if e.marker {
				continue
			}
			l, err := s.versionLock(ctx, key, e.versionID)
			if err != nil {
				t.err = err
				break
			}
			if blocks(l, now) {
				t.err = lockedError(l)
				break
			}
		}
	}
}

// batch is one DeleteObjects call.
type batch struct {
	objs    []types.ObjectIdentifier
	targets []*target
}

// sendDeletes deletes the versions of every target still unsettled, in
// batches of up to maxDeleteBatch objects that split no key unless it has
// more versions than that.
func (s *Store) sendDeletes(ctx context.Context, st bucketState, keys []string, byKey map[string]*target) {
	var batches []*batch
	cur := &batch{}
	for _, key := range keys {
		t := byKey[key]
		if t.err != nil || len(t.reqs) == 0 {
			continue
		}
		objs := identifiers(st, t)
		if len(cur.objs)+len(objs) > maxDeleteBatch && len(cur.objs) > 0 {
			batches = append(batches, cur)
			cur = &batch{}
		}
		for len(objs) > 0 {
			n := min(len(objs), maxDeleteBatch-len(cur.objs))
			cur.objs = append(cur.objs, objs[:n]...)
			cur.targets = append(cur.targets, t)
			objs = objs[n:]
			if len(cur.objs) == maxDeleteBatch {
				batches = append(batches, cur)
				cur = &batch{}
			}
		}
	}
	if len(cur.objs) > 0 {
		batches = append(batches, cur)
	}
	for _, b := range batches {
		s.sendBatch(ctx, st, b, byKey)
	}
}

// identifiers lists what to delete of a target: every version and delete
// marker by version id, or the bare key in an unversioned bucket.
func identifiers(st bucketState, t *target) []types.ObjectIdentifier {
	if !st.versioned {
		return []types.ObjectIdentifier{{Key: aws.String(t.key)}}
	}
	objs := make([]types.ObjectIdentifier, 0, len(t.group.entries))
	for _, e := range t.group.entries {
		objs = append(objs, types.ObjectIdentifier{Key: aws.String(t.key), VersionId: aws.String(e.versionID)})
	}
	return objs
}

// sendBatch sends one DeleteObjects and settles its targets by the answer.
func (s *Store) sendBatch(ctx context.Context, st bucketState, b *batch, byKey map[string]*target) {
	if err := ctx.Err(); err != nil {
		setErr(b.targets, wrap("delete", err))
		return
	}
	out, err := s.client.DeleteObjects(ctx, &awss3.DeleteObjectsInput{
		Bucket: &s.bucket,
		// Only errors come back in quiet mode; in an unversioned bucket
		// the deleted keys come back too, to catch delete markers.
		Delete: &types.Delete{Objects: b.objs, Quiet: aws.Bool(st.versioned)},
	})
	if err != nil {
		setErr(b.targets, s.permissionHint(wrap("delete", err), "s3:DeleteObject and s3:DeleteObjectVersion"))
		return
	}
	now := make(map[string]*keyGroup) // keys listed again after an error
	for _, e := range out.Errors {
		t := byKey[aws.ToString(e.Key)]
		code, versionID := aws.ToString(e.Code), aws.ToString(e.VersionId)
		if t == nil || t.err != nil || gone(code, st.versioned) || s.goneAfterAll(ctx, st, t.key, versionID, now) {
			continue
		}
		t.err = s.deleteError(ctx, st, t.key, versionID, code)
	}
	if st.versioned {
		return
	}
	for _, d := range out.Deleted {
		t := byKey[aws.ToString(d.Key)]
		if t != nil && t.err == nil && aws.ToBool(d.DeleteMarker) {
			t.err = errors.New("s3: delete: versioning was turned on during the delete, so S3 added a delete marker and kept the data as an old version; scan and apply again")
		}
	}
}

func setErr(ts []*target, err error) {
	for _, t := range ts {
		if t.err == nil {
			t.err = err
		}
	}
}

// gone says whether a per-key DeleteObjects error means the version is
// gone already: NoSuchVersion or NoSuchKey, or, from versitygw for a
// version id it no longer has, InvalidArgument.
func gone(code string, byVersion bool) bool {
	switch code {
	case "NoSuchVersion", "NoSuchKey":
		return true
	case "InvalidArgument":
		return byVersion
	}
	return false
}

// goneAfterAll lists a key again after S3 reported an error for one of its
// versions and says whether that version is gone all the same: servers
// answer a version deleted meanwhile with codes of their own (versitygw
// with sidecar metadata: InternalError). It costs one request per key
// with errors; seen keeps the listings for the other versions.
func (s *Store) goneAfterAll(ctx context.Context, st bucketState, key, versionID string, seen map[string]*keyGroup) bool {
	if !st.versioned || versionID == "" {
		_, err := s.client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: &s.bucket, Key: &key})
		return errors.Is(wrap("delete", err), scanners.ErrNotFound)
	}
	g, ok := seen[key]
	if !ok {
		var err error
		if g, err = s.keyVersions(ctx, key); err != nil {
			return false
		}
		seen[key] = g
	}
	if g == nil {
		return true
	}
	_, present := g.seen[versionID]
	return !present
}

// deleteError explains a per-key DeleteObjects error. AccessDenied in a
// bucket with Object Lock is looked into: if the version has a legal hold
// or a retention (set since the check, or ending later by S3's clock than
// by ours), or the bucket has a default retention that the server applies
// to the whole bucket (versitygw), the record is locked.
func (s *Store) deleteError(ctx context.Context, st bucketState, key, versionID, code string) error {
	e := &Error{Op: "delete", Operation: "DeleteObjects", Code: code, kind: kindOf(0, code)}
	if code != "AccessDenied" || !st.locked || versionID == "" {
		return e
	}
	l, err := s.versionLock(ctx, key, versionID)
	switch {
	case err != nil:
		return e
	case l != nil:
		return lockedError(l)
	case st.defaultMode != "":
		return fmt.Errorf("s3: delete: S3 refused to delete a version under the bucket's default %s retention: %w", st.defaultMode, scanners.ErrLocked)
	}
	return e
}
