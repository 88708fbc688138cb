// Package redistest starts a real redis-server for tests, in a temporary
// directory on a free loopback port: plain, or with TLS and ACL users
// (StartWith), and can stop and restart it on the same port to test what
// a client does while Redis is away.
//
// When redis-server is not installed the test fails if the CI environment
// variable is set and is skipped with a message otherwise. On Debian and
// Ubuntu: apt-get install --no-install-recommends redis-server.
package redistest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// ServerName is the name in the certificate of a TLS server.
const ServerName = "redis.test"

// Admin is the ACL user a server with Users has for Client: all keys,
// all commands.
const (
	AdminUser     = "admin"
	AdminPassword = "admin-secret"
)

// Options configure StartWith.
type Options struct {
	// TLS makes the server speak TLS only (no plain port), with a
	// certificate for ServerName signed by a CA of its own (Server.CAFile).
	// Clients need no certificate.
	TLS bool
	// Users, when set, turns the default user off and adds these ACL
	// users plus AdminUser. Each is a line of Redis' ACL syntax after the
	// user name, such as "on >secret ~retentiond:org-a:* +@all".
	Users map[string]string
}

// Server is a running redis-server.
type Server struct {
	// Addr is host:port.
	Addr string
	// CAFile is the PEM file of the CA that signed a TLS server's
	// certificate; "" without TLS.
	CAFile string

	bin  string
	dir  string
	opts Options

	mu   sync.Mutex
	stop func()      // kills the running process; nil while stopped
	proc *os.Process // the running process; nil while stopped
}

// Options returns client options for the server: TLS trusting CAFile and
// the admin user when the server has them.
func (s *Server) Options() *redis.Options {
	o := &redis.Options{Addr: s.Addr}
	if s.opts.TLS {
		pool := x509.NewCertPool()
		b, err := os.ReadFile(s.CAFile)
		if err != nil {
			panic(err)
		}
		pool.AppendCertsFromPEM(b)
		o.TLSConfig = &tls.Config{RootCAs: pool, ServerName: ServerName, MinVersion: tls.VersionTLS12}
	}
	if len(s.opts.Users) > 0 {
		o.Username, o.Password = AdminUser, AdminPassword
	}
	return o
}

// Client returns a new client for the server, closed at the end of the test.
func (s *Server) Client(t testing.TB) *redis.Client {
	t.Helper()
	c := redis.NewClient(s.Options())
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// Start starts a plain redis-server and stops it at the end of the test.
func Start(t testing.TB) *Server { return StartWith(t, Options{}) }

// StartWith starts redis-server with opts and stops it at the end of the
// test.
func StartWith(t testing.TB, opts Options) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		msg := "redis-server not installed (apt-get install --no-install-recommends redis-server)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	s := &Server{bin: bin, dir: t.TempDir(), opts: opts}
	if opts.TLS {
		if err := s.writeCerts(); err != nil {
			t.Fatal(err)
		}
	}
	if len(opts.Users) > 0 {
		var b strings.Builder
		b.WriteString("user default off\n")
		fmt.Fprintf(&b, "user %s on >%s ~* &* +@all\n", AdminUser, AdminPassword)
		for name, rule := range opts.Users {
			fmt.Fprintf(&b, "user %s %s\n", name, rule)
		}
		if err := os.WriteFile(filepath.Join(s.dir, "users.acl"), []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var lastErr error
	for range 3 { // a free port may be taken between probe and start
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if lastErr = s.start(); lastErr == nil {
			t.Cleanup(s.Stop)
			return s
		}
	}
	t.Fatalf("start redis-server: %v", lastErr)
	return nil
}

// Stop kills the server (as a crash would); a stopped server stays
// stopped until Restart.
func (s *Server) Stop() {
	s.mu.Lock()
	stop := s.stop
	s.stop, s.proc = nil, nil
	s.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// Pause stops the server's process (SIGSTOP) without closing its
// sockets, as a hung or black-holed Redis: connections are accepted by
// the kernel and nothing answers. Resume continues it; the end of the
// test resumes it before it is killed.
func (s *Server) Pause(t testing.TB) {
	t.Helper()
	s.signal(t, syscall.SIGSTOP)
	t.Cleanup(func() { s.signal(t, syscall.SIGCONT) })
}

// Resume continues a paused server.
func (s *Server) Resume(t testing.TB) {
	t.Helper()
	s.signal(t, syscall.SIGCONT)
}

func (s *Server) signal(t testing.TB, sig syscall.Signal) {
	s.mu.Lock()
	p := s.proc
	s.mu.Unlock()
	if p == nil {
		t.Fatal("redistest: the server is not running")
	}
	if err := p.Signal(sig); err != nil {
		t.Fatalf("redistest: %v: %v", sig, err)
	}
}

// Restart starts a stopped server again on the same address, empty.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop()
	var err error
	for range 50 { // the port may linger a moment after the kill
		if err = s.start(); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("restart redis-server on %s: %v", s.Addr, err)
}

func (s *Server) start() error {
	_, port, _ := net.SplitHostPort(s.Addr)
	args := []string{"--bind", "127.0.0.1", "--dir", s.dir, "--save", "", "--appendonly", "no",
		"--logfile", filepath.Join(s.dir, "redis.log")}
	if s.opts.TLS {
		args = append(args, "--port", "0", "--tls-port", port,
			"--tls-cert-file", filepath.Join(s.dir, "server.pem"),
			"--tls-key-file", filepath.Join(s.dir, "server-key.pem"),
			"--tls-ca-cert-file", s.CAFile, "--tls-auth-clients", "no")
	} else {
		args = append(args, "--port", port)
	}
	if len(s.opts.Users) > 0 {
		args = append(args, "--aclfile", filepath.Join(s.dir, "users.acl"))
	}
	cmd := exec.Command(s.bin, args...)
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			_ = cmd.Process.Kill()
			<-exited
		})
	}
	c := redis.NewClient(s.Options())
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			break
		}
		select {
		case werr := <-exited:
			log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
			return fmt.Errorf("redis-server exited (%v): %s", werr, log)
		default:
		}
		if time.Now().After(deadline) {
			stop()
			return fmt.Errorf("redis-server on %s not answering: %w", s.Addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.mu.Lock()
	s.stop, s.proc = stop, cmd.Process
	s.mu.Unlock()
	return nil
}

// writeCerts makes a CA and a server certificate for ServerName and
// 127.0.0.1 in the server's directory.
func (s *Server) writeCerts() error {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "redistest CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: ServerName},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), DNSNames: []string{ServerName},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	s.CAFile = filepath.Join(s.dir, "ca.pem")
	for _, f := range []struct {
		name, typ string
		der       []byte
	}{{"ca.pem", "CERTIFICATE", caDER}, {"server.pem", "CERTIFICATE", der}, {"server-key.pem", "EC PRIVATE KEY", keyDER}} {
		if err := os.WriteFile(filepath.Join(s.dir, f.name), pem.EncodeToMemory(&pem.Block{Type: f.typ, Bytes: f.der}), 0o600); err != nil {
			return err
		}
	}
	return nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
