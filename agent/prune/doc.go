// Package prune applies the state dir's own retention terms (the config's
// state: section) to what in it holds personal data: plan folders
// (STATE_DIR/plans/*: plan.json, plan.csv, report.html, apply-*.csv,
// names and paths of every record listed) and access packages
// (STATE_DIR/packages/REQ-*: a person's whole file). The ledger,
// approvals, journals, requests and holds are never touched.
//
// When a plan folder's term has run out:
//
//   - a plan applied in full (the apply job's "applied" marker): the
//     applied term (default 90 days) after it was applied;
//   - any other plan (not approved, approved but never applied, stale):
//     the unapproved term (default 30 days) after it expired, expiry being
//     its created_at plus apply.plan_max_age (approval.Expiry); if an apply
//     ran on it in part (an apply-*.csv that is not a dry run), not before
//     the applied term after the last such apply either;
//   - a folder holding no plan.json (a run died before writing it): the
//     unapproved term after the expiry of a plan made at the time its name
//     says (report.NewDir names folders by time), else its modification
//     time.
//
// A folder with an auto/ plan goes only when both plans' terms have run
// out. Whatever the terms say, a folder is never removed when it holds a
// plan that is approved (an approval file exists for its digest), not
// applied in full and not expired; when it holds the latest plan; when a
// plan.json in it cannot be read (counted Unreadable: a person must look);
// when a live run holds its lock (report.LockFile, taken without waiting;
// counted Busy); or when an apply holds the state dir's apply lock
// (Options.ApplyLock). Symlinks are never followed: a plans or packages
// folder that is a symlink is refused, an entry that is one is left
// alone.
//
// An access package's term runs from when it was made: the time of its
// index.html, written last, or of the folder if there is none (a package
// that was never finished).
//
// Days are calendar days in the organisation's time zone, and the time is
// given (Options.Now): nothing in the decision reads a clock. Results and
// errors carry counts and error codes, never a folder's name or a path
// inside it.
package prune
