package notify

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"net/textproto"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// testCA is a certificate authority made for one test, and a server
// certificate it signed for localhost and 127.0.0.1.
type testCA struct {
	Pool   *x509.CertPool    // trust this to trust the server
	Server tls.Certificate   // the server's certificate and key
	Cert   *x509.Certificate // the CA's own certificate
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "retentiond test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	return &testCA{Pool: pool, Server: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, Cert: caCert}
}

// smtpServer is an in-process SMTP server speaking enough of RFC 5321,
// 3207 (STARTTLS) and 4954 (AUTH) to receive what SMTP sends, and
// recording every session.
type smtpServer struct {
	Host string
	Port int

	// Set before the first connection.
	StartTLS    bool     // offer STARTTLS
	ImplicitTLS bool     // speak TLS from the first byte
	AuthPlain   bool     // offer AUTH on a plain connection too
	Mechs       []string // AUTH mechanisms offered; default PLAIN LOGIN
	User, Pass  string   // accepted credentials; empty User: no AUTH offered
	RejectRcpt  string   // a recipient refused with 550, echoing its address
	cert        tls.Certificate
	ln          net.Listener
	wg          sync.WaitGroup
	mu          sync.Mutex
	sessions    []*smtpSession
}

// smtpSession is what one connection did.
type smtpSession struct {
	Commands  []string // verbs in order, "AUTH PLAIN" with its mechanism
	Plaintext []byte   // every byte the client sent before TLS began
	AuthTLS   bool     // TLS was up when AUTH came
	AuthUser  string
	AuthPass  string
	AuthOK    bool
	From      string
	Rcpt      []string
	Data      []byte // the message as sent, dot-unstuffed
}

