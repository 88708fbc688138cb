package deploy_test

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// unitDirectives reads a unit file into key -> values (in order).
func unitDirectives(t *testing.T, path string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' || line[0] == '[' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Errorf("%s: %q is not key=value", path, line)
			continue
		}
		out[k] = append(out[k], v)
	}
	return out
}

func TestUnitDirectives(t *testing.T) {
	d := unitDirectives(t, "systemd/retentiond.service")
	want := map[string]string{
		"Type":                    "notify",
		"ExecStart":               "/usr/local/bin/retentiond run --config /etc/retentiond/config.yaml",
		"ExecReload":              "/bin/kill -HUP $MAINPID",
		"EnvironmentFile":         "-/etc/retentiond/retentiond.env",
		"DynamicUser":             "yes",
		"StateDirectory":          "retentiond",
		"ConfigurationDirectory":  "retentiond",
		"ProtectSystem":           "strict",
		"ProtectHome":             "yes",
		"PrivateTmp":              "yes",
		"PrivateDevices":          "yes",
		"NoNewPrivileges":         "yes",
		"CapabilityBoundingSet":   "",
		"AmbientCapabilities":     "",
		"SystemCallArchitectures": "native",
		"RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
		"RestrictNamespaces":      "yes",
		"LockPersonality":         "yes",
		"MemoryDenyWriteExecute":  "yes",
		"ProtectKernelTunables":   "yes",
		"ProtectKernelModules":    "yes",
		"ProtectKernelLogs":       "yes",
		"ProtectControlGroups":    "yes",
		"ProtectClock":            "yes",
		"ProtectHostname":         "yes",
		"ProtectProc":             "invisible",
		"ProcSubset":              "pid",
		"UMask":                   "0077",
	}
	for k, v := range want {
		if got, ok := d[k]; !ok || got[0] != v {
			t.Errorf("%s=%v, want %q", k, got, v)
		}
	}
	if !slices.Contains(d["SystemCallFilter"], "@system-service") {
		t.Errorf("SystemCallFilter=%v lacks @system-service", d["SystemCallFilter"])
	}
	if len(d["WatchdogSec"]) == 0 {
		t.Error("no WatchdogSec: the daemon's WATCHDOG=1 would go unchecked")
	}
	// Only the state directory is writable: no ReadWritePaths beyond it.
	for _, p := range d["ReadWritePaths"] {
		if p != "/var/lib/retentiond" {
			t.Errorf("ReadWritePaths=%s: only the state directory may be writable", p)
		}
	}
}

var exposureRe = regexp.MustCompile(`Overall exposure level for \S+: ([0-9.]+) (\S+)`)

// TestSystemdAnalyze runs systemd-analyze verify and security --offline
// on the unit and on an instance of the template unit (retentiond@.service,
// one per organisation); the exposure must stay at 2.0 or below ("OK" or
// better).
func TestSystemdAnalyze(t *testing.T) {
	sa := tool(t, "systemd-analyze", "systemd")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct{ file, name string }{
		{"systemd/retentiond.service", "retentiond.service"},
		{"systemd/retentiond@.service", "retentiond@kdv-zonnebloem.service"},
	} {
		t.Run(u.name, func(t *testing.T) {
			// verify checks that ExecStart exists: point it at a program
			// that does, in a copy under the unit's own name.
			data, err := os.ReadFile(u.file)
			if err != nil {
				t.Fatal(err)
			}
			unit := filepath.Join(t.TempDir(), u.name)
			text := strings.ReplaceAll(string(data), "/usr/local/bin/retentiond", self)
			if err := os.WriteFile(unit, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			if out, ok := run(t, ".", sa, "verify", unit); !ok || strings.TrimSpace(out) != "" {
				t.Errorf("systemd-analyze verify:\n%s", out)
			}
			out, ok := run(t, ".", sa, "security", "--offline=yes", unit)
			if !ok {
				t.Fatalf("systemd-analyze security --offline=yes:\n%s", out)
			}
			m := exposureRe.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("no exposure level in:\n%s", out)
			}
			score, _ := strconv.ParseFloat(m[1], 64)
			t.Logf("exposure %s %s", m[1], m[2])
			if score > 2.0 {
				t.Errorf("exposure %s %s, want 2.0 or below", m[1], m[2])
			}
		})
	}
}
