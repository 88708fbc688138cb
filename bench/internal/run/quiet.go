package run

import (
	"log"
	"os"
)

// MeasureQuiet is Measure with the command's standard error written to
// the file errOut instead of this process's (a plan's progress lines
// would bury the figures), or to this process's if errOut is ""; a
// failure names that file.
func MeasureQuiet(out, errOut string, argv ...string) Result {
	if errOut == "" {
		return measure(out, os.Stderr, "", argv...)
	}
	f, err := os.Create(errOut)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	return measure(out, f, "see "+errOut, argv...)
}
