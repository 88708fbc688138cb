package daemon

import (
	"context"
	"io"
	"log/slog"
	"sync"
)

// NewJournalHandler returns a JSON handler for a stream connected to
// systemd's journal: each line starts with its record's syslog priority
// as sd-daemon(3) describes, "<3>" for errors (SD_ERR), "<4>" warnings
// (SD_WARNING), "<6>" info (SD_INFO), "<7>" debug (SD_DEBUG). journald
// strips the prefix and stores the priority, so that journalctl -p err
// shows the errors and a shipper such as Promtail reads the level from
// PRIORITY; the rest of the line is the same JSON record as elsewhere.
func NewJournalHandler(w io.Writer, opts *slog.HandlerOptions) slog.Handler {
	pw := &priorityWriter{w: w}
	return &journalHandler{h: slog.NewJSONHandler(pw, opts), pw: pw}
}

// journalHandler writes through a JSON handler whose writer puts the
// priority of the record in hand before the line. Handle holds the
// writer's lock across the JSON handler's single Write, so that the
// prefix belongs to that record (derived handlers share the writer).
type journalHandler struct {
	h  slog.Handler
	pw *priorityWriter
}

type priorityWriter struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
	buf    []byte
}

// Write is called by the JSON handler with one whole line, under mu.
func (p *priorityWriter) Write(b []byte) (int, error) {
	p.buf = append(append(p.buf[:0], p.prefix...), b...)
	if _, err := p.w.Write(p.buf); err != nil {
		return 0, err
	}
	return len(b), nil
}

// priority is the sd-daemon(3) prefix of a level.
func priority(l slog.Level) string {
	switch {
	case l >= slog.LevelError:
		return "<3>"
	case l >= slog.LevelWarn:
		return "<4>"
	case l >= slog.LevelInfo:
		return "<6>"
	}
	return "<7>"
}

func (j *journalHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return j.h.Enabled(ctx, l)
}

func (j *journalHandler) Handle(ctx context.Context, r slog.Record) error {
	j.pw.mu.Lock()
	defer j.pw.mu.Unlock()
	j.pw.prefix = priority(r.Level)
	return j.h.Handle(ctx, r)
}

func (j *journalHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &journalHandler{h: j.h.WithAttrs(as), pw: j.pw}
}

func (j *journalHandler) WithGroup(name string) slog.Handler {
	return &journalHandler{h: j.h.WithGroup(name), pw: j.pw}
}
