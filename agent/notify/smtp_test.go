package notify

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

const testPassword = "s3cret-Pa55word"

// writeSecret writes a secret file in a fresh temp dir and returns its path.
func writeSecret(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// smtpConfig is a config for srv, logging in with testPassword.
func smtpConfig(t *testing.T, srv *smtpServer, ca *testCA) SMTPConfig {
	return SMTPConfig{
		Host: srv.Host, Port: srv.Port,
		From: "retentiond <retentiond@example.nl>", To: []string{"beheer@example.nl", "privacy@example.nl"},
		Username: "retentiond", PasswordFile: writeSecret(t, testPassword+"\n"),
		RootCAs: ca.Pool, HelloName: "agent.test", Timeout: 5 * time.Second,
	}
}

func mustSMTP(t *testing.T, c SMTPConfig) *SMTP {
	t.Helper()
	s, err := NewSMTP(c)
	if err != nil {
		t.Fatalf("NewSMTP: %v", err)
	}
	return s
}

// credentialsIn reports whether b holds the password, plainly or in the
// base64 forms AUTH PLAIN and AUTH LOGIN would send it in.
func credentialsIn(b []byte) bool {
	for _, s := range []string{
		testPassword,
		base64.StdEncoding.EncodeToString([]byte(testPassword)),
		base64.StdEncoding.EncodeToString([]byte("\x00retentiond\x00" + testPassword)),
	} {
		if bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	return false
}

func TestSMTPStartTLS(t *testing.T) {
	ca := newTestCA(t)
	srv := newSMTPServer(t, ca, func(s *smtpServer) { s.User, s.Pass = "retentiond", testPassword })
	e := sampleEvents()[KindPlanReady]
	if err := mustSMTP(t, smtpConfig(t, srv, ca)).Notify(context.Background(), e); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	ss := srv.Sessions(t, 1)
	if len(ss) != 1 {
		t.Fatalf("%d sessions, want 1", len(ss))
	}
	s := ss[0]
	wantCmds := []string{"EHLO", "STARTTLS", "EHLO", "AUTH PLAIN", "MAIL", "RCPT", "RCPT", "DATA", "QUIT"}
	if !slices.Equal(s.Commands, wantCmds) {
		t.Errorf("commands = %v, want %v", s.Commands, wantCmds)
	}
	if !s.AuthTLS || !s.AuthOK {
		t.Errorf("AUTH over TLS = %v, accepted = %v; want both", s.AuthTLS, s.AuthOK)
	}
	if credentialsIn(s.Plaintext) {
		t.Error("the password crossed the wire before TLS")
	}
	if s.From != "retentiond@example.nl" || !slices.Equal(s.Rcpt, []string{"beheer@example.nl", "privacy@example.nl"}) {
		t.Errorf("envelope = %s -> %v", s.From, s.Rcpt)
	}
	checkMessage(t, s.Data, e)
}

// checkMessage checks a received message against the event it was made of:
// CRLF everywhere, the headers, and a body that is exactly the rendering.
func checkMessage(t *testing.T, data []byte, e Event) {
	t.Helper()
	// Quoted-printable and encoded words keep the message 7-bit, which
	// every relay passes unchanged.
	if i := slices.IndexFunc(data, func(c byte) bool { return c >= 0x80 }); i >= 0 {
		t.Errorf("byte %d of the message is not 7-bit ASCII", i)
	}
	for i, line := range bytes.SplitAfter(data, []byte("\n")) {
		if len(line) > 0 && !bytes.HasSuffix(line, []byte("\r\n")) {
			t.Fatalf("line %d does not end in CRLF: %q", i+1, line)
		}
		if len(line) > 78+2 {
			t.Errorf("line %d is %d bytes long, over 78", i+1, len(line)-2)
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parsing the message: %v", err)
	}
	want, err := Render(e)
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil || subject != want.Subject {
		t.Errorf("Subject = %q (%v), want %q", subject, err, want.Subject)
	}
	for k, v := range map[string]string{
		"From":                      `"retentiond" <retentiond@example.nl>`,
		"To":                        "<beheer@example.nl>, <privacy@example.nl>",
		"Mime-Version":              "1.0",
		"Content-Type":              "text/plain; charset=UTF-8",
		"Content-Transfer-Encoding": "quoted-printable",
		"Auto-Submitted":            "auto-generated",
		"X-Retentiond-Event":        e.Kind,
	} {
		if got := h.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if d, err := h.Date(); err != nil || !d.Equal(e.Time) {
		t.Errorf("Date = %v (%v), want %v", d, err, e.Time)
	}
	if !regexp.MustCompile(`^<[0-9a-f]{32}\.retentiond@example\.nl>$`).MatchString(h.Get("Message-Id")) {
		t.Errorf("Message-ID = %q", h.Get("Message-Id"))
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatalf("decoding the body: %v", err)
	}
	if got := strings.ReplaceAll(string(body), "\r\n", "\n"); got != want.Body {
		t.Errorf("body differs from the rendering\n--- got ---\n%s\n--- want ---\n%s", got, want.Body)
	}
	if e.Report != "" && !strings.Contains(string(body), e.Report) {
		t.Error("body lacks the report path")
	}
}

// TestSMTPRefusals: whatever goes wrong before the connection is
// encrypted, the password is not sent and the error says why.
func TestSMTPRefusals(t *testing.T) {
	tests := []struct {
		name      string
		server    func(*smtpServer)
		config    func(*SMTPConfig)
		wantErr   string
		wantCmds  []string
		forbidden []string // must not be in the error
	}{
		{
			name:     "no STARTTLS offered, AUTH offered in plain text",
			server:   func(s *smtpServer) { s.StartTLS, s.AuthPlain = false, true },
			wantErr:  "does not offer STARTTLS",
			wantCmds: []string{"EHLO"},
		},
		{
			name:     "untrusted certificate",
			config:   func(c *SMTPConfig) { c.RootCAs = newTestCA(t).Pool },
			wantErr:  "STARTTLS",
			wantCmds: []string{"EHLO", "STARTTLS"},
		},
		{
			name:     "certificate for another name",
			config:   func(c *SMTPConfig) { c.ServerName = "mail.example.nl" },
			wantErr:  "certificate",
			wantCmds: []string{"EHLO", "STARTTLS"},
		},
		{
			name:      "wrong password",
			server:    func(s *smtpServer) { s.Pass = "another" },
			wantErr:   "AUTH: the server answered 535",
			wantCmds:  []string{"EHLO", "STARTTLS", "EHLO", "AUTH PLAIN", "*", "QUIT"}, // net/smtp cancels and quits
			forbidden: []string{testPassword, "another"},
		},
		{
			name:     "neither PLAIN nor LOGIN",
			server:   func(s *smtpServer) { s.Mechs = []string{"XOAUTH2"} },
			wantErr:  "neither AUTH PLAIN nor AUTH LOGIN",
			wantCmds: []string{"EHLO", "STARTTLS", "EHLO"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ca := newTestCA(t)
			srv := newSMTPServer(t, ca, func(s *smtpServer) {
				s.User, s.Pass = "retentiond", testPassword
				if tt.server != nil {
					tt.server(s)
				}
			})
			c := smtpConfig(t, srv, ca)
			if tt.config != nil {
				tt.config(&c)
			}
			err := mustSMTP(t, c).Notify(context.Background(), sampleEvents()[KindFailure])
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Notify = %v, want an error with %q", err, tt.wantErr)
			}
			for _, f := range append(tt.forbidden, testPassword, c.PasswordFile+"\x00") {
				if strings.Contains(err.Error(), f) {
					t.Errorf("error holds %q: %v", f, err)
				}
			}
			s := srv.Sessions(t, 1)[0]
			if !slices.Equal(s.Commands, tt.wantCmds) {
				t.Errorf("commands = %v, want %v", s.Commands, tt.wantCmds)
			}
			if credentialsIn(s.Plaintext) {
				t.Error("the password crossed the wire in plain text")
			}
		})
	}
}

// TestSMTPVariants: the other ways in that must work.
func TestSMTPVariants(t *testing.T) {
	tests := []struct {
		name     string
		server   func(*smtpServer)
		config   func(t *testing.T, c *SMTPConfig)
		started  func(t *testing.T, c SMTPConfig) // after NewSMTP
		wantCmds []string
		wantTLS  bool
	}{
		{
			name:     "implicit TLS",
			server:   func(s *smtpServer) { s.ImplicitTLS, s.StartTLS = true, false },
			config:   func(_ *testing.T, c *SMTPConfig) { c.Security = SecurityTLS },
			wantCmds: []string{"EHLO", "AUTH PLAIN", "MAIL", "RCPT", "RCPT", "DATA", "QUIT"},
			wantTLS:  true,
		},
		{
			name:     "AUTH LOGIN only",
			server:   func(s *smtpServer) { s.Mechs = []string{"LOGIN"} },
			wantCmds: []string{"EHLO", "STARTTLS", "EHLO", "AUTH LOGIN", "MAIL", "RCPT", "RCPT", "DATA", "QUIT"},
			wantTLS:  true,
		},
		{
			name:     "insecure_plain to localhost",
			server:   func(s *smtpServer) { s.StartTLS, s.AuthPlain = false, true },
			config:   func(_ *testing.T, c *SMTPConfig) { c.Security = SecurityInsecurePlain },
			wantCmds: []string{"EHLO", "AUTH PLAIN", "MAIL", "RCPT", "RCPT", "DATA", "QUIT"},
		},
		{
			name:   "password rotated after start",
			server: func(s *smtpServer) { s.Pass = "rotated-password" },
			started: func(t *testing.T, c SMTPConfig) {
				if err := os.WriteFile(c.PasswordFile, []byte("rotated-password\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			},
			wantCmds: []string{"EHLO", "STARTTLS", "EHLO", "AUTH PLAIN", "MAIL", "RCPT", "RCPT", "DATA", "QUIT"},
			wantTLS:  true,
		},
		{
			name:     "no login",
			config:   func(_ *testing.T, c *SMTPConfig) { c.Username, c.PasswordFile = "", "" },
			server:   func(s *smtpServer) { s.User = "" },
			wantCmds: []string{"EHLO", "STARTTLS", "EHLO", "MAIL", "RCPT", "RCPT", "DATA", "QUIT"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ca := newTestCA(t)
			srv := newSMTPServer(t, ca, func(s *smtpServer) {
				s.User, s.Pass = "retentiond", testPassword
				if tt.server != nil {
					tt.server(s)
				}
			})
			c := smtpConfig(t, srv, ca)
			if tt.config != nil {
				tt.config(t, &c)
			}
			n := mustSMTP(t, c)
			if tt.started != nil {
				tt.started(t, c)
			}
			e := sampleEvents()[KindApplyDone]
			if err := n.Notify(context.Background(), e); err != nil {
				t.Fatalf("Notify: %v", err)
			}
			s := srv.Sessions(t, 1)[0]
			if !slices.Equal(s.Commands, tt.wantCmds) {
				t.Errorf("commands = %v, want %v", s.Commands, tt.wantCmds)
			}
			if c.Username != "" && (!s.AuthOK || s.AuthTLS != tt.wantTLS) {
				t.Errorf("AUTH accepted = %v, over TLS = %v; want accepted, TLS %v", s.AuthOK, s.AuthTLS, tt.wantTLS)
			}
			checkMessage(t, s.Data, e)
		})
	}
}

// TestSMTPRecipientRefused: one refused recipient does not stop the
// other, and the error names it by config key, not by address.
func TestSMTPRecipientRefused(t *testing.T) {
	ca := newTestCA(t)
	srv := newSMTPServer(t, ca, func(s *smtpServer) {
		s.User, s.Pass = "retentiond", testPassword
		s.RejectRcpt = "beheer@example.nl"
	})
	err := mustSMTP(t, smtpConfig(t, srv, ca)).Notify(context.Background(), sampleEvents()[KindFailure])
	if err == nil || !strings.Contains(err.Error(), "notify.smtp.to[0]") || !strings.Contains(err.Error(), "550") {
		t.Fatalf("Notify = %v, want a 550 for notify.smtp.to[0]", err)
	}
	if strings.Contains(err.Error(), "beheer@") {
		t.Errorf("error quotes the address: %v", err)
	}
	s := srv.Sessions(t, 1)[0]
	if !slices.Equal(s.Rcpt, []string{"privacy@example.nl"}) || len(s.Data) == 0 {
		t.Errorf("recipients %v, %d bytes of data; want the message sent to the other", s.Rcpt, len(s.Data))
	}
}

// TestSMTPTimeout: a server that never answers does not hang the daemon.
func TestSMTPTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // silent until the test ends
		}
	}()
	ca := newTestCA(t)
	c := SMTPConfig{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, From: "r@example.nl",
		To: []string{"b@example.nl"}, RootCAs: ca.Pool, Timeout: 200 * time.Millisecond}
	start := time.Now()
	err = mustSMTP(t, c).Notify(context.Background(), sampleEvents()[KindFailure])
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Notify = %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v with a 200ms timeout", d)
	}
}

// TestEncodeHeader: non-ASCII subjects survive a decoder word for word,
// spaces included, and every line stays within 78 characters.
func TestEncodeHeader(t *testing.T) {
	for _, v := range []string{
		"retentiond: fout (opslag dossiers)",
		"retentiond: plan klaar voor beoordeling — 12 verwijderen, 3 pseudonimiseren, 5 beoordelen, 1 vastgehouden",
		"retentiond: fout (opslag archief-één twee-één drie)",
		strings.TrimSpace(strings.Repeat("ééé ", 40)),
	} {
		h := encodeHeader("Subject", v)
		for _, line := range strings.Split(h, "\r\n") {
			if len(line) > 78 {
				t.Errorf("line of %d: %q", len(line), line)
			}
		}
		_, enc, _ := strings.Cut(strings.ReplaceAll(h, "\r\n", ""), ": ")
		got, err := new(mime.WordDecoder).DecodeHeader(enc)
		if err != nil || got != v {
			t.Errorf("decoded %q (%v), want %q", got, err, v)
		}
	}
}

// TestSMTPAuthNeedsTLS: the last guard before credentials leave, on its
// own: even where the STARTTLS check were skipped, auth refuses an
// unencrypted session (net/smtp's PlainAuth would allow it to 127.0.0.1).
func TestSMTPAuthNeedsTLS(t *testing.T) {
	ca := newTestCA(t)
	srv := newSMTPServer(t, ca, func(s *smtpServer) { s.User, s.Pass, s.StartTLS, s.AuthPlain = "retentiond", testPassword, false, true })
	n := mustSMTP(t, smtpConfig(t, srv, ca))
	conn, err := net.Dial("tcp", n.addr)
	if err != nil {
		t.Fatal(err)
	}
	c, err := smtp.NewClient(conn, n.cfg.Host)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Hello("agent.test"); err != nil {
		t.Fatal(err)
	}
	if err := n.auth(c); err == nil || !strings.Contains(err.Error(), "unencrypted") {
		t.Errorf("auth over plain text = %v, want a refusal", err)
	}
	c.Close()
	s := srv.Sessions(t, 1)[0]
	if slices.Contains(s.Commands, "AUTH PLAIN") || credentialsIn(s.Plaintext) {
		t.Errorf("credentials were offered: commands %v", s.Commands)
	}
}
