package localfs

import "strings"

// isClutter reports whether name is a file an OS or Office leaves behind
// that holds no one's data: Finder's .DS_Store, Windows' Thumbs.db and
// desktop.ini, and "~$" lock files Office keeps beside an open document.
// Other dotfiles are records.
func isClutter(name string) bool {
	return strings.EqualFold(name, ".DS_Store") ||
		strings.EqualFold(name, "Thumbs.db") ||
		strings.EqualFold(name, "desktop.ini") ||
		strings.HasPrefix(name, "~$")
}

const (
	placeholderPrefix = "."
	placeholderSuffix = ".icloud"
)

// placeholderFor returns the name of the file an iCloud Drive placeholder
// stands for: ".Name.ext.icloud" stands for "Name.ext".
func placeholderFor(name string) (string, bool) {
	if len(name) <= len(placeholderPrefix)+len(placeholderSuffix) ||
		!strings.HasPrefix(name, placeholderPrefix) || !strings.HasSuffix(name, placeholderSuffix) {
		return "", false
	}
	return name[len(placeholderPrefix) : len(name)-len(placeholderSuffix)], true
}

// placeholderName is the name of the placeholder that stands for name.
func placeholderName(name string) string {
	return placeholderPrefix + name + placeholderSuffix
}
