package agent

import (
	"bytes"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/retentiond/retentiond/agent/demo"
	"github.com/retentiond/retentiond/agent/holds"
	"github.com/retentiond/retentiond/agent/keys"
	"github.com/retentiond/retentiond/agent/metrics"
	"github.com/retentiond/retentiond/config"
)

// verifyKeyOrg is the demo organisation with its keys and a ledger (a
// hold added and released), and the service on its config after edit.
type verifyKeyOrg struct {
	s    *Service
	m    *metrics.Metrics
	logs *bytes.Buffer
}

func newVerifyKeyOrg(t *testing.T, edit func(cfg *config.Config)) *verifyKeyOrg {
	t.Helper()
	dir := t.TempDir()
	cfgPath, err := demo.Generate(dir, demoDay, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Generate(filepath.Join(dir, "keys"), keys.NameFor("demo")); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	o := &verifyKeyOrg{m: metrics.New(), logs: &bytes.Buffer{}}
	s, err := New(cfg, Options{Out: &bytes.Buffer{}, Warn: &bytes.Buffer{}, Metrics: o.m, Log: slog.New(slog.NewTextHandler(o.logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	sub := demoSubject(t, mustPlan(t, s))
	ref := holds.SubjectRef{Type: sub.Type, ID: sub.ID}
	if _, err := s.AddHold(t.Context(), HoldInput{Subject: &ref, Reason: "geschil"}, CLI("Test")); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(cfg)
	}
	o.s = s
	return o
}

// verifySuccess is the value of retentiond_ledger_verify_success, or -1
// when the gauge has no value.
func (o *verifyKeyOrg) verifySuccess(t *testing.T) float64 {
	t.Helper()
	mfs, err := o.m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "retentiond_ledger_verify_success" {
			for _, m := range mf.GetMetric() {
				return gaugeValue(m)
			}
		}
	}
	return -1
}

func gaugeValue(m *dto.Metric) float64 { return m.GetGauge().GetValue() }

// otherVerifier is the ledger.pub of keys made for another organisation.
func otherVerifier(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "keys")
	if _, err := keys.Generate(dir, keys.NameFor("demo")); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, keys.LedgerPubFile)
}

// TestReadyNeedsLedgerVerifyKey: the daemon is not ready unless the
// config names, in ledger_verify_key_file, the verifier of its
// ledger_key_file; a ledger.pub beside ledger.key is not looked for.
func TestReadyNeedsLedgerVerifyKey(t *testing.T) {
	tests := []struct {
		name string
		edit func(t *testing.T, cfg *config.Config)
		want string // "" ready; else in the error
	}{
		{"the keygen's pair", nil, ""},
		{"not set, a ledger.pub beside ledger.key", func(_ *testing.T, cfg *config.Config) { cfg.LedgerVerifyKeyFile = "" },
			"ledger_verify_key_file is not set"},
		{"missing", func(_ *testing.T, cfg *config.Config) {
			cfg.LedgerVerifyKeyFile = filepath.Join(cfg.Dir, "keys", "nope.pub")
		},
			"ledger_verify_key_file"},
		{"another key's verifier", func(t *testing.T, cfg *config.Config) { cfg.LedgerVerifyKeyFile = otherVerifier(t) },
			"is not the verifier of ledger_key_file"},
		{"the private key", func(_ *testing.T, cfg *config.Config) { cfg.LedgerVerifyKeyFile = cfg.LedgerKeyFile },
			"private ledger signing key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newVerifyKeyOrg(t, func(cfg *config.Config) {
				if tt.edit != nil {
					tt.edit(t, cfg)
				}
			})
			err := o.s.Ready()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Ready: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Ready: %v, want an error with %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "PRIVATE+KEY") {
				t.Fatalf("the error shows the private key: %v", err)
			}
		})
	}
}

// TestNightlyVerificationUsesVerifyKey: the nightly verification checks
// the ledger with ledger_verify_key_file; when it cannot run (no such
// setting, another key's verifier) it logs an error and sets
// retentiond_ledger_verify_success to 0, so that its alert fires.
func TestNightlyVerificationUsesVerifyKey(t *testing.T) {
	tests := []struct {
		name string
		edit func(t *testing.T, cfg *config.Config)
		ok   bool
	}{
		{"the keygen's pair", nil, true},
		{"not set", func(_ *testing.T, cfg *config.Config) { cfg.LedgerVerifyKeyFile = "" }, false},
		{"another key's verifier", func(t *testing.T, cfg *config.Config) { cfg.LedgerVerifyKeyFile = otherVerifier(t) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newVerifyKeyOrg(t, func(cfg *config.Config) {
				if tt.edit != nil {
					tt.edit(t, cfg)
				}
			})
			o.m.SetLedger(0, true, time.Now()) // a success before
			o.s.verifyLedgerJob()
			got := o.verifySuccess(t)
			if tt.ok {
				if got != 1 {
					t.Fatalf("verify_success %v, want 1; log:\n%s", got, o.logs)
				}
				return
			}
			if got != 0 {
				t.Fatalf("verify_success %v after a verification that could not run, want 0; log:\n%s", got, o.logs)
			}
			if !strings.Contains(o.logs.String(), "level=ERROR") || !strings.Contains(o.logs.String(), "ledger_verify_key_file") {
				t.Fatalf("no error naming ledger_verify_key_file in the log:\n%s", o.logs)
			}
		})
	}
}
