package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Connection security of an SMTP notifier.
const (
	// SecurityStartTLS connects in plain text and upgrades with STARTTLS
	// before anything else is said; a server that does not offer it is
	// refused. The default, on port 587.
	SecurityStartTLS = "starttls"
	// SecurityTLS speaks TLS from the first byte ("SMTPS"), on port 465.
	SecurityTLS = "tls"
	// SecurityInsecurePlain never encrypts. Allowed only to a mail relay
	// on this machine (localhost, 127.0.0.1, ::1).
	SecurityInsecurePlain = "insecure_plain"
)

// SMTPConfig says how to send e-mail: the notify.smtp section.
type SMTPConfig struct {
	Host         string         `yaml:"host"`          // mail server, without port
	Port         int            `yaml:"port"`          // default 587, or 465 with security tls
	Security     string         `yaml:"security"`      // starttls (default), tls or insecure_plain
	From         string         `yaml:"from"`          // sender, e.g. "retentiond <retentiond@example.nl>"
	To           []string       `yaml:"to"`            // recipients
	Username     string         `yaml:"username"`      // empty: send without logging in
	PasswordFile string         `yaml:"password_file"` // read at every send, so it can be rotated
	ServerName   string         `yaml:"server_name"`   // name in the server's certificate; default Host
	CAFile       string         `yaml:"ca_file"`       // PEM roots to trust instead of the system's
	HelloName    string         `yaml:"hello_name"`    // EHLO name; default this machine's host name
	Timeout      time.Duration  `yaml:"timeout"`       // whole session; default 30s
	RootCAs      *x509.CertPool `yaml:"-"`             // set by code; wins over CAFile
}

// Validate checks the config without touching files or the network.
// Its errors are *ConfigError values joined with errors.Join.
func (c SMTPConfig) Validate() error {
	var errs []error
	bad := func(key, msg, fix string) {
		errs = append(errs, &ConfigError{Key: "notify.smtp." + key, Msg: msg, Fix: fix})
	}
	switch {
	case c.Host == "":
		bad("host", "missing", "set the mail server's host name, e.g. smtp.example.nl")
	case strings.Contains(c.Host, "://") || strings.ContainsAny(c.Host, "/@ ") ||
		(strings.Contains(c.Host, ":") && net.ParseIP(c.Host) == nil):
		bad("host", "not a bare host name", "write only the host, e.g. smtp.example.nl, and the port in notify.smtp.port")
	}
	if c.Port < 0 || c.Port > 65535 {
		bad("port", "out of range", "use 587 for starttls or 465 for tls")
	}
	switch c.Security {
	case "", SecurityStartTLS, SecurityTLS:
	case SecurityInsecurePlain:
		if !isLocalhost(c.Host) {
			bad("security", "insecure_plain sends without encryption and is allowed only to localhost",
				"use starttls or tls, or send through a relay on this machine (host: localhost)")
		}
	default:
		bad("security", "unknown value", "use starttls (default), tls or insecure_plain")
	}
	if c.From == "" {
		bad("from", "missing", "set the sender address, e.g. retentiond@example.nl")
	} else if _, err := mail.ParseAddress(c.From); err != nil {
		bad("from", "not an e-mail address", "write it as retentiond@example.nl or \"retentiond <retentiond@example.nl>\"")
	}
	if len(c.To) == 0 {
		bad("to", "no recipients", "list at least one address, e.g. to: [beheer@example.nl]")
	}
	for i, to := range c.To {
		if _, err := mail.ParseAddress(to); err != nil {
			bad(fmt.Sprintf("to[%d]", i), "not an e-mail address", "write it as beheer@example.nl")
		}
	}
	if c.Username != "" && c.PasswordFile == "" {
		bad("password_file", "missing while username is set", "point it at a file (mode 0600) holding the password")
	}
	if c.Username == "" && c.PasswordFile != "" {
		bad("username", "missing while password_file is set", "set the login name, or remove password_file to send without logging in")
	}
	if c.Timeout < 0 {
		bad("timeout", "negative", "use a duration such as 30s")
	}
	return errors.Join(errs...)
}

// SMTP sends events as e-mail. Credentials are sent only over TLS (or,
// with insecure_plain, only to localhost), and the password is read from
// its file at each send and never put in an error.
type SMTP struct {
	cfg   SMTPConfig
	addr  string
	tls   *tls.Config
	hello string
}

var _ Notifier = (*SMTP)(nil)

