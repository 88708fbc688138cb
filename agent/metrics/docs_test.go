package metrics

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// documented is one metric as a document lists it.
type documented struct{ typ, labels string }

// want is every family as the code registers it.
func want() map[string]documented {
	out := map[string]documented{}
	for _, f := range New().families {
		out[f.name] = documented{f.typ, strings.Join(f.labels, ",")}
	}
	return out
}

var (
	readmeRow = regexp.MustCompile("^\\| `(retentiond_\\w+)` \\| (\\w+) \\| ?([a-z, ]*?) ?\\|")
	docLine   = regexp.MustCompile(`^//\t(retentiond_\w+)(?:\{([a-z,]*)\})?\s+(gauge|counter|histogram)\b`)
)

// TestDocumentsListEveryMetric keeps README.md's table and the package
// doc in step with the registered metrics: names, types and labels.
func TestDocumentsListEveryMetric(t *testing.T) {
	for _, doc := range []struct {
		file string
		row  func(line string) (name string, d documented, ok bool)
	}{
		{"README.md", func(line string) (string, documented, bool) {
			m := readmeRow.FindStringSubmatch(line)
			if m == nil {
				return "", documented{}, false
			}
			return m[1], documented{m[2], strings.ReplaceAll(m[3], " ", "")}, true
		}},
		{"doc.go", func(line string) (string, documented, bool) {
			m := docLine.FindStringSubmatch(line)
			if m == nil {
				return "", documented{}, false
			}
			return m[1], documented{m[3], m[2]}, true
		}},
	} {
		t.Run(doc.file, func(t *testing.T) {
			data, err := os.ReadFile(doc.file)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]documented{}
			for _, line := range strings.Split(string(data), "\n") {
				if name, d, ok := doc.row(line); ok {
					got[name] = d
				}
			}
			w := want()
			for name, d := range w {
				switch g, ok := got[name]; {
				case !ok:
					t.Errorf("%s does not list %s", doc.file, name)
				case g != d:
					t.Errorf("%s lists %s as %s {%s}; the code registers %s {%s}", doc.file, name, g.typ, g.labels, d.typ, d.labels)
				}
			}
			for name := range got {
				if _, ok := w[name]; !ok {
					t.Errorf("%s lists %s, which the code does not register", doc.file, name)
				}
			}
		})
	}
}

// TestLabelNames keeps personal data out by construction: every label is
// one of a short list of fixed meanings.
func TestLabelNames(t *testing.T) {
	allowed := []string{"store", "action", "outcome", "scope", "service", "operation", "kind", "result", "task", "file",
		"organisation", "version", "revision", "goversion"}
	for _, f := range New().families {
		for _, l := range f.labels {
			if !slices.Contains(allowed, l) {
				t.Errorf("%s has label %q, not one of %v", f.name, l, allowed)
			}
		}
	}
}
