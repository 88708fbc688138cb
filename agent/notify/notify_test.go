package notify

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
)

// recordingNotifier keeps the events it gets and answers with err.
type recordingNotifier struct {
	mu     sync.Mutex
	events []Event
	err    error
}

func (r *recordingNotifier) Notify(_ context.Context, e Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	return r.err
}

// TestMulti: every notifier gets the event even when one fails, and
// every failure is in the joined error.
func TestMulti(t *testing.T) {
	errA, errC := errors.New("a failed"), errors.New("c failed")
	a, b, c := &recordingNotifier{err: errA}, &recordingNotifier{}, &recordingNotifier{err: errC}
	err := Multi{a, b, c}.Notify(context.Background(), sampleEvents()[KindFailure])
	if !errors.Is(err, errA) || !errors.Is(err, errC) {
		t.Errorf("error = %v, want both failures joined", err)
	}
	for i, n := range []*recordingNotifier{a, b, c} {
		if len(n.events) != 1 {
			t.Errorf("notifier %d got %d events, want 1", i, len(n.events))
		}
	}
	if err := (Multi{}).Notify(context.Background(), Event{}); err != nil {
		t.Errorf("empty Multi: %v", err)
	}
}

// TestFilter: New sends only the configured kinds, in the configured
// language unless the event has its own.
func TestFilter(t *testing.T) {
	rec := &recordingNotifier{}
	f := &filter{next: rec, on: []string{KindFailure, KindPlanReady}, lang: "en"}
	ctx := context.Background()
	for _, e := range []Event{{Kind: KindApplyDone}, {Kind: KindFailure}, {Kind: KindPlanReady, Lang: "nl"}} {
		if err := f.Notify(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, e := range rec.events {
		got = append(got, e.Kind+":"+e.Lang)
	}
	if want := []string{"failure:en", "plan-ready:nl"}; !slices.Equal(got, want) {
		t.Errorf("sent %v, want %v", got, want)
	}

	n, err := New(Config{})
	if err != nil {
		t.Fatalf("New with nothing configured: %v", err)
	}
	if err := n.Notify(ctx, sampleEvents()[KindFailure]); err != nil {
		t.Errorf("nothing configured, yet: %v", err)
	}
}

// TestValidate: each mistake is reported under its YAML key, with a fix,
// and without quoting a URL or a secret.
func TestValidate(t *testing.T) {
	okSMTP := SMTPConfig{Host: "smtp.example.nl", From: "retentiond@example.nl", To: []string{"beheer@example.nl"}}
	okHook := WebhookConfig{URL: "https://hooks.example.nl/x"}
	tests := []struct {
		name     string
		c        Config
		wantKeys []string
	}{
		{"fine", Config{SMTP: &okSMTP, Webhook: &okHook, On: Kinds, Lang: "en"}, nil},
		{"plain relay on localhost", Config{SMTP: with(okSMTP, func(c *SMTPConfig) { c.Host, c.Security = "localhost", SecurityInsecurePlain })}, nil},
		{"http to localhost", Config{Webhook: &WebhookConfig{URL: "http://127.0.0.1:5678/hook"}}, nil},
		{"top level", Config{Lang: "de", On: []string{"plan-ready", "plan-done"}}, []string{"notify.lang", "notify.on[1]"}},
		{"empty smtp", Config{SMTP: &SMTPConfig{}}, []string{"notify.smtp.host", "notify.smtp.from", "notify.smtp.to"}},
		{"host with port", Config{SMTP: with(okSMTP, func(c *SMTPConfig) { c.Host = "smtp.example.nl:587" })}, []string{"notify.smtp.host"}},
		{"host as URL", Config{SMTP: with(okSMTP, func(c *SMTPConfig) { c.Host = "smtp://smtp.example.nl" })}, []string{"notify.smtp.host"}},
		{"insecure_plain to a remote host", Config{SMTP: with(okSMTP, func(c *SMTPConfig) { c.Security = SecurityInsecurePlain })}, []string{"notify.smtp.security"}},
		{"unknown security", Config{SMTP: with(okSMTP, func(c *SMTPConfig) { c.Security = "ssl" })}, []string{"notify.smtp.security"}},
		{"bad addresses", Config{SMTP: with(okSMTP, func(c *SMTPConfig) { c.From, c.To = "retentiond", []string{"a@example.nl", "b at example"} })},
			[]string{"notify.smtp.from", "notify.smtp.to[1]"}},
		{"username without password", Config{SMTP: with(okSMTP, func(c *SMTPConfig) { c.Username = "u" })}, []string{"notify.smtp.password_file"}},
		{"password without username", Config{SMTP: with(okSMTP, func(c *SMTPConfig) { c.PasswordFile = "/x" })}, []string{"notify.smtp.username"}},
		{"bad port and timeout", Config{SMTP: with(okSMTP, func(c *SMTPConfig) { c.Port, c.Timeout = 70000, -1 })},
			[]string{"notify.smtp.port", "notify.smtp.timeout"}},
		{"webhook without URL", Config{Webhook: &WebhookConfig{}}, []string{"notify.webhook.url"}},
		{"webhook ftp", Config{Webhook: &WebhookConfig{URL: "ftp://files.example.nl/x?token=abcd1234"}}, []string{"notify.webhook.url"}},
		{"webhook http to a remote host", Config{Webhook: &WebhookConfig{URL: "http://hooks.example.nl/abcd1234"}}, []string{"notify.webhook.url"}},
		{"webhook secret in headers", Config{Webhook: &WebhookConfig{URL: okHook.URL, Headers: map[string]string{"authorization": "Bearer abcd1234"}}},
			[]string{"notify.webhook.headers.authorization"}},
		{"webhook odd values", Config{Webhook: &WebhookConfig{URL: okHook.URL, Format: "xml", Attempts: 99, Timeout: -1,
			HeaderFiles: map[string]string{"X Bad": "/x", "Authorization": ""}}},
			[]string{"notify.webhook.format", "notify.webhook.attempts", "notify.webhook.timeout", "notify.webhook.header_files", "notify.webhook.header_files.Authorization"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.Validate()
			var got []string
			for _, e := range flatten(err) {
				var ce *ConfigError
				if !errors.As(e, &ce) {
					t.Fatalf("not a *ConfigError: %v", e)
				}
				if ce.Fix == "" {
					t.Errorf("%s: no fix", ce.Key)
				}
				got = append(got, ce.Key)
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tt.wantKeys))
			if !slices.Equal(got, want) {
				t.Errorf("keys = %v, want %v (%v)", got, want, err)
			}
			if err != nil && (strings.Contains(err.Error(), "abcd1234") || strings.Contains(err.Error(), "hooks.example.nl")) {
				t.Errorf("error quotes the URL or a secret: %v", err)
			}
			if _, nerr := New(tt.c); (nerr == nil) != (err == nil) {
				t.Errorf("New = %v, but Validate = %v", nerr, err)
			}
		})
	}
}

func with(c SMTPConfig, f func(*SMTPConfig)) *SMTPConfig {
	f(&c)
	return &c
}

// flatten lists the single errors inside joined errors.
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}
