// Package s3test runs an S3 server in the test process, for the tests of
// the s3 store and of any package that talks to S3 (such as shipping ledger
// checkpoints to an Object Lock bucket).
//
// The server is versitygw's gateway (embedgw) over its posix backend, with
// versioning and Object Lock. It listens on 127.0.0.1 only and signs for
// us-east-1. versitygw allows one gateway per process, so every test of a
// package shares it: call Main from TestMain and Get from each test, and
// give each test buckets of its own (NewBucket, which removes them when the
// test ends).
//
//	func TestMain(m *testing.M) { s3test.Main(m) }
//
//	func TestUpload(t *testing.T) {
//		srv := s3test.Get(t)
//		bucket := srv.ComplianceBucket(t, 30)
//		... upload with srv.Endpoint, srv.AccessKey, srv.SecretKey
//		    (path-style, region srv.Region), then:
//		if err := srv.VerifyImmutable(ctx, bucket, key, versionID, data); err != nil { ... }
//	}
//
// Set S3TEST_SIDECAR=1 (SidecarEnv) to run with sidecar metadata, as on
// a filesystem without extended attributes (chosen by itself there).
//
// The posix backend changes the process's working directory to the
// gateway's root when it starts (it works with paths relative to it): a
// test that reads files by relative path (testdata/...) must join them to
// WorkDir, the working directory from before.
//
// versitygw v1.8.0 has a paging bug in ListObjectVersions (a page can
// repeat the previous page's last entry); ListVersions here removes the
// repeats. It also treats a bucket's default retention differently from
// AWS (see ComplianceBucket). See shared/NOTES-S3.md and the s3 store's
// README for the rest of what it does differently.
package s3test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/versity/versitygw/backend/meta"
	"github.com/versity/versitygw/backend/posix"
	"github.com/versity/versitygw/embedgw"
)

// Region is the only region the gateway accepts signatures for.
const Region = "us-east-1"

// SidecarEnv, set to "1", makes the gateway keep metadata in sidecar files
// even where the filesystem has extended attributes, to test that setup.
const SidecarEnv = "S3TEST_SIDECAR"

// Server is the gateway shared by the process.
type Server struct {
	// Endpoint is the gateway's base URL ("http://127.0.0.1:PORT"); use it
	// with path-style addressing.
	Endpoint string
	// AccessKey and SecretKey are the root account's credentials, made up
	// anew for each process.
	AccessKey, SecretKey string
	// Region is the region to sign for: Region.
	Region string
	// Sidecar says the gateway keeps object metadata in sidecar files
	// because the filesystem has no extended attributes (or SidecarEnv
	// asked for it).
	Sidecar bool

	base   string // temporary folder holding root, versions and sidecar
	root   string // the posix root: one folder per bucket
	client *s3.Client
	cancel context.CancelFunc
	done   chan error
}

var (
	mu       sync.Mutex
	shared   *Server
	startErr error
	workDir  string
)

// Main runs the tests of the package and then stops the gateway, if a test
// started it, and removes its files. Call it from TestMain; it does not
// return.
func Main(m *testing.M) { os.Exit(Run(m)) }

// Run is Main for a TestMain with more to do afterwards: it returns the
// exit code instead of exiting.
func Run(m *testing.M) int {
	code := m.Run()
	if err := Stop(); err != nil && code == 0 {
		fmt.Fprintln(os.Stderr, "s3test:", err)
		code = 1
	}
	return code
}

// Get returns the process's gateway, starting it on first use. It fails
// the test if the gateway cannot start.
func Get(tb testing.TB) *Server {
	tb.Helper()
	s, err := Start()
	if err != nil {
		tb.Fatalf("s3test: %v", err)
	}
	return s
}

// WorkDir is the process's working directory from before the gateway
// started (the posix backend changes it to the gateway's root). It is the
// current directory when no gateway has started.
func WorkDir() string {
	mu.Lock()
	defer mu.Unlock()
	if workDir == "" {
		workDir, _ = os.Getwd()
	}
	return workDir
}

// Start starts the process's gateway, or returns it if it runs already.
// A failed start is not retried.
func Start() (*Server, error) {
	mu.Lock()
	defer mu.Unlock()
	if shared != nil || startErr != nil {
		return shared, startErr
	}
	shared, startErr = start()
	return shared, startErr
}

