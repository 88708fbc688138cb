// Package daemon is the core of `retentiond run`: a cron scheduler for the
// plan and apply jobs (gocron v2), an HTTP endpoint for /metrics, /healthz
// and /readyz, systemd notifications, the logger, and the Run loop that ties
// them to signals.
//
// # Schedules
//
// Job.Schedule is a 5-field cron expression read in the config's time zone.
// A job never overlaps itself: a firing that comes while the previous run
// is in progress is skipped, and gocron's Monitor counts it as "skip".
//
// # Catch-up rule
//
// The scheduler keeps the start time of each job's last successful run in
// state_dir/scheduler.json (written with fsync and rename, mode 0600). When
// the scheduler starts, and after each Update, a job runs once at once if
// its schedule fired after that time, i.e. if the latest firing at or before
// now is later than the last successful start. A job that never succeeded
// runs at once too (so a fresh install produces a plan), as does a job whose
// last run failed and whose firing has passed. However many firings were
// missed, one run makes up for them. A run stands for a firing (see
// Firing): the latest firing at or before its start (plus 200ms, so that a
// timer firing a hair early still counts for its own firing); for a
// catch-up run that is the latest missed firing. An instance never runs a
// firing again once a run for it succeeded, so a catch-up run that starts
// just before a firing makes the timer's run for that firing a skip.
//
// # Several replicas
//
// With Options.Locker each run, scheduled or catch-up, first takes the lock
// LockKey(name, firing), "job:NAME@FIRING". Because the key names the
// firing, replicas whose timers fire a little apart, or that start together
// and all want the same catch-up run, run it once, and the next firing is
// never blocked by the previous one's key. The locker must keep a key for a
// while after Unlock (redislock does) so that a replica whose timer fires
// late sees the firing as taken. Two limits: replicas keep separate state
// files, so a replica that restarts after another ran a firing, once the
// locker has forgotten the key, runs that firing again; and a run that
// outlasts the interval to the next firing can overlap that firing's run on
// another replica. Neither matters for daily plan and apply jobs; plan
// changes nothing and apply re-checks every item.
//
// A lock another replica holds (IsLockHeld) is contention, logged at INFO.
// Any other lock error (the backend unreachable, refusing the login, too
// slow) means the run does not happen on this replica, no run rather than
// a double one: it is logged at ERROR, told to Options.OnLockError (the
// daemon counts it and notifies once per outage) and fails CheckLocks, the
// "locks" readiness check, which asks a Pinger locker afresh so that
// readiness returns as soon as the backend answers. The missed firing is
// not retried; the next firing, or a restart's catch-up, runs the job.
//
// # Shutdown and reload
//
// See Run. On SIGTERM the context passed to Job.Run is cancelled: a job
// should finish or journal the item in hand and return. A failed reload
// keeps the running jobs, so a job must carry what it needs from the load
// that made it (the config as loaded, not its path). RunOptions.Loaded is
// told of every load, for the config-reload metrics.
//
// # Personal data
//
// Nothing in this package logs record names or contents, and callers must
// not either: see NewLogger. Under systemd the log lines carry their
// journald priority (NewJournalHandler).
package daemon
