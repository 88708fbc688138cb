package main

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

// cliPaths are every command and subcommand of retentiond, as a person
// types them before the flags. TestHelpEveryCommand checks the top
// level's list against commands(), so that a new command is added here.
var cliPaths = [][]string{
	{"demo"}, {"plan"}, {"validate"}, {"explain"}, {"keygen"}, {"approve"}, {"reject"}, {"apply"},
	{"hold"}, {"hold", "add"}, {"hold", "list"}, {"hold", "release"},
	{"review"}, {"review", "list"}, {"review", "resolve"}, {"review", "unresolve"},
	{"request"}, {"request", "open"}, {"request", "list"}, {"request", "answer"}, {"request", "package"},
	{"request", "complete"}, {"request", "close"}, {"request", "refuse"},
	{"console"}, {"console", "user"}, {"console", "user", "add"}, {"console", "user", "list"}, {"console", "user", "remove"},
	{"run"}, {"verify"}, {"prune"}, {"version"},
}

// TestHelpEveryCommand: `retentiond CMD --help`, `CMD -h` and `help CMD`
// print the command's usage on stdout and exit 0, for every command and
// subcommand; nothing goes to stderr, and nothing is done.
func TestHelpEveryCommand(t *testing.T) {
	top := map[string]bool{}
	for _, p := range cliPaths {
		if len(p) == 1 {
			top[p[0]] = true
		}
	}
	for _, c := range commands() {
		if !top[c.name] {
			t.Errorf("command %s is missing from cliPaths", c.name)
		}
	}
	t.Chdir(t.TempDir()) // demo --help must not build the demo here
	for _, p := range cliPaths {
		name := strings.Join(p, " ")
		forms := [][]string{
			append(append([]string{}, p...), "--help"),
			append(append([]string{}, p...), "-h"),
			append([]string{"help"}, p...),
		}
		for _, args := range forms {
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				code, out, errs := runCLI(t, args...)
				if code != 0 {
					t.Errorf("exit %d, want 0\nstdout: %s\nstderr: %s", code, out, errs)
				}
				if !strings.Contains(out, "usage: retentiond "+name+" ") && !strings.Contains(out, "usage: retentiond "+name+"\n") {
					t.Errorf("stdout lacks %q:\n%s", "usage: retentiond "+name, out)
				}
				if errs != "" {
					t.Errorf("stderr is not empty:\n%s", errs)
				}
			})
		}
	}
	if ents, _ := os.ReadDir("."); len(ents) > 0 {
		t.Errorf("a --help run left %s in the working directory", ents[0].Name())
	}
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		code, out, errs := runCLI(t, args...)
		if code != 0 || !strings.Contains(out, "usage: retentiond COMMAND") || errs != "" {
			t.Errorf("%v: exit %d\nstdout: %s\nstderr: %s", args, code, out, errs)
		}
	}
	// A group's help lists its subcommands.
	for _, p := range cliPaths {
		if len(p) < 2 {
			continue
		}
		parent := p[:len(p)-1]
		_, out, _ := runCLI(t, append(append([]string{}, parent...), "--help")...)
		if !strings.Contains(out, "  "+p[len(p)-1]+" ") {
			t.Errorf("%s --help does not list %s:\n%s", strings.Join(parent, " "), p[len(p)-1], out)
		}
	}
	// Help for what does not exist is a usage error.
	for _, args := range [][]string{{"help", "frobnicate"}, {"hold", "frobnicate", "--help"}, {"help", "console", "user", "frobnicate"}} {
		if code, out, errs := runCLI(t, args...); code != 2 || out != "" || !strings.Contains(errs, "frobnicate") {
			t.Errorf("%v: exit %d, want 2\nstdout: %s\nstderr: %s", args, code, out, errs)
		}
	}
}

// TestVersion: `retentiond --version` and `retentiond version` print the
// version and the revision it was built from.
func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		code, out, errs := runCLI(t, args...)
		if code != 0 || errs != "" {
			t.Errorf("%v: exit %d: %s", args, code, errs)
		}
		if !strings.HasPrefix(out, "retentiond dev (revision ") || !strings.Contains(out, "go1.") {
			t.Errorf("%v: %q", args, out)
		}
	}
}

