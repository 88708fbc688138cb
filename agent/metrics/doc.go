// Package metrics holds retentiond's Prometheus metrics in a registry of
// its own (never the global one), with the Go runtime and process
// collectors, and serves them with Handler.
//
// Callers feed plain values — ObserveScan with a ScanStats per store,
// RestoreScan, ObserveApply, SetPendingPlans, SetLedger, AddRequests,
// AddThrottled, SetSubjectRequests, SetConfigReload, AddStateReadError,
// SetInfo, AddNotificationFailed — so the package depends on no other retentiond
// package. JobMonitor feeds the job metrics from a gocron/v2 scheduler.
//
// Labels carry no personal data and no file names: they are only store
// (the config's store name), action, outcome, scope, service, operation,
// kind, result, task (a scheduler job's name: plan, apply, …; not job,
// which Prometheus keeps for the scrape job and would store as
// exported_job) and file (a kind of state file, never its path);
// retentiond_info has the organisation, retentiond_build_info version,
// revision and goversion. A label value that is not a short token of
// letters, digits and _.:- is replaced by OtherLabel, so that a path or a
// name passed by mistake cannot become a label. RemoveStore and
// RetainStores drop the series of a store that left the config.
//
// Times are Unix timestamps in seconds ("when"), not ages ("how long
// ago"): PromQL's time() - x is then current at every scrape. Durations
// are in seconds.
//
// The metrics (README.md has the same table with label values):
//
//	retentiond_scan_records{store}                          gauge      records the last successful scan found
//	retentiond_scan_success{store}                          gauge      1 if the last scan succeeded, 0 if it failed
//	retentiond_scan_last_success_timestamp_seconds{store}   gauge      when the last successful scan ended
//	retentiond_scan_duration_seconds{store}                 histogram  scan durations, failed scans included
//	retentiond_items_due{store,action}                      gauge      items due, by action (delete, pseudonymise)
//	retentiond_items_overdue{store}                         gauge      items past due and still present: must be 0
//	retentiond_items_held{store}                            gauge      items due but held
//	retentiond_items_locked{store}                          gauge      items due but locked by the store (S3 Object Lock)
//	retentiond_items_review{store}                          gauge      items a person must review
//	retentiond_sharing_links{store,scope}                   gauge      sharing links (anonymous, organization)
//	retentiond_actions_total{store,action,outcome}          counter    apply actions (done, skipped, gone, failed)
//	retentiond_apply_duration_seconds                       histogram  apply run durations
//	retentiond_apply_success                                gauge      1 if the last apply run succeeded, 0 if not
//	retentiond_apply_last_success_timestamp_seconds         gauge      when the last successful apply run ended
//	retentiond_plans_pending_approval                       gauge      plans awaiting approval
//	retentiond_plans_pending_oldest_timestamp_seconds       gauge      when the oldest of them was made
//	retentiond_ledger_entries                               gauge      entries in the ledger
//	retentiond_ledger_verify_success                        gauge      1 if the last verification succeeded, 0 if not
//	retentiond_ledger_last_verify_timestamp_seconds         gauge      when the ledger was last verified
//	retentiond_remote_requests_total{store,service,operation}   counter  requests to Graph or S3
//	retentiond_remote_throttled_total{store,service,operation}  counter  throttling responses among them
//	retentiond_subject_requests_open{kind}                  gauge      data-subject requests not yet answered (erase, access, export)
//	retentiond_subject_requests_answered{kind}              gauge      requests answered, not yet completed (no deadline)
//	retentiond_subject_requests_oldest_open_timestamp_seconds   gauge  when the oldest one not yet answered was received
//	retentiond_subject_requests_next_deadline_timestamp_seconds gauge  the nearest deadline of one not yet answered
//	retentiond_job_runs_total{task,result}                  counter    scheduler job runs (success, fail, skip, singleton_rescheduled)
//	retentiond_job_duration_seconds{task}                   histogram  scheduler job run durations
//	retentiond_job_last_success_timestamp_seconds{task}     gauge      when the job last ended successfully
//	retentiond_config_last_reload_successful                gauge      1 if the last load of the config succeeded, 0 if the running one was kept
//	retentiond_config_last_reload_success_timestamp_seconds gauge      when the config was last loaded successfully
//	retentiond_state_read_errors_total{file}                counter    state files that could not be read or parsed, by kind
//	retentiond_notifications_failed_total                   counter    notifications (mail, webhook) that could not be sent
//	retentiond_lock_errors_total{task}                      counter    job lock errors (Redis unreachable or refusing), not contention
//	retentiond_lock_backend_up                              gauge      1 if Redis took a probe write at this scrape, 0 if not; absent without Redis
//	retentiond_build_info{version,revision,goversion}       gauge      the build, always 1
//	retentiond_info{organisation}                           gauge      the config's organisation, always 1
package metrics
