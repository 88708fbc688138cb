package s3

import (
	"os"
	"testing"
)

// TestLive lists a real bucket, read-only, when RETENTIOND_S3_BUCKET is
// set (with _PREFIX, _REGION, _ENDPOINT and _PATH_STYLE=1 as needed, and
// credentials from the default chain). It deletes nothing.
func TestLive(t *testing.T) {
	bucket := os.Getenv("RETENTIOND_S3_BUCKET")
	if bucket == "" {
		t.Skip("RETENTIOND_S3_BUCKET not set")
	}
	cfg := Config{
		Bucket: bucket, Prefix: os.Getenv("RETENTIOND_S3_PREFIX"), Region: os.Getenv("RETENTIOND_S3_REGION"),
		Endpoint: os.Getenv("RETENTIOND_S3_ENDPOINT"), PathStyle: os.Getenv("RETENTIOND_S3_PATH_STYLE") == "1",
	}
	s, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	recs := collect(t, s)
	t.Logf("%d records; %+v; requests %v, throttled %d", len(recs), s.LastScan(), s.Requests(), s.Throttled())
	for id := range recs {
		if _, err := s.Stat(t.Context(), id); err != nil {
			t.Errorf("Stat of a listed record: %v", err)
		}
		break
	}
}
