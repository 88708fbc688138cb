package s3

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/retentiond/retentiond/scanners"
)

// Lock modes, as scanners.Lock spells them.
const (
	ModeLegalHold  = "legal-hold"
	ModeCompliance = "compliance"
	ModeGovernance = "governance"
)

// noLock is S3's answer for a version that has never had a legal hold or
// a retention. S3 answers it with 400 or 404 depending on the server:
// branch on the code.
const noLock = "NoSuchObjectLockConfiguration"

// versionLock looks up one version's legal hold and, if it is not held,
// its retention. It returns nil if the version has neither. A retention is
// reported as stored, whether or not its date has passed: the planner
// compares it with its as-of date.
func (s *Store) versionLock(ctx context.Context, key, versionID string) (*scanners.Lock, error) {
	hold, err := s.client.GetObjectLegalHold(ctx, &awss3.GetObjectLegalHoldInput{
		Bucket: &s.bucket, Key: &key, VersionId: aws.String(versionID),
	})
	switch {
	case err == nil:
		if hold.LegalHold != nil && hold.LegalHold.Status == types.ObjectLockLegalHoldStatusOn {
			return &scanners.Lock{Mode: ModeLegalHold}, nil
		}
	case apiCode(err) == noLock:
	default:
		return nil, s.permissionHint(wrap("reading a version's legal hold", err), "s3:GetObjectLegalHold")
	}
	ret, err := s.client.GetObjectRetention(ctx, &awss3.GetObjectRetentionInput{
		Bucket: &s.bucket, Key: &key, VersionId: aws.String(versionID),
	})
	switch {
	case err == nil:
		if r := ret.Retention; r != nil && r.Mode != "" && r.RetainUntilDate != nil {
			return &scanners.Lock{Mode: strings.ToLower(string(r.Mode)), Until: r.RetainUntilDate.UTC()}, nil
		}
	case apiCode(err) == noLock:
	default:
		return nil, s.permissionHint(wrap("reading a version's retention", err), "s3:GetObjectRetention")
	}
	return nil, nil
}

// keyLock returns the lock that keeps a key longest: a legal hold on any
// version, or else the retention that ends last (compliance before
// governance on the same date). Delete markers cannot be locked and are
// not looked up.
func (s *Store) keyLock(ctx context.Context, g *keyGroup) (*scanners.Lock, error) {
	var best *scanners.Lock
	for _, e := range g.entries {
		if e.marker {
			continue
		}
		l, err := s.versionLock(ctx, g.key, e.versionID)
		if err != nil {
			return nil, err
		}
		if stronger(l, best) {
			best = l
		}
		if best != nil && best.Mode == ModeLegalHold {
			return best, nil
		}
	}
	return best, nil
}

// stronger says whether lock a keeps a version at least as long as b, and
// longer or more strictly.
func stronger(a, b *scanners.Lock) bool {
	switch {
	case a == nil:
		return false
	case b == nil || a.Mode == ModeLegalHold:
		return b == nil || b.Mode != ModeLegalHold
	case b.Mode == ModeLegalHold:
		return false
	case !a.Until.Equal(b.Until):
		return a.Until.After(b.Until)
	}
	return a.Mode == ModeCompliance && b.Mode != ModeCompliance
}

// blocks says whether a lock forbids deleting now: a legal hold, or a
// retention that has not ended by the store's clock. The store asks this
// only before deleting, so as not to delete half a key's versions; the
// plan's own check uses its as-of date.
func blocks(l *scanners.Lock, now time.Time) bool {
	return l != nil && (l.Mode == ModeLegalHold || l.Until.After(now))
}

// lockedError is the error for a record that a lock keeps.
func lockedError(l *scanners.Lock) error {
	if l.Mode == ModeLegalHold {
		return fmt.Errorf("s3: delete: a version of the record is under legal hold; lift it first if the law allows: %w", scanners.ErrLocked)
	}
	return fmt.Errorf("s3: delete: a version of the record is under %s retention until %s: %w", l.Mode, l.Until.Format(time.RFC3339), scanners.ErrLocked)
}
