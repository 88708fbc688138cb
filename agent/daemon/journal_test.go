//go:build unix

package daemon_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/retentiond/retentiond/agent/daemon"
)

// TestJournalHandlerPriorities: each line starts with its record's syslog
// priority as sd-daemon(3) writes it, then the JSON record, so that
// journald stores the priority and journalctl -p err shows errors.
func TestJournalHandlerPriorities(t *testing.T) {
	tests := []struct {
		level slog.Level
		want  string
	}{
		{slog.LevelDebug, "<7>"},
		{slog.LevelDebug + 2, "<7>"},
		{slog.LevelInfo, "<6>"},
		{slog.LevelInfo + 2, "<6>"},
		{slog.LevelWarn, "<4>"},
		{slog.LevelError, "<3>"},
		{slog.LevelError + 4, "<3>"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		log := slog.New(daemon.NewJournalHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		log.With("job", "plan").WithGroup("g").Log(context.Background(), tt.level, "m", "k", "v")
		line := strings.TrimSuffix(buf.String(), "\n")
		if !strings.HasPrefix(line, tt.want+"{") || strings.Count(buf.String(), "\n") != 1 {
			t.Errorf("level %v: line %q, want %s and one JSON record", tt.level, buf.String(), tt.want)
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(strings.TrimPrefix(line, tt.want)), &rec); err != nil {
			t.Errorf("level %v: after the prefix: %v", tt.level, err)
		}
		if rec["job"] != "plan" || rec["g"].(map[string]any)["k"] != "v" {
			t.Errorf("level %v: attributes lost: %v", tt.level, rec)
		}
	}
}

// TestJournalHandlerConcurrent: lines from many goroutines and derived
// loggers each keep their own prefix.
func TestJournalHandlerConcurrent(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(daemon.NewJournalHandler(&buf, nil))
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			l := log.With("i", i)
			if i%2 == 0 {
				l.Error("e")
			} else {
				l.Info("i")
			}
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 50 {
		t.Fatalf("%d lines, want 50", len(lines))
	}
	for _, line := range lines {
		want := map[bool]string{true: `<3>{`, false: `<6>{`}[strings.Contains(line, `"msg":"e"`)]
		if !strings.HasPrefix(line, want) {
			t.Errorf("line %q, want prefix %s", line, want)
		}
	}
}

// TestNewLoggerUnderJournal: NewLogger prefixes priorities only when
// JOURNAL_STREAM names the very file it writes to (systemd.exec(5)), not
// merely because it is set (a shell started from a unit inherits it).
func TestNewLoggerUnderJournal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	tests := []struct {
		name, env  string
		wantPrefix bool
	}{
		{"the journal's stream", fmt.Sprintf("%d:%d", st.Dev, st.Ino), true},
		{"another stream", fmt.Sprintf("%d:%d", st.Dev, st.Ino+1), false},
		{"garbage", "journal", false},
		{"not under systemd", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("JOURNAL_STREAM", tt.env)
			if err := f.Truncate(0); err != nil {
				t.Fatal(err)
			}
			if _, err := f.Seek(0, 0); err != nil {
				t.Fatal(err)
			}
			log := daemon.NewLogger(f, slog.LevelInfo)
			log.Error("lock failed", "job", "plan")
			b, err := os.ReadFile(f.Name())
			if err != nil {
				t.Fatal(err)
			}
			line := string(b)
			if got := strings.HasPrefix(line, "<3>{"); got != tt.wantPrefix {
				t.Errorf("line %q: priority prefix %v, want %v", line, got, tt.wantPrefix)
			}
			if !json.Valid([]byte(strings.TrimPrefix(strings.TrimSpace(line), "<3>"))) {
				t.Errorf("line %q is not a JSON record", line)
			}
		})
	}
	// A writer that is no file is never the journal's stream.
	t.Setenv("JOURNAL_STREAM", fmt.Sprintf("%d:%d", st.Dev, st.Ino))
	var buf bytes.Buffer
	daemon.NewLogger(&buf, slog.LevelInfo).Error("x")
	if strings.HasPrefix(buf.String(), "<") {
		t.Errorf("buffer got a priority prefix: %q", buf.String())
	}
}