// NewSMTP checks c, fills its defaults and loads its CA file. It reads
// the password file once, to fail at start rather than at the first
// event, but does not keep the password.
func NewSMTP(c SMTPConfig) (*SMTP, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.Security == "" {
		c.Security = SecurityStartTLS
	}
	if c.Port == 0 {
		c.Port = 587
		if c.Security == SecurityTLS {
			c.Port = 465
		}
	}
	if c.Timeout == 0 {
		c.Timeout = 30 * time.Second
	}
	if c.ServerName == "" {
		c.ServerName = c.Host
	}
	hello := c.HelloName
	if hello == "" {
		hello, _ = os.Hostname()
		if hello == "" || strings.ContainsAny(hello, " \r\n") {
			hello = "localhost"
		}
	}
	roots := c.RootCAs
	if roots == nil && c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, &ConfigError{Key: "notify.smtp.ca_file", Msg: "cannot read: " + err.Error(), Fix: "point it at a PEM file of CA certificates"}
		}
		roots = x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return nil, &ConfigError{Key: "notify.smtp.ca_file", Msg: "holds no PEM certificate", Fix: "point it at a PEM file of CA certificates"}
		}
	}
	if c.PasswordFile != "" {
		if _, err := readSecret("notify.smtp.password_file", c.PasswordFile); err != nil {
			return nil, err
		}
	}
	return &SMTP{
		cfg:   c,
		addr:  net.JoinHostPort(c.Host, strconv.Itoa(c.Port)),
		tls:   &tls.Config{ServerName: c.ServerName, RootCAs: roots, MinVersion: tls.VersionTLS12},
		hello: hello,
	}, nil
}

// Notify renders e and sends it to every recipient. A recipient the server
// refuses does not stop the others; each refusal is in the joined error.
func (s *SMTP) Notify(ctx context.Context, e Event) error {
	if err := e.Check(); err != nil {
		return s.wrap(err)
	}
	e = e.normalise(time.Now)
	data, err := s.compose(render(e), e)
	if err != nil {
		return s.wrap(err)
	}
	return s.wrap(s.send(ctx, data))
}

func (s *SMTP) wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("notify: smtp %s: %w", s.addr, err)
}

// compose builds the RFC 5322 message: CRLF line endings, a UTF-8 body in
// quoted-printable so that any relay passes it unchanged.
func (s *SMTP) compose(m Message, e Event) ([]byte, error) {
	from, _ := mail.ParseAddress(s.cfg.From) // checked by Validate
	to := make([]string, len(s.cfg.To))
	for i, a := range s.cfg.To {
		addr, _ := mail.ParseAddress(a)
		to[i] = addr.String()
	}
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	domain := from.Address[strings.LastIndexByte(from.Address, '@')+1:]

	var b bytes.Buffer
	hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	hdr("Date", e.Time.Format(time.RFC1123Z))
	hdr("From", from.String())
	hdr("To", strings.Join(to, ", "))
	b.WriteString(encodeHeader("Subject", m.Subject) + "\r\n")
	hdr("Message-ID", "<"+hex.EncodeToString(id[:])+".retentiond@"+domain+">")
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=UTF-8")
	hdr("Content-Transfer-Encoding", "quoted-printable")
	// RFC 3834: keeps out-of-office replies away from the sender.
	hdr("Auto-Submitted", "auto-generated")
	hdr("X-Retentiond-Event", e.Kind)
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b) // writes line breaks as CRLF
	if _, err := qp.Write([]byte(m.Body)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// encodeHeader writes "Name: value" with the non-ASCII runs of value as
// RFC 2047 encoded words, folded so that lines stay within 78 characters.
// A run of words needing encoding is encoded as one, because the space
// between two encoded words disappears when a mail client decodes them.
func encodeHeader(name, value string) string {
	plain := func(w string) bool { return mime.QEncoding.Encode("UTF-8", w) == w }
	words := strings.Fields(value)
	var parts []string
	for i := 0; i < len(words); {
		if plain(words[i]) {
			parts = append(parts, words[i])
			i++
			continue
		}
		j := i + 1
		for j < len(words) && !plain(words[j]) {
			j++
		}
		parts = append(parts, strings.Fields(mime.QEncoding.Encode("UTF-8", strings.Join(words[i:j], " ")))...)
		i = j
	}
	var b strings.Builder
	line := name + ":"
	for _, p := range parts {
		// Never fold to an empty line: that would end the header block.
		if line != "" && len(line)+1+len(p) > 78 {
			b.WriteString(line + "\r\n")
			line = ""
		}
		line += " " + p
	}
	b.WriteString(line)
	return b.String()
}

// send runs one SMTP session. The context's deadline (or the configured
// timeout) bounds the whole session, and cancelling it breaks the
// connection off.
func (s *SMTP) send(ctx context.Context, data []byte) (err error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	defer func() {
		// The connection's deadline can fire a moment before the
		// context's: both are the same timeout, and callers test for it
		// with errors.Is(err, context.DeadlineExceeded).
		var ne net.Error
		switch {
		case err == nil:
		case ctx.Err() != nil:
			err = fmt.Errorf("%w: %v", ctx.Err(), err)
		case errors.As(err, &ne) && ne.Timeout():
			err = fmt.Errorf("%w: %v", context.DeadlineExceeded, err)
		}
	}()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	// Breaking the connection off when ctx ends bounds every read and
	// write, including the TLS handshakes.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if s.cfg.Security == SecurityTLS {
		tc := tls.Client(conn, s.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fmt.Errorf("TLS: %w", err)
		}
		conn = tc
	}

	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		return serverErr("greeting", err)
	}
	defer c.Close()
	if err := c.Hello(s.hello); err != nil {
		return serverErr("EHLO", err)
	}
	if s.cfg.Security == SecurityStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return errors.New("the server does not offer STARTTLS, so nothing was sent; fix: enable STARTTLS on the server, " +
				"use notify.smtp.security: tls with port 465, or relay through localhost with security: insecure_plain")
		}
		if err := c.StartTLS(s.tls); err != nil {
			return serverErr("STARTTLS", err)
		}
	}
	if s.cfg.Username != "" {
		if err := s.auth(c); err != nil {
			return err
		}
	}
	from, _ := mail.ParseAddress(s.cfg.From)
	if err := c.Mail(from.Address); err != nil {
		return serverErr("MAIL FROM", err)
	}
	var refused []error
	for i, a := range s.cfg.To {
		to, _ := mail.ParseAddress(a)
		if err := c.Rcpt(to.Address); err != nil {
			refused = append(refused, serverErr(fmt.Sprintf("recipient notify.smtp.to[%d]", i), err))
		}
	}
	if len(refused) == len(s.cfg.To) {
		return errors.Join(refused...)
	}
	w, err := c.Data()
	if err != nil {
		return serverErr("DATA", err)
	}
	if _, err := w.Write(data); err != nil {
		return serverErr("DATA", err)
	}
	if err := w.Close(); err != nil {
		return serverErr("end of DATA", err)
	}
	if err := c.Quit(); err != nil {
		// The message is accepted; a failing QUIT does not unsend it.
		refused = append(refused, serverErr("QUIT", err))
	}
	return errors.Join(refused...)
}

