// Package statefs keeps the files of the state dir usable by the service
// that owns it.
//
// The shipped systemd unit runs the daemon as a dynamic user that owns
// the state dir; an administrator runs commands (approve, hold, request,
// review, apply) as root. A file root writes there is root's, mode 0600,
// and the service cannot read it: an approval it cannot read used to be
// skipped without a word. So:
//
//   - KeepOwner, after a command run as root, gives every file and folder
//     under the state dir that root owns to the state dir's owner and
//     group, keeping its mode (0600 files, 0700 folders: the service is
//     their owner, nobody else needs to read them). Symbolic links are
//     neither followed nor changed.
//   - CheckWriter refuses a user who is neither root nor the state dir's
//     owner, whose files the service could not read either.
//   - Check lists the state files the calling process cannot read, by
//     Kind, so that the daemon can log, count and tell of each one.
//
// Nothing here reads what a file holds: Check opens and reads a byte.
package statefs
