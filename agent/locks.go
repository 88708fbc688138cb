package agent

import (
	"context"
	"time"

	"github.com/retentiond/retentiond/agent/notify"
)

// lockNotifyTimeout bounds the sending of a lock failure notification,
// which runs beside the scheduler.
const lockNotifyTimeout = time.Minute

// LockFailed tells the administrator that the daemon's job could not
// take its lock (daemon.redis unreachable or refusing the login), so the
// job did not run on this replica and will not until Redis answers
// again; or, with ran, that the job ran but its lock was lost or could
// not be released. The daemon calls it once per outage; the message names
// the job and the kind of problem, never the Redis error (which the log
// has).
func (s *Service) LockFailed(job string, ran bool) {
	ctx, cancel := context.WithTimeout(context.Background(), lockNotifyTimeout)
	defer cancel()
	msg := "job " + job + ": its lock on daemon.redis could not be taken, so it did not run; check that Redis is reachable and accepts the login"
	if ran {
		msg = "job " + job + " ran, but its lock on daemon.redis was lost or not released; check that Redis is reachable, or the next firings will not run"
	}
	s.tell(ctx, notify.Event{Kind: notify.KindFailure, Error: msg})
}
