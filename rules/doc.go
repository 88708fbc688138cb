// Package rules holds the retention policy model, the built-in Dutch
// childcare policy (embedded from policies/kinderopvang-nl.yaml) and the
// pure evaluation function Evaluate, which turns the facts known about one
// record into a Decision with its reasons in English and Dutch.
//
// Field rules (a rule with fields) give fields of rows in vendor exports
// their own terms; EvaluateRow decides such a row as a whole and per field
// (keep or pseudonymise), so that a statutory minimum on a parent's name
// and BSN and a privacy maximum on the address hold in the same row.
//
// Rotation rules (a rule with rotation: instead of term:, such as V2 and
// V4) are about backups, which belong to no subject: they decide a store's
// backups as a set, counted from each backup's date (BackupDate), keeping
// every backup for a while and the newest of each week, month or year
// longer. Evaluate and EvaluateRow ignore them; the planner decides the
// sets with rules/rotation, which also validates their terms (this package
// cannot import it, as it imports this one).
//
// Nothing in this package reads a clock, a file outside Load, or the
// network: the evaluation date is always an argument, so that a plan made
// today can be re-checked tomorrow with the same result for the same date.
package rules
