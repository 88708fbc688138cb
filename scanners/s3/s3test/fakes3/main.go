// Command fakes3 runs s3test's in-process S3 server (versitygw, with
// versioning and Object Lock) on its own, so that retentiond's s3 store
// can be tried end to end without a cloud account:
//
//	go run ./cmd/retentiond demo
//	go run ./scanners/s3/s3test/fakes3 -demo retentiond-demo &
//	go run ./cmd/retentiond plan --config retentiond-demo/config-s3.yaml
//
// With -demo DIR it creates a bucket with Object Lock holding eight years
// of Kidsadmin's daily backups (kidsadmin/daily/YYYY-MM-DD.tar.gz, up to
// yesterday), puts a legal hold on one that V4 would delete, and writes
// next to the demo's config the secret key (keys/s3.secret, mode 0600)
// and config-s3.yaml: the demo config with only this bucket as a store.
// It serves until interrupted; its files are removed then.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/retentiond/retentiond/agent/demo"
	"github.com/retentiond/retentiond/scanners/s3/s3test"
)

const bucket = "kidsadmin-backups"

func main() {
	demoDir := flag.String("demo", "", "a folder made by `retentiond demo`: fill a bucket and write config-s3.yaml")
	years := flag.Int("years", 8, "years of daily backups to make")
	ready := flag.String("ready", "127.0.0.1:9469", "address that answers \"ready\" once the bucket is filled and the config written (for a script to wait on; \"\" for none)")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("fakes3: ")
	if *demoDir != "" {
		// The server changes the working directory: make the path absolute first.
		abs, err := filepath.Abs(*demoDir)
		if err != nil {
			log.Fatal(err)
		}
		*demoDir = abs
	}
	srv, err := s3test.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer s3test.Stop()
	if *demoDir != "" {
		n, err := fill(context.Background(), srv.Client(), *years)
		if err != nil {
			log.Fatal(err)
		}
		if err := writeDemo(srv, *demoDir); err != nil {
			log.Fatal(err)
		}
		log.Printf("bucket %s holds %d daily backups; wrote %s", bucket, n, filepath.Join(*demoDir, "config-s3.yaml"))
	}
	log.Printf("S3 at %s (region %s, path-style), access key %s", srv.Endpoint, srv.Region, srv.AccessKey)
	if err := serveReady(*ready); err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	<-ctx.Done()
	stop()
}

// fill makes the bucket and its backups; the backup of the 10th of the
// month 18 months ago gets a legal hold.
func fill(ctx context.Context, c *s3.Client, years int) (int, error) {
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket), ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		return 0, fmt.Errorf("creating the bucket: %w", err)
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	heldDay := time.Date(today.Year(), today.Month(), 10, 0, 0, 0, 0, time.UTC).AddDate(0, -18, 0)
	n := 0
	for d := today.AddDate(-years, 0, 0); d.Before(today); d = d.AddDate(0, 0, 1) {
		key := "kidsadmin/daily/" + d.Format("2006-01-02") + ".tar.gz"
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
			Body: bytes.NewReader([]byte("backup of " + d.Format("2006-01-02") + "\n"))})
		if err != nil {
			return n, fmt.Errorf("uploading a backup: %w", err)
		}
		if d.Equal(heldDay) {
			if _, err := c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String(bucket), Key: aws.String(key),
				VersionId: out.VersionId, LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOn}}); err != nil {
				return n, fmt.Errorf("setting a legal hold: %w", err)
			}
		}
		n++
	}
	return n, nil
}

// writeDemo writes the secret and config-s3.yaml.
func writeDemo(srv *s3test.Server, dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "keys", "s3.secret"), []byte(srv.SecretKey+"\n"), 0o600); err != nil {
		return err
	}
	base, err := os.ReadFile(filepath.Join(dir, demo.ConfigFile))
	if err != nil {
		return fmt.Errorf("reading the demo's config (run `retentiond demo` first): %w", err)
	}
	top, _, ok := strings.Cut(string(base), "\nstores:\n")
	if !ok {
		return fmt.Errorf("%s has no stores: section", demo.ConfigFile)
	}
	top = strings.Replace(top, "\nstate_dir: state\n", "\nstate_dir: state-s3\n", 1)
	top = strings.Replace(top, "max_deletions: 2000", "max_deletions: 5000", 1)
	cfg := top + fmt.Sprintf(`
stores:
  - name: backups                      # Kidsadmin's backups in S3 (here versitygw, with Object Lock)
    type: s3
    bucket: %s
    region: %s
    endpoint: %s
    path_style: true
    access_key_id: %s
    secret_access_key_file: keys/s3.secret
    layout:
      - path: "kidsadmin/daily/{date}.tar.gz"
        category: backup
        rule: V4                       # daily backups for a year, then one a month up to 7 years
`, bucket, srv.Region, srv.Endpoint, srv.AccessKey)
	return os.WriteFile(filepath.Join(dir, "config-s3.yaml"), []byte(cfg), 0o644)
}

// serveReady answers "ready" on addr from now on: the fake is filled and
// serving, so `curl --retry-connrefused` on it waits without a sleep.
func serveReady(addr string) error {
	if addr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("-ready: %w", err)
	}
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ready") }))
	return nil
}