// auth logs in with PLAIN, or LOGIN where the server offers only that
// (as Microsoft 365 does). It refuses unless the session is encrypted or
// the config explicitly allows plain text to localhost.
func (s *SMTP) auth(c *smtp.Client) error {
	_, encrypted := c.TLSConnectionState()
	if !encrypted && s.cfg.Security != SecurityInsecurePlain {
		return errors.New("refusing to send credentials over an unencrypted connection")
	}
	ok, mechs := c.Extension("AUTH")
	if !ok {
		return errors.New("the server does not offer AUTH; fix: remove notify.smtp.username and password_file to send without logging in")
	}
	pw, err := readSecret("notify.smtp.password_file", s.cfg.PasswordFile)
	if err != nil {
		return err
	}
	var a smtp.Auth
	switch m := strings.Fields(strings.ToUpper(mechs)); {
	case slices.Contains(m, "PLAIN"):
		a = smtp.PlainAuth("", s.cfg.Username, pw, s.cfg.Host)
	case slices.Contains(m, "LOGIN"):
		a = &loginAuth{user: s.cfg.Username, pass: pw, host: s.cfg.Host, plainOK: s.cfg.Security == SecurityInsecurePlain}
	default:
		return errors.New("the server offers neither AUTH PLAIN nor AUTH LOGIN")
	}
	if err := c.Auth(a); err != nil {
		return serverErr("AUTH", err)
	}
	return nil
}

// isLocalhost reports whether host names this machine's loopback.
func isLocalhost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// readSecret reads a secret from a file, without its trailing newline.
// Its errors name the key and the file, never the content.
func readSecret(key, path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", &ConfigError{Key: key, Msg: "cannot read the file: " + err.Error(), Fix: "check the path and that retentiond may read it"}
	}
	s := strings.TrimRight(string(b), "\r\n")
	if strings.TrimSpace(s) == "" {
		return "", &ConfigError{Key: key, Msg: "the file is empty", Fix: "write the secret into it, on one line"}
	}
	if strings.ContainsAny(s, "\r\n") {
		return "", &ConfigError{Key: key, Msg: "the file holds more than one line", Fix: "keep only the secret, on one line"}
	}
	return s, nil
}