// Stop stops the gateway and removes its files (every bucket). Get starts
// a new one afterwards.
func Stop() error {
	mu.Lock()
	defer mu.Unlock()
	s := shared
	shared, startErr = nil, nil
	if s == nil {
		return nil
	}
	s.cancel()
	var err error
	select {
	case err = <-s.done:
		if errors.Is(err, context.Canceled) {
			err = nil
		}
	case <-time.After(30 * time.Second):
		err = errors.New("the gateway did not stop within 30s")
	}
	if wd := workDir; wd != "" {
		// Leave the folder about to be removed.
		_ = os.Chdir(wd)
	}
	return errors.Join(err, os.RemoveAll(s.base))
}

func start() (*Server, error) {
	if workDir == "" {
		workDir, _ = os.Getwd()
	}
	base, err := os.MkdirTemp("", "s3test-")
	if err != nil {
		return nil, fmt.Errorf("making the gateway's folder: %w", err)
	}
	s := &Server{base: base, root: filepath.Join(base, "root"), Region: Region, done: make(chan error, 1)}
	fail := func(err error) (*Server, error) {
		_ = os.Chdir(workDir)
		os.RemoveAll(base)
		return nil, err
	}
	versions := filepath.Join(base, "versions")
	for _, dir := range []string{s.root, versions} {
		if err := os.Mkdir(dir, 0o700); err != nil {
			return fail(err)
		}
	}
	opts := posix.PosixOpts{VersioningDir: versions}
	var ms meta.MetadataStorer = meta.XattrMeta{}
	if os.Getenv(SidecarEnv) == "1" || (meta.XattrMeta{}).Test(s.root) != nil {
		dir := filepath.Join(base, "sidecar")
		if err := os.Mkdir(dir, 0o700); err != nil {
			return fail(err)
		}
		sc, err := meta.NewSideCar(dir)
		if err != nil {
			return fail(fmt.Errorf("setting up sidecar metadata: %w", err))
		}
		ms, opts.SideCarDir, s.Sidecar = sc, dir, true
	}
	be, err := posix.New(s.root, ms, opts)
	if err != nil {
		return fail(fmt.Errorf("setting up the posix backend: %w", err))
	}
	port, err := freePort()
	if err != nil {
		return fail(err)
	}
	s.Endpoint = "http://" + port
	s.AccessKey, s.SecretKey = "s3test"+randomHex(6), randomHex(20)
	cfg := &embedgw.Config{
		RootUserAccess:    s.AccessKey,
		RootUserSecret:    s.SecretKey,
		Region:            Region,
		Ports:             []string{port},
		MaxConnections:    250,
		MaxRequests:       100,
		MultipartMaxParts: 10000,
		Quiet:             true,
		// With keep-alive, stopping waits 10 s for the clients' idle
		// connections; without it, loopback requests are as fast.
		KeepAlive: false,
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go func() { s.done <- embedgw.RunVersityGW(ctx, be, cfg) }()
	s.client = s.NewClient(nil)
	if err := s.waitReady(); err != nil {
		cancel()
		return fail(err)
	}
	return s, nil
}

// waitReady waits until the gateway answers ListBuckets.
func (s *Server) waitReady() error {
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := s.client.ListBuckets(ctx, &s3.ListBucketsInput{})
		cancel()
		if err == nil {
			return nil
		}
		select {
		case gerr := <-s.done:
			return fmt.Errorf("the gateway stopped while starting: %v", gerr)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the gateway did not answer within 20s: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Client returns an S3 client for the gateway, signed as the root account.
func (s *Server) Client() *s3.Client { return s.client }

// NewClient returns a new S3 client for the gateway, signed as the root
// account, whose requests go through rt (such as a Faults), or the SDK's
// default transport when rt is nil. It does not read the environment or
// shared config files (AWS_CA_BUNDLE in particular, which the SDK refuses
// to combine with an HTTP client of the caller's).
func (s *Server) NewClient(rt http.RoundTripper) *s3.Client {
	cfg := aws.Config{
		Region:      s.Region,
		Credentials: credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
	}
	if rt != nil {
		cfg.HTTPClient = &http.Client{Transport: rt}
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(s.Endpoint)
		o.UsePathStyle = true
		// The gateway's answers carry no checksum for the SDK to check;
		// without this the SDK logs a warning per GetObject.
		o.DisableLogOutputChecksumValidationSkipped = true
	})
}

// freePort finds a free TCP port on 127.0.0.1. Another process could take
// it before the gateway binds it; the start then fails visibly.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("finding a free port: %w", err)
	}
	addr := l.Addr().String()
	return addr, l.Close()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