func newSMTPServer(t *testing.T, ca *testCA, configure func(*smtpServer)) *smtpServer {
	t.Helper()
	s := &smtpServer{StartTLS: true, Mechs: []string{"PLAIN", "LOGIN"}, cert: ca.Server}
	if configure != nil {
		configure(s)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.ln = ln
	s.Host = "127.0.0.1"
	s.Port = ln.Addr().(*net.TCPAddr).Port
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(c)
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

// Sessions waits until n sessions have ended, and returns them: a client
// may be done with a connection before the server is.
func (s *smtpServer) Sessions(t *testing.T, n int) []*smtpSession {
	t.Helper()
	for range 500 {
		s.mu.Lock()
		done := slices.Clone(s.sessions)
		s.mu.Unlock()
		if len(done) >= n {
			return done
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("the server did not see %d sessions end", n)
	return nil
}

// recorder copies what is read from a connection, until stopped.
type recorder struct {
	net.Conn
	mu  sync.Mutex
	buf *bytes.Buffer
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	r.mu.Lock()
	if r.buf != nil {
		r.buf.Write(p[:n])
	}
	r.mu.Unlock()
	return n, err
}

func (s *smtpServer) serve(raw net.Conn) {
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(10 * time.Second))
	sess := &smtpSession{}

	plain := &bytes.Buffer{}
	rec := &recorder{Conn: raw, buf: plain}
	var conn net.Conn = rec
	isTLS := false
	tlsConf := &tls.Config{Certificates: []tls.Certificate{s.cert}}
	if s.ImplicitTLS {
		rec.buf = nil
		conn = tls.Server(raw, tlsConf)
		isTLS = true
	}
	defer func() {
		rec.mu.Lock()
		sess.Plaintext = plain.Bytes()
		rec.mu.Unlock()
		s.mu.Lock()
		s.sessions = append(s.sessions, sess) // only ended sessions are shown
		s.mu.Unlock()
	}()
	tp := textproto.NewConn(conn)
	reply := func(code int, lines ...string) {
		for i, l := range lines {
			sep := " "
			if i < len(lines)-1 {
				sep = "-"
			}
			tp.PrintfLine("%d%s%s", code, sep, l)
		}
	}
	reply(220, "test.invalid ESMTP retentiond-test")
	authed := false
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		cmd := verb
		if verb == "AUTH" {
			cmd += " " + strings.ToUpper(strings.Fields(arg + " x")[0])
		}
		sess.Commands = append(sess.Commands, cmd)
		switch verb {
		case "EHLO", "HELO":
			lines := []string{"test.invalid"}
			if s.StartTLS && !isTLS {
				lines = append(lines, "STARTTLS")
			}
			if s.User != "" && (isTLS || s.AuthPlain) {
				lines = append(lines, "AUTH "+strings.Join(s.Mechs, " "))
			}
			lines = append(lines, "8BITMIME")
			reply(250, lines...)
		case "STARTTLS":
			if !s.StartTLS || isTLS {
				reply(502, "5.5.1 not offered")
				continue
			}
			reply(220, "2.0.0 go ahead")
			rec.mu.Lock()
			rec.buf = nil
			rec.mu.Unlock()
			tc := tls.Server(raw, tlsConf)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn, isTLS = tc, true
			tp = textproto.NewConn(conn)
		case "AUTH":
			sess.AuthTLS = isTLS
			sess.AuthUser, sess.AuthPass = s.readAuth(tp, arg, reply)
			if sess.AuthUser == s.User && sess.AuthPass == s.Pass && s.User != "" {
				sess.AuthOK, authed = true, true
				reply(235, "2.7.0 authenticated")
			} else {
				reply(535, "5.7.8 authentication failed")
			}
		case "MAIL":
			if s.User != "" && !authed {
				reply(530, "5.7.0 authentication required")
				continue
			}
			sess.From = addrArg(arg)
			reply(250, "2.1.0 ok")
		case "RCPT":
			to := addrArg(arg)
			if to == s.RejectRcpt {
				reply(550, "5.1.1 <"+to+">: Recipient address rejected: User unknown")
				continue
			}
			sess.Rcpt = append(sess.Rcpt, to)
			reply(250, "2.1.5 ok")
		case "DATA":
			reply(354, "end with <CRLF>.<CRLF>")
			// Read the lines raw, not through DotReader, which would
			// hide a line sent without its CR.
			var data bytes.Buffer
			for {
				l, err := tp.R.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			sess.Data = data.Bytes()
			reply(250, "2.0.0 queued")
		case "RSET", "NOOP":
			reply(250, "2.0.0 ok")
		case "QUIT":
			reply(221, "2.0.0 bye")
			return
		default:
			reply(502, "5.5.2 unknown command")
		}
	}
}

// readAuth runs the AUTH exchange for PLAIN or LOGIN and returns the
// credentials the client gave.
func (s *smtpServer) readAuth(tp *textproto.Conn, arg string, reply func(int, ...string)) (user, pass string) {
	fields := strings.Fields(arg)
	if len(fields) == 0 {
		return "", ""
	}
	next := func(prompt string) string {
		reply(334, base64.StdEncoding.EncodeToString([]byte(prompt)))
		l, _ := tp.ReadLine()
		b, _ := base64.StdEncoding.DecodeString(l)
		return string(b)
	}
	switch strings.ToUpper(fields[0]) {
	case "PLAIN":
		var resp string
		if len(fields) > 1 {
			b, _ := base64.StdEncoding.DecodeString(fields[1])
			resp = string(b)
		} else {
			resp = next("")
		}
		parts := strings.Split(resp, "\x00")
		if len(parts) == 3 {
			return parts[1], parts[2]
		}
	case "LOGIN":
		return next("Username:"), next("Password:")
	}
	return "", ""
}

// addrArg takes the address out of "FROM:<a@b> SIZE=1".
func addrArg(arg string) string {
	_, rest, _ := strings.Cut(arg, ":")
	rest = strings.TrimSpace(rest)
	if i := strings.IndexByte(rest, '>'); strings.HasPrefix(rest, "<") && i > 0 {
		return rest[1:i]
	}
	return rest
}

// headerOf reads the header block of a received message.
func headerOf(t *testing.T, data []byte) textproto.MIMEHeader {
	t.Helper()
	h, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(data))).ReadMIMEHeader()
	if err != nil {
		t.Fatalf("reading the received header: %v", err)
	}
	return h
}
