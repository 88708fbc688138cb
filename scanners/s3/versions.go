package s3

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/retentiond/retentiond/scanners"
)

// pageSize is the most keys S3 returns per listing request.
const pageSize = 1000

// entry is one version or delete marker of a key.
type entry struct {
	versionID string
	marker    bool // a delete marker, which holds no data
	latest    bool
	etag      string
	size      int64
	modTime   time.Time
}

// keyGroup is every version and delete marker of one key. Versions are in
// listing order, newest first; delete markers follow them.
type keyGroup struct {
	key     string
	entries []entry
	seen    map[string]struct{} // version ids, to drop versitygw's repeats
}

func newGroup(key string) *keyGroup {
	return &keyGroup{key: key, seen: make(map[string]struct{})}
}

// add adds e unless the group has its version already: versitygw v1.8.0
// repeats a page's last entry at the top of the next page
// (versity/versitygw#2178). It reports whether e was new.
func (g *keyGroup) add(e entry) bool {
	if _, dup := g.seen[e.versionID]; dup {
		return false
	}
	g.seen[e.versionID] = struct{}{}
	g.entries = append(g.entries, e)
	return true
}

// latest returns the key's current version or delete marker.
func (g *keyGroup) latest() entry {
	best := -1
	for i, e := range g.entries {
		if e.latest {
			return e
		}
		if best < 0 || e.modTime.After(g.entries[best].modTime) {
			best = i
		}
	}
	return g.entries[best]
}

// newestData returns the newest version that holds data (not a delete
// marker), or false if the key has only delete markers.
func (g *keyGroup) newestData() (entry, bool) {
	for _, e := range g.entries {
		if !e.marker {
			return e, true
		}
	}
	return entry{}, false
}

// folderMarker says whether the key is a zero-byte "folder/" object that
// consoles create to show an empty folder.
func (g *keyGroup) folderMarker() bool {
	if !strings.HasSuffix(g.key, "/") {
		return false
	}
	for _, e := range g.entries {
		if e.size != 0 {
			return false
		}
	}
	return true
}

// record describes the key as a record with the given ID. Version is the
// current entry's version token, ModTime and Size those of the newest
// version holding data (of the newest delete marker, Size 0, for a key with
// only delete markers), Versions the number of versions and delete markers.
func (g *keyGroup) record(id string) scanners.Record {
	r := scanners.Record{ID: id, Kind: scanners.KindFile, Versions: len(g.entries), Version: g.latest().token()}
	if d, ok := g.newestData(); ok {
		r.Size, r.ModTime = d.size, d.modTime
	} else {
		r.ModTime = g.latest().modTime
	}
	return r
}

// token is the entry's part of Record.Version: its version id, or for the
// "null" version (written while versioning was off or suspended, and
// rewritten in place) its ETag, as for an unversioned bucket.
func (e entry) token() string {
	switch {
	case e.versionID != "" && e.versionID != "null":
		return e.versionID
	case e.marker:
		return "null-delete-marker"
	}
	return e.etag
}

// normTime makes S3's times comparable between listings, which give
// milliseconds, and HEAD, which gives seconds.
func normTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Second)
}

func normETag(s *string) string { return strings.Trim(aws.ToString(s), `"`) }

// versionListing lists the versions and delete markers of the keys under
// prefix, in key order, one complete key at a time.
type versionListing struct {
	prefix    string
	delimiter string // "/" to leave out sub-folders
	maxPages  int    // stop after this many pages; 0 for no limit
}

// errListing is a listing that did not move on; it is never taken as the
// end of the listing.
var errListing = errors.New("the listing did not advance (a server bug); the listing is incomplete")

// run calls fn with each key's group once the listing has moved past the
// key, so that memory holds one key's versions and one page. fn returns
// false to stop. When maxPages stops the listing first, run returns the
// first key it did not finish: every key before it was passed to fn or
// does not exist. It returns "" when the listing ended or fn stopped it.
func (l versionListing) run(ctx context.Context, s *Store, fn func(*keyGroup) (bool, error)) (resume string, err error) {
	in := &awss3.ListObjectVersionsInput{Bucket: &s.bucket, Prefix: aws.String(l.prefix), MaxKeys: aws.Int32(pageSize)}
	if l.delimiter != "" {
		in.Delimiter = aws.String(l.delimiter)
	}
	var cur, done *keyGroup // the key being gathered; the last one passed on
	for page := 1; ; page++ {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		out, err := s.client.ListObjectVersions(ctx, in)
		if err != nil {
			return "", err
		}
		for _, e := range mergePage(out) {
			switch {
			case cur != nil && e.key == cur.key:
				cur.add(e.entry)
			case cur == nil || e.key > cur.key:
				if cur != nil {
					if more, err := fn(cur); err != nil || !more {
						return "", err
					}
					done = cur
				}
				cur = newGroup(e.key)
				cur.add(e.entry)
			case done != nil && e.key == done.key && !done.add(e.entry):
				// A repeat of a key already passed on.
			default:
				return "", errListing
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		next := aws.ToString(out.NextKeyMarker)
		nextVersion := aws.ToString(out.NextVersionIdMarker)
		if next == "" || (next == aws.ToString(in.KeyMarker) && nextVersion == aws.ToString(in.VersionIdMarker)) {
			return "", errListing
		}
		in.KeyMarker, in.VersionIdMarker = aws.String(next), aws.String(nextVersion)
		if nextVersion == "" {
			in.VersionIdMarker = nil
		}
		if l.maxPages > 0 && page >= l.maxPages {
			if cur != nil {
				return cur.key, nil
			}
			return next, nil
		}
	}
	if cur != nil {
		_, err := fn(cur)
		return "", err
	}
	return "", nil
}

// keyedEntry is an entry and its key.
type keyedEntry struct {
	key string
	entry
}

// mergePage merges a page's versions and delete markers, which S3 sends
// as two lists each in key order, into one list in key order.
func mergePage(out *awss3.ListObjectVersionsOutput) []keyedEntry {
	all := make([]keyedEntry, 0, len(out.Versions)+len(out.DeleteMarkers))
	i, j := 0, 0
	for i < len(out.Versions) || j < len(out.DeleteMarkers) {
		if j >= len(out.DeleteMarkers) || (i < len(out.Versions) && aws.ToString(out.Versions[i].Key) <= aws.ToString(out.DeleteMarkers[j].Key)) {
			v := out.Versions[i]
			all = append(all, keyedEntry{aws.ToString(v.Key), entry{
				versionID: aws.ToString(v.VersionId), latest: aws.ToBool(v.IsLatest),
				etag: normETag(v.ETag), size: aws.ToInt64(v.Size), modTime: normTime(v.LastModified),
			}})
			i++
			continue
		}
		m := out.DeleteMarkers[j]
		all = append(all, keyedEntry{aws.ToString(m.Key), entry{
			versionID: aws.ToString(m.VersionId), marker: true, latest: aws.ToBool(m.IsLatest),
			modTime: normTime(m.LastModified),
		}})
		j++
	}
	return all
}

// keyVersions returns every version and delete marker of one key, or nil
// if it has none. It usually takes one request: the key's entries come
// first among the keys it is a prefix of.
func (s *Store) keyVersions(ctx context.Context, key string) (*keyGroup, error) {
	var found *keyGroup
	_, err := versionListing{prefix: key}.run(ctx, s, func(g *keyGroup) (bool, error) {
		if g.key == key {
			found = g
		}
		return false, nil
	})
	return found, err
}
