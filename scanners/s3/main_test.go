package s3

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/retentiond/retentiond/scanners"
	"github.com/retentiond/retentiond/scanners/s3/s3test"
)

func TestMain(m *testing.M) {
	// No test may reach for an instance role or the user's own AWS
	// files, except TestLive when asked to; AWS_CA_BUNDLE is left as the
	// machine has it, since the store must cope with it.
	if os.Getenv("RETENTIOND_S3_BUCKET") == "" {
		dir, err := os.MkdirTemp("", "s3-store-test-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
		os.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
		os.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
		for _, v := range []string{"AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"} {
			os.Unsetenv(v)
		}
		code := s3test.Run(m)
		os.RemoveAll(dir)
		os.Exit(code)
	}
	s3test.Main(m)
}

// testTuning retries quickly, so that fault tests do not wait.
func testTuning() tuning {
	return tuning{maxAttempts: 3, maxBackoff: 5 * time.Millisecond, now: time.Now}
}

// testConfig returns the store config for a bucket of the test gateway.
func testConfig(srv *s3test.Server, bucket, prefix string) Config {
	return Config{
		Bucket: bucket, Prefix: prefix, Region: srv.Region, Endpoint: srv.Endpoint, PathStyle: true,
		AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey,
	}
}

// openStore opens a store on a bucket of the test gateway, its requests
// going through rt when it is not nil.
func openStore(t testing.TB, srv *s3test.Server, bucket, prefix string, rt http.RoundTripper) *Store {
	t.Helper()
	cfg := testConfig(srv, bucket, prefix)
	cfg.Transport = rt
	s, err := open(t.Context(), cfg, testTuning())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// putMany writes the objects with a few writers at once.
func putMany(t testing.TB, srv *s3test.Server, bucket string, objs map[string][]byte) {
	t.Helper()
	type kv struct {
		k string
		v []byte
	}
	work := make(chan kv)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for o := range work {
				srv.Put(t, bucket, o.k, o.v)
			}
		})
	}
	for k, v := range objs {
		work <- kv{k, v}
	}
	close(work)
	wg.Wait()
}

// collect scans s into a map, failing the test on an error.
func collect(t testing.TB, s *Store) map[string]scanners.Record {
	t.Helper()
	got := make(map[string]scanners.Record)
	err := s.Scan(t.Context(), func(r scanners.Record) error {
		if _, dup := got[r.ID]; dup {
			t.Errorf("Scan listed %q twice", r.ID)
		}
		got[r.ID] = r
		return nil
	})
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	return got
}

// delta returns the requests made since before, by operation.
func delta(before, after map[string]int64) map[string]int64 {
	d := make(map[string]int64)
	for op, n := range after {
		if n != before[op] {
			d[op] = n - before[op]
		}
	}
	return d
}
