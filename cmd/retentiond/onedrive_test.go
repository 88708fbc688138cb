package main

import (
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retentiond/retentiond/agent/demo"
	"github.com/retentiond/retentiond/rules"
	"github.com/retentiond/retentiond/scanners/onedrive/graphtest"
)

// TestOneDriveEndToEnd follows the README: the demo's child dossiers in
// a drive of the fake Graph server, a config with a onedrive store, plan
// (with sharing-link findings), approve, apply (batched deletes into the
// recycle bin) and verify. The client secret appears in no output and no
// state file.
func TestOneDriveEndToEnd(t *testing.T) {
	const secret = "e2e-secret-Vx9~q"
	dir := filepath.Join(t.TempDir(), "demo")
	asOf, _ := rules.ParseDate("2026-11-23")
	if _, err := demo.Generate(dir, asOf, 7); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI(t, "keygen", "--out", filepath.Join(dir, "keys")); code != 0 {
		t.Fatal(errs)
	}
	srv := graphtest.NewServer(t, graphtest.Options{ClientID: "demo-app", ClientSecret: secret})
	n, err := srv.UploadDir("", "Kinddossiers", filepath.Join(dir, demo.OneDriveFolder))
	if err != nil || n < 100 {
		t.Fatalf("uploaded %d files: %v", n, err)
	}
	anyone, org := srv.ShareSample("", "Kinddossiers")
	writeFile(t, filepath.Join(dir, "keys", "graph.secret"), secret+"\n")
	os.Chmod(filepath.Join(dir, "keys", "graph.secret"), 0o600)
	writeFile(t, filepath.Join(dir, "graph-ca.pem"), string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})))
	cfg, err := demo.OneDriveConfig(dir, demo.OneDrive{TenantID: srv.TenantID(), ClientID: "demo-app", DriveID: srv.DefaultDrive(),
		Endpoint: srv.GraphURL(), AuthorityHost: srv.AuthorityHost(), SecretFile: "keys/graph.secret", CAFile: "graph-ca.pem"})
	if err != nil {
		t.Fatal(err)
	}
	var outputs []string
	cli := func(args ...string) string {
		t.Helper()
		code, out, errs := runCLI(t, args...)
		outputs = append(outputs, out, errs)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s\n%s", args[0], code, out, errs)
		}
		return out
	}

	pdir := filepath.Join(dir, "plan-od")
	out := cli("plan", "--config", cfg, "--as-of", "2026-11-23", "--out", pdir)
	if !strings.Contains(out, "SHARED BY LINK (anyone: ") {
		t.Errorf("plan output does not name the shared records:\n%s", out)
	}
	var p struct {
		Items []struct {
			Record, Action string
			Links          []struct{ Scope string }
		}
		Stores []struct {
			Records int
			Links   map[string]int `json:"sharing_links"`
		}
		Summary struct{ Delete int }
	}
	b, _ := os.ReadFile(filepath.Join(pdir, "plan.json"))
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	if p.Stores[0].Records != n || p.Summary.Delete == 0 {
		t.Fatalf("plan: %d records of %d, %d to delete", p.Stores[0].Records, n, p.Summary.Delete)
	}
	linked := map[string]string{}
	for _, it := range p.Items {
		for _, l := range it.Links {
			linked[it.Record] = l.Scope
		}
	}
	if linked[org] != "organization" {
		t.Errorf("the file shared organisation-wide (%s) has no finding: %v", org, linked)
	}
	for _, it := range p.Items {
		if strings.HasPrefix(it.Record, anyone+"/") && linked[it.Record] != "anonymous" {
			t.Errorf("%s, in a folder shared with anyone, has no finding", it.Record)
		}
	}
	if p.Stores[0].Links["anonymous"] == 0 || p.Stores[0].Links["organization"] != 1 {
		t.Errorf("store counts %v", p.Stores[0].Links)
	}

	cli("approve", "--config", cfg, "--plan", pdir, "--by", "Beheerder")
	srv.ResetStats()
	out = cli("apply", "--config", cfg, "--plan", pdir)
	if !strings.Contains(out, "0 failed") {
		t.Errorf("apply:\n%s", out)
	}
	st := srv.Stats()
	if max := (p.Summary.Delete+19)/20 + 5; st.GraphRequests > max {
		t.Errorf("apply sent %d Graph requests for %d deletions; want at most %d (batches of 20, plus opening)", st.GraphRequests, p.Summary.Delete, max)
	}
	if got := len(srv.RecycleBin("")); got != p.Summary.Delete {
		t.Errorf("recycle bin holds %d items, want the %d deleted", got, p.Summary.Delete)
	}
	for _, it := range p.Items {
		_, present := srv.Lookup("", it.Record)
		if present == (it.Action == "delete") {
			t.Errorf("%s (%s): present = %v after apply", it.Record, it.Action, present)
		}
	}
	cli("verify", "--ledger", filepath.Join(dir, "state-onedrive", "ledger"), "--key", filepath.Join(dir, "keys", "ledger.pub"))

	// The secret is nowhere but its own file.
	for _, o := range outputs {
		if strings.Contains(o, secret) {
			t.Fatal("the client secret appears in command output")
		}
	}
	filepath.WalkDir(filepath.Join(dir, "state-onedrive"), func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if b, _ := os.ReadFile(p); strings.Contains(string(b), secret) {
				t.Errorf("%s holds the client secret", p)
			}
		}
		return nil
	})
}