// TestVersionLine: the version line of a build's information: the
// revision and whether the tree was modified (go build stamps them from
// git), the module's version when go install gave one, and "dev" when
// nothing says otherwise.
func TestVersionLine(t *testing.T) {
	const rev = "12c79b5e0a3b4c5d6e7f8091a2b3c4d5e6f70819"
	tests := []struct {
		name, version string
		info          *debug.BuildInfo
		want          string
	}{
		{"git, modified", "dev", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "true"}}},
			"retentiond dev (revision " + rev + ", modified; go1.26.8)"},
		{"git, clean", "dev", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "false"}}},
			"retentiond dev (revision " + rev + "; go1.26.8)"},
		{"ldflags version", "v1.4.0", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: rev}}},
			"retentiond v1.4.0 (revision " + rev + "; go1.26.8)"},
		{"go install", "dev", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.5.0"}},
			"retentiond v1.5.0 (revision unknown; go1.26.8)"},
		{"untagged commit", "dev", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261208023455-12c79b5e0a3b+dirty"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "true"}}},
			"retentiond dev (revision " + rev + ", modified; go1.26.8)"},
		{"no build info", "dev", nil, "retentiond dev (revision unknown)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := versionLine(tt.version, tt.info); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// keyedOrg is miniOrg with keys, a plan of one due dossier as of
// 2026-11-23 in DIR/plan, and its config's path.
func keyedOrg(t *testing.T) (dir, cfg string) {
	t.Helper()
	dir = miniOrg(t, "Nummer;Naam;Einde\n1;Piet Jansen;15-03-2020\n")
	cfg = filepath.Join(dir, "retentiond.yaml")
	b, _ := os.ReadFile(cfg)
	writeFile(t, cfg, strings.Replace(string(b), "state_dir: state\n", "state_dir: state\npseudonym_key_file: keys/pseudonym.key\nledger_key_file: keys/ledger.key\n", 1))
	for _, args := range [][]string{
		{"keygen", "--out", filepath.Join(dir, "keys")},
		{"plan", "--config", cfg, "--as-of", "2026-11-23", "--out", filepath.Join(dir, "plan")},
	} {
		if code, out, errs := runCLI(t, args...); code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errs)
		}
	}
	return dir, cfg
}

// TestUsageErrorsExit2: what a person typed wrong exits 2 with an error
// that says what, printed once, whichever command or layer finds it.
func TestUsageErrorsExit2(t *testing.T) {
	dir, cfg := keyedOrg(t)
	if code, out, errs := runCLI(t, "hold", "add", "--config", cfg, "--subject", "child:1", "--reason", "test", "--by", "Beheerder"); code != 0 {
		t.Fatalf("hold add: %d\n%s\n%s", code, out, errs)
	}
	if code, out, errs := runCLI(t, "request", "open", "--config", cfg, "--subject", "child:1", "--kind", "access", "--received", "2026-11-20"); code != 0 {
		t.Fatalf("request open: %d\n%s\n%s", code, out, errs)
	}
	pdir := filepath.Join(dir, "plan")
	tests := []struct {
		name   string
		args   []string
		errHas string
	}{
		{"request kind", []string{"request", "open", "--config", cfg, "--subject", "child:1", "--kind", "delete"}, "kind"},
		{"request lang", []string{"request", "open", "--config", cfg, "--subject", "child:1", "--kind", "erase", "--lang", "de"}, "lang"},
		{"request received in the future", []string{"request", "open", "--config", cfg, "--subject", "child:1", "--kind", "erase", "--received", "2099-01-01"}, "received"},
		{"request answer unknown id", []string{"request", "answer", "--config", cfg, "--id", "REQ-0009", "--by", "Beheerder"}, "REQ-0009"},
		{"request complete bad id", []string{"request", "complete", "--config", cfg, "--id", "9"}, "not a request id"},
		{"request answer without by", []string{"request", "answer", "--config", cfg, "--id", "REQ-0001"}, "--by"},
		{"hold release short id", []string{"hold", "release", "--config", cfg, "--id", "H-9", "--by", "Beheerder"}, "not a hold id"},
		{"hold release unknown id", []string{"hold", "release", "--config", cfg, "--id", "H-0009", "--by", "Beheerder"}, "H-0009"},
		{"hold release without by", []string{"hold", "release", "--config", cfg, "--id", "H-0001"}, "--by"},
		{"hold add without by", []string{"hold", "add", "--config", cfg, "--subject", "child:1", "--reason", "x"}, "--by"},
		{"hold add without reason", []string{"hold", "add", "--config", cfg, "--subject", "child:1", "--by", "Beheerder"}, "--reason"},
		{"approve exclude unknown", []string{"approve", "--config", cfg, "--plan", pdir, "--by", "Beheerder", "--exclude", "dossiers:nope.pdf"}, "--exclude"},
		{"review unresolve unknown", []string{"review", "unresolve", "--config", cfg, "--id", "R-0009", "--by", "Beheerder"}, "R-0009"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCLI(t, tt.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2\nstdout: %s\nstderr: %s", code, out, errs)
			}
			if !strings.Contains(errs, tt.errHas) {
				t.Errorf("stderr lacks %q:\n%s", tt.errHas, errs)
			}
			if n := strings.Count(errs, "retentiond "+tt.args[0]+":"); n != 1 {
				t.Errorf("the error is printed %d times:\n%s", n, errs)
			}
			if strings.Contains(errs, "Piet") || strings.Contains(errs, "Jansen") || strings.Contains(errs, "nope.pdf") {
				t.Errorf("an error names a person or a record:\n%s", errs)
			}
		})
	}
	// Nothing of it was recorded: one hold, one request, no approval.
	if _, out, _ := runCLI(t, "hold", "list", "--config", cfg, "--all"); strings.Count(out, "H-00") != 1 || strings.Contains(out, "released 20") {
		t.Errorf("hold list:\n%s", out)
	}
	if _, out, _ := runCLI(t, "request", "list", "--config", cfg, "--all"); strings.Count(out, "REQ-") != 1 {
		t.Errorf("request list:\n%s", out)
	}
	if ents, _ := os.ReadDir(filepath.Join(dir, "state", "approvals")); len(ents) > 0 {
		t.Errorf("an approval was written: %v", ents)
	}
}

