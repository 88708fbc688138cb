package export

// Hooks for the external tests (package export_test), which may import
// the packages that import this one, such as agent/operators.

// GenCSV is genCSV: a Dutch-Excel style export of rows rows and 12
// columns.
var GenCSV = genCSV

// CopyFile is copyFile.
var CopyFile = copyFile
