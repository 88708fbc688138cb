// Package export is the store for exports of childcare administration
// systems (Kidsadmin, ROSA, Saamn/The Nanny, Konnect, KIJK!, Tactiplan):
// CSV, XLSX and JSON files matched by a glob, read through a Profile that
// says which column identifies the person a row is about, which columns
// hold which kind of personal data, and from which column a row's clock
// runs.
//
// Every row is a record (scanners.KindRow) with ID "<file>#<row>" for CSV
// and JSON and "<file>#<sheet>!<row>" for XLSX, where <file> is the file's
// path relative to the glob's base folder. A row's Version is its file's,
// so that any change to the file makes an approved plan's items for it
// stale. Rows are never deleted one by one: Store.Rewrite writes the file
// anew, dropping rows and changing cells, to a temporary file that is
// fsynced and renamed over the original, so that a crash leaves the old or
// the new file and never half of one.
//
// The store never follows a symbolic link and never reads or writes outside
// the base folder. Errors name the file, the row and the column header,
// never a cell's value.
package export
