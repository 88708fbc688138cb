package daemon_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent/daemon"
)

func TestNewLoggerFormat(t *testing.T) {
	tests := []struct {
		name     string
		terminal bool
		env      map[string]string
		wantJSON bool
	}{
		{"pipe or file", false, nil, true},
		{"terminal", true, nil, false},
		{"terminal under systemd (journal)", true, map[string]string{"JOURNAL_STREAM": "8:1234"}, true},
		{"terminal under systemd (invocation)", true, map[string]string{"INVOCATION_ID": "abc"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("JOURNAL_STREAM", "")
			t.Setenv("INVOCATION_ID", "")
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var h slog.Handler
			if tt.terminal {
				// A character device stands in for the terminal.
				f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				h = daemon.NewLogger(f, slog.LevelInfo).Handler()
			} else {
				h = daemon.NewLogger(&bytes.Buffer{}, slog.LevelInfo).Handler()
			}
			_, isJSON := h.(*slog.JSONHandler)
			if isJSON != tt.wantJSON {
				t.Errorf("handler %T, want JSON=%v", h, tt.wantJSON)
			}
		})
	}
}

func TestNewLoggerLevelAndOutput(t *testing.T) {
	var buf bytes.Buffer
	var level slog.LevelVar
	level.Set(slog.LevelWarn)
	log := daemon.NewLogger(&buf, &level)
	log.Info("hidden")
	log.Warn("shown", "job", "plan")
	level.Set(slog.LevelDebug) // a reload may change the level
	log.Debug("now shown")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2:\n%s", len(lines), buf.String())
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if rec["msg"] != "shown" || rec["job"] != "plan" {
		t.Errorf("record %v", rec)
	}
}