// TestUnknownFlagOnce: an unknown flag's error is printed once, with a
// pointer to the command's help, for a command and for a subcommand.
func TestUnknownFlagOnce(t *testing.T) {
	for _, args := range [][]string{{"plan", "--nope"}, {"hold", "add", "--nope"}, {"console", "user", "list", "--nope"}, {"review", "resolve", "x:y", "--nope"}} {
		code, out, errs := runCLI(t, args...)
		if code != 2 || out != "" {
			t.Errorf("%v: exit %d, stdout %q", args, code, out)
		}
		if n := strings.Count(errs, "flag provided but not defined: -nope"); n != 1 {
			t.Errorf("%v: the error is printed %d times:\n%s", args, n, errs)
		}
		if strings.Contains(errs, "Usage of") || strings.Contains(errs, "-config string") {
			t.Errorf("%v: the flags are listed on an error:\n%s", args, errs)
		}
		if !strings.Contains(errs, "--help") {
			t.Errorf("%v: no pointer to --help:\n%s", args, errs)
		}
	}
}

// TestDatesTyped: dates a person types are read as YYYY-MM-DD and as
// DD-MM-YYYY alike, by every flag that takes one; what is neither is a
// usage error naming the flag and both forms.
func TestDatesTyped(t *testing.T) {
	dir, cfg := keyedOrg(t)
	ok := func(args ...string) string {
		t.Helper()
		code, out, errs := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errs)
		}
		return out
	}
	if out := ok("plan", "--config", cfg, "--as-of", "23-11-2026", "--out", filepath.Join(dir, "p2")); !strings.Contains(out, "Plan as of 2026-11-23") {
		t.Errorf("plan --as-of 23-11-2026:\n%s", out)
	}
	if out := ok("explain", "--config", cfg, "--as-of", "14-03-2022", "dossiers:Jansen, Piet/intake.pdf"); !strings.Contains(out, "as of:    2022-03-14") {
		t.Errorf("explain --as-of 14-03-2022:\n%s", out)
	}
	ok("hold", "add", "--config", cfg, "--subject", "child:1", "--reason", "test", "--by", "Beheerder", "--until", "31-12-2027")
	if out := ok("hold", "list", "--config", cfg); !strings.Contains(out, "until 2027-12-31") {
		t.Errorf("hold add --until 31-12-2027:\n%s", out)
	}
	if out := ok("request", "open", "--config", cfg, "--subject", "child:1", "--kind", "access", "--received", "02-11-2026"); !strings.Contains(out, "received 2026-11-02") {
		t.Errorf("request open --received 02-11-2026:\n%s", out)
	}
	writeFile(t, filepath.Join(dir, "data", "Los", "notities.txt"), "x")
	if out := ok("review", "resolve", "--config", cfg, "dossiers:Los/notities.txt", "--keep-until", "01-06-2027", "--reason", "test", "--by", "Beheerder"); !strings.Contains(out, "2027-06-01") {
		t.Errorf("review resolve --keep-until 01-06-2027:\n%s", out)
	}
	for _, tt := range []struct {
		flag string
		args []string
	}{
		{"--as-of", []string{"plan", "--config", cfg, "--as-of", "31-02-2026", "--out", filepath.Join(dir, "p3")}},
		{"--as-of", []string{"explain", "--config", cfg, "--as-of", "2026/11/23", "dossiers:Jansen, Piet/intake.pdf"}},
		{"--until", []string{"hold", "add", "--config", cfg, "--subject", "child:1", "--reason", "test", "--by", "Beheerder", "--until", "12-31-2027"}},
		{"--received", []string{"request", "open", "--config", cfg, "--subject", "child:1", "--kind", "erase", "--received", "gisteren"}},
		{"--keep-until", []string{"review", "resolve", "--config", cfg, "dossiers:Los/notities.txt", "--keep-until", "1 juni 2027", "--reason", "test", "--by", "Beheerder"}},
	} {
		code, _, errs := runCLI(t, tt.args...)
		if code != 2 || !strings.Contains(errs, tt.flag+": ") || !strings.Contains(errs, "YYYY-MM-DD") || !strings.Contains(errs, "DD-MM-YYYY") {
			t.Errorf("%v: exit %d, want 2 and an error naming %s and both forms:\n%s", tt.args, code, tt.flag, errs)
		}
	}
}
