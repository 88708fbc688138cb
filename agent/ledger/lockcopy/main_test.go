package lockcopy

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/retentiond/retentiond/agent/ledger"
	"github.com/retentiond/retentiond/agent/pseudonym"
	"github.com/retentiond/retentiond/scanners/s3/s3test"
)

func TestMain(m *testing.M) {
	// No test may reach for an instance role or the user's own AWS files.
	dir, err := os.MkdirTemp("", "lockcopy-test-")
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

const logName = "retentiond/test-opvang"

var testPseudonyms, _ = pseudonym.New(bytes.Repeat([]byte{7}, 32))

func newKey(t testing.TB) (note.Signer, note.Verifier) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, "test-opvang")
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

// entry returns the i'th test entry; fork gives a different history.
func entry(i int, fork string) ledger.Entry {
	return ledger.Entry{
		Time:     time.Date(2026, 11, 23, 3, 0, i, 0, time.UTC),
		Store:    "dossiers",
		Record:   testPseudonyms.Record("dossiers", fmt.Sprintf("child %d%s/intake.pdf", i, fork)),
		Subject:  testPseudonyms.Subject("child", fmt.Sprint(1000+i)),
		Category: "child-dossier",
		Rule:     "C1",
		Action:   ledger.ActionDelete,
		Outcome:  ledger.OutcomeDone,
		Reason:   "2 years after end of care" + fork,
	}
}

// grow appends entries from to to-1 to the ledger in dir (creating it)
// and signs a checkpoint with s.
func grow(t testing.TB, dir string, s note.Signer, from, to int, fork string) {
	t.Helper()
	l, err := ledger.Open(dir, logName, ledger.WithSigner(s))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := from; i < to; i++ {
		if _, err := l.Append(entry(i, fork)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.Checkpoint(s); err != nil {
		t.Fatal(err)
	}
}

// newLedger makes a ledger of n entries with a checkpoint.
func newLedger(t testing.TB, s note.Signer, n int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ledger")
	grow(t, dir, s, 0, n, "")
	return dir
}

// copyDir copies a ledger directory, state file and high-water mark
// included, to a new one.
func copyDir(t testing.TB, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "ledger")
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	// The ledger's high-water mark lives next to it.
	if b, err := os.ReadFile(ledger.HeadPath(src)); err == nil {
		if err := os.WriteFile(ledger.HeadPath(dst), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// entryLines returns the lines of entries.jsonl, newlines included.
func entryLines(t testing.TB, dir string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, ledger.EntriesFile))
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// writeLines replaces entries.jsonl with lines.
func writeLines(t testing.TB, dir string, lines [][]byte) {
	t.Helper()
	b := bytes.Join(lines, nil)
	if len(b) > 0 && b[len(b)-1] != '\n' {
		b = append(b, '\n')
	}
	if err := os.WriteFile(filepath.Join(dir, ledger.EntriesFile), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// puts counts the PUT requests a client sends, by path.
type puts struct {
	mu    sync.Mutex
	paths []string
}

func (p *puts) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPut {
		p.mu.Lock()
		p.paths = append(p.paths, r.URL.Path)
		p.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(r)
}

// take returns the PUTs since the last take.
func (p *puts) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.paths
	p.paths = nil
	return out
}

// testConfig is the config for a bucket of the test gateway.
func testConfig(srv *s3test.Server, bucket, prefix string) Config {
	return Config{
		Bucket: bucket, Prefix: prefix, Region: srv.Region, Endpoint: srv.Endpoint, PathStyle: true,
		RetainDays: 30, AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey,
	}
}

// openCopier opens a copier on a bucket of the test gateway whose PUTs
// are counted.
func openCopier(t testing.TB, srv *s3test.Server, bucket, prefix string) (*Copier, *puts) {
	t.Helper()
	p := &puts{}
	c, err := open(t.Context(), testConfig(srv, bucket, prefix), hooks{transport: p})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return c, p
}

// upload runs Upload, failing the test on an error.
func upload(t testing.TB, c *Copier, dir string) Uploaded {
	t.Helper()
	up, err := c.Upload(t.Context(), dir)
	if err != nil {
		t.Fatalf("Upload: %v", err)
	}
	return up
}

// verify runs Verify, failing the test on an error.
func verify(t testing.TB, c *Copier, dir string, v note.Verifier) *Report {
	t.Helper()
	r, err := c.Verify(t.Context(), dir, v)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return r
}

// noContent fails the test if text quotes any entry line's pseudonyms.
func noContent(t testing.TB, text string, lines [][]byte) {
	t.Helper()
	for i, l := range lines {
		for _, field := range strings.Split(string(l), `"`) {
			if pseudonym.IsPseudonym(field) && strings.Contains(text, field) {
				t.Errorf("a message quotes line %d: %s", i+1, text)
			}
		}
	}
}
