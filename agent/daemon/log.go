package daemon

import (
	"io"
	"log/slog"
	"os"
)

// NewLogger returns the daemon's logger: JSON lines when running under
// systemd (JOURNAL_STREAM or INVOCATION_ID is set) or when w is not a
// terminal (a file, a pipe, a container's log collector), and slog's text
// format on a terminal, where a person reads it. When w is the stream
// systemd connected to the journal (JOURNAL_STREAM names it), each line
// starts with its syslog priority (NewJournalHandler), so journalctl -p
// err works. level may be a *slog.LevelVar so that a reload can change
// it.
//
// Callers must never log personal data: no names, birth dates, BSNs,
// addresses, file names of a person's documents or registry cell values.
// Log store names, record counts, rule ids, job names and errors that
// follow the project's error rules (which hold no personal data) instead.
func NewLogger(w io.Writer, level slog.Leveler) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if toJournal(w) {
		return slog.New(NewJournalHandler(w, opts))
	}
	if underSystemd() || !isTerminal(w) {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func underSystemd() bool {
	return os.Getenv("JOURNAL_STREAM") != "" || os.Getenv("INVOCATION_ID") != ""
}

// isTerminal treats a character device as a terminal: portable and good
// enough to pick a log format.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
