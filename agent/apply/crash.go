package apply

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// CrashEnv names the environment variable that makes apply kill itself at
// a chosen point, for the crash tests: "PHASE:N" kills the process with
// SIGKILL the N-th time it passes PHASE (intent, delete, ledger, outcome).
// SIGKILL, not an exit: nothing is flushed or cleaned up, as in a real
// power cut or OOM kill.
const CrashEnv = "RETENTIOND_CRASH_AT"

type crasher struct {
	phase string
	n     int
	seen  int
}

func crashFromEnv() *crasher {
	v := os.Getenv(CrashEnv)
	phase, n, ok := strings.Cut(v, ":")
	if !ok {
		return nil
	}
	k, err := strconv.Atoi(n)
	if err != nil || k <= 0 {
		return nil
	}
	return &crasher{phase: phase, n: k}
}

func (c *crasher) at(phase string) {
	if c == nil || phase != c.phase {
		return
	}
	c.seen++
	if c.seen == c.n {
		kill()
	}
}

// kill stops the process at once. Tests of this package replace it to stop
// a run in-process (with a panic) at the same point.
var kill = func() {
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // the signal is on its way
}
