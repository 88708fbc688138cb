package run

import (
	"log"
	"os"
	"time"
)

// MeasureQuiet is Measure with the command's standard error written to
// the file errOut instead of this process's (a plan's progress lines
// would bury the figures); a failure names that file.
func MeasureQuiet(out, errOut string, argv ...string) (time.Duration, int64) {
	f, err := os.Create(errOut)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	return measure(out, f, "see "+errOut, argv...)
}
