package notify

import (
	"errors"
	"fmt"
	"net/smtp"
	"net/textproto"
	"regexp"
	"strings"
)

// loginAuth is the AUTH LOGIN mechanism, which net/smtp lacks and which
// some large providers offer instead of PLAIN. Like smtp.PlainAuth it
// refuses to give the password away over an unencrypted connection.
type loginAuth struct {
	user, pass, host string
	plainOK          bool // insecure_plain to localhost was configured
	step             int
}

var _ smtp.Auth = (*loginAuth)(nil)

// Start checks the connection and begins the exchange.
func (a *loginAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS && !(a.plainOK && isLocalhost(server.Name)) {
		return "", nil, errors.New("refusing to send credentials over an unencrypted connection")
	}
	if server.Name != a.host {
		return "", nil, errors.New("wrong host name")
	}
	a.step = 0
	return "LOGIN", nil, nil
}

// Next answers the server's "Username:" and "Password:" prompts. Servers
// word the prompts differently, so the order decides when the words do not.
func (a *loginAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	prompt := strings.ToLower(string(fromServer))
	a.step++
	switch {
	case strings.HasPrefix(prompt, "user"):
		return []byte(a.user), nil
	case strings.HasPrefix(prompt, "pass"):
		return []byte(a.pass), nil
	case a.step == 1:
		return []byte(a.user), nil
	case a.step == 2:
		return []byte(a.pass), nil
	}
	return nil, errors.New("unexpected AUTH LOGIN prompt")
}

// addressLike matches what a server may echo back of an envelope: an
// e-mail address, with or without angle brackets.
var addressLike = regexp.MustCompile(`<[^>]*>|[^\s<>]+@[^\s<>]+`)

// serverErr describes a failed SMTP step. A server's reply often echoes
// the address it refused; that is cut out, so that an error names a
// recipient by its config key only.
func serverErr(step string, err error) error {
	var te *textproto.Error
	if errors.As(err, &te) {
		msg := cut(strings.Join(strings.Fields(addressLike.ReplaceAllString(te.Msg, "<…>")), " "), 160)
		return fmt.Errorf("%s: the server answered %d %s", step, te.Code, msg)
	}
	return fmt.Errorf("%s: %w", step, err)
}
