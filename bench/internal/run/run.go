// Package run runs a command for the benchmarks and measures its wall time
// and peak resident memory.
package run

import (
	"fmt"
	"log"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Measure runs argv, its output to the file out (or discarded), and
// returns its wall time and peak RSS.
//
// The peak is the VmHWM /proc reports for the process, polled while it
// runs: the rusage of a child that os/exec started counts the memory of
// this process too, since Linux carries the high-water mark of the
// address space the child shared until exec (vfork) into its own. Where
// /proc is missing, the rusage figure is used.
func Measure(out string, argv ...string) (time.Duration, int64) {
	r := measure(out, os.Stderr, "", argv...)
	return r.Wall, r.RSS
}

// Result is what a run measured.
type Result struct {
	Wall time.Duration
	RSS  int64 // peak resident memory, bytes
	// CPU is the user and system time the command took: on a machine
	// others use too, it varies less than the wall time.
	CPU time.Duration
}

// measure runs argv with its standard error to stderr; a failure's
// message ends with hint, if any.
func measure(out string, stderr *os.File, hint string, argv ...string) Result {
	cmd := exec.Command(argv[0], argv[1:]...)
	dst := os.DevNull
	if out != "" {
		dst = out
	}
	f, err := os.Create(dst)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	cmd.Stdout, cmd.Stderr = f, stderr
	start := time.Now()
	if err := cmd.Start(); err != nil { // returns once the child has exec'd
		log.Fatalf("%s: %v", argv[0], err)
	}
	done, peak := make(chan struct{}), make(chan int64)
	go func() { peak <- pollHWM(cmd.Process.Pid, done) }()
	err = cmd.Wait()
	wall := time.Since(start)
	close(done)
	hwm := <-peak
	if err != nil {
		if hint != "" {
			log.Fatalf("%s: %v (%s)", argv[0], err, hint)
		}
		log.Fatalf("%s: %v", argv[0], err)
	}
	if hwm == 0 {
		hwm = cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss * 1024 // Linux reports kilobytes
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return Result{Wall: wall, RSS: hwm, CPU: cpu}
}

// pollHWM returns the highest VmHWM of process pid seen until done.
func pollHWM(pid int, done <-chan struct{}) int64 {
	path := fmt.Sprintf("/proc/%d/status", pid)
	var peak int64
	for {
		if b, err := os.ReadFile(path); err == nil {
			if _, rest, ok := strings.Cut(string(b), "VmHWM:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.SplitN(rest, "\n", 2)[0], "kB")), 10, 64)
				peak = max(peak, kb*1024)
			}
		}
		select {
		case <-done:
			return peak
		case <-time.After(2 * time.Millisecond):
		}
	}
}
