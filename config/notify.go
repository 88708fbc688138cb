package config

import (
	"errors"
	"strings"

	"github.com/retentiond/retentiond/agent/notify"
)

// NotifyConfig returns the notify section as package notify takes it, and
// whether anything (e-mail or a webhook) is configured. Load checks it with
// notify's own Validate, so that `validate`, `plan` and `run` refuse the
// same notify settings.
func (n Notify) NotifyConfig() (notify.Config, bool) {
	c := notify.Config{Lang: n.Lang, On: n.On}
	if s := n.SMTP; s != nil {
		c.SMTP = &notify.SMTPConfig{Host: s.Host, Port: s.Port, Security: s.Security, From: s.From, To: s.To,
			Username: s.Username, PasswordFile: s.PasswordFile, ServerName: s.ServerName, CAFile: s.CAFile}
	}
	if w := n.Webhook; w != nil {
		c.Webhook = &notify.WebhookConfig{URL: w.URL, Format: w.Format, Headers: w.Headers, HeaderFiles: w.HeaderFiles,
			CAFile: w.CAFile, InsecureHTTP: w.InsecureHTTP}
	}
	return c, c.SMTP != nil || c.Webhook != nil
}

// notify checks the notify section with package notify's checks, placing
// each problem at its key.
func (k checker) notify() {
	nc, _ := k.c.Notify.NotifyConfig()
	err := nc.Validate()
	if err == nil {
		return
	}
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	for n := 0; n < len(list); n++ {
		e := list[n]
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			list = append(list, j.Unwrap()...)
			continue
		}
		var ce *notify.ConfigError
		if !errors.As(e, &ce) {
			k.add("notify", e.Error(), "correct the notify section")
			continue
		}
		key := ce.Key
		// A key the file does not hold (a missing url:, say) is placed at
		// the nearest section that it does.
		for !k.has(key) && strings.Contains(key, ".") {
			key = key[:strings.LastIndex(key, ".")]
		}
		p := k.d.pos[key]
		k.d.errs.Errs = append(k.d.errs.Errs, &Error{File: k.d.file, Line: p.line, Column: p.col, Key: ce.Key, Msg: ce.Msg, Fix: ce.Fix})
	}
}
