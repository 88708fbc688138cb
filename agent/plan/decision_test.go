package plan

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/config"
)

// decision loads a config of n stores, the first with layout category cat,
// and returns its decision (no policy: the sections of the config only)
// and its file's hash.
func decision(t *testing.T, dir string, n int, cat, extra string) (config.Decision, string) {
	t.Helper()
	text := "organisation: X\nregistries:\n  - {name: kinderen, subject: child, file: k.csv, columns: {id: Nr, name: Naam, end_of_care: Einde}}\nstores:\n"
	for i := range n {
		c := "child-dossier"
		if i == 0 {
			c = cat
		}
		text += fmt.Sprintf("  - {name: s%02d, type: localfs, root: d%d, layout: [{path: \"{child.name}/**\", category: %s}]}\n", i, i, c)
	}
	p := filepath.Join(dir, "retentiond.yaml")
	if err := os.WriteFile(p, []byte(text+extra), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	return c.DecisionDigest(nil), c.SHA256
}

func TestCheckDecision(t *testing.T) {
	dir := t.TempDir()
	made, sum := decision(t, dir, 12, "child-dossier", "")
	comment, csum := decision(t, dir, 12, "child-dossier", "# a comment\n")
	layout, lsum := decision(t, dir, 12, "contract", "")
	more, msum := decision(t, dir, 2, "child-dossier", "")
	tests := []struct {
		name      string
		plan      *config.Decision
		planSum   string
		now       config.Decision
		nowSum    string
		wantErr   bool
		wantWords []string
	}{
		{"same", &made, sum, made, sum, false, nil},
		{"a comment", &made, sum, comment, csum, false, nil},
		{"a layout", &made, sum, layout, lsum, true, []string{"the layouts of store s00 changed"}},
		{"ten stores fewer", &made, sum, more, msum, true, []string{"store s02 was removed", "store s09 was removed", "2 more"}},
		{"earlier version, same file", nil, sum, comment, sum, false, nil},
		{"earlier version, file edited", nil, sum, comment, csum, true, []string{"earlier version", "the file changed since"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &File{Header: Header{ConfigSHA256: tt.planSum, Decision: tt.plan}}
			err := f.CheckDecision(tt.now, tt.nowSum)
			if (err != nil) != tt.wantErr || err != nil && !errors.Is(err, ErrConfigChanged) {
				t.Fatalf("CheckDecision: %v, want error %v", err, tt.wantErr)
			}
			for _, w := range tt.wantWords {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%v\nlacks %q", err, w)
				}
			}
			if err != nil && strings.Contains(err.Error(), "store s10 was removed") {
				t.Errorf("more than %d changes named: %v", maxChanges, err)
			}
		})
	}
}
