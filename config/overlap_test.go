package config

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// localStore is a localfs (or icloud) store entry for the overlap tests.
func localStore(name, typ, root string) string {
	return "  - name: " + name + "\n    type: " + typ + "\n    root: " + strconv.Quote(root) +
		"\n    layout: [{path: '**', category: log}]\n"
}

func exportStore(name, files string) string {
	return "  - name: " + name + "\n    type: export\n    files: " + strconv.Quote(files) + "\n    profile: konnect-diary\n"
}

func s3Store(name, bucket, prefix, endpoint string) string {
	s := "  - name: " + name + "\n    type: s3\n    bucket: " + bucket + "\n"
	if prefix != "" {
		s += "    prefix: " + strconv.Quote(prefix) + "\n"
	}
	if endpoint != "" {
		s += "    endpoint: " + endpoint + "\n"
	}
	return s + "    layout: [{path: '**', category: backup}]\n"
}

func oneDriveStore(name, drive string) string {
	return "  - name: " + name + "\n    type: onedrive\n    tenant_id: t\n    client_id: c\n    client_secret_env: S\n    " + drive +
		"\n    layout: [{path: '**', category: log}]\n"
}

// TestOverlappingStores: two stores that list the same records would let
// one delete what the other holds, so Load refuses them, after resolving
// symbolic links, and names both stores, their keys and lines.
func TestOverlappingStores(t *testing.T) {
	top := "organisation: X\nstate_dir: state\npseudonym_key_file: keys/pseudonym.key\nledger_key_file: keys/ledger.key\nstores:\n"
	tests := []struct {
		name   string
		stores string
		// key is the key the error is placed at ("" if the config is
		// fine); parts must all be in the message.
		key   string
		parts []string
	}{
		{"disjoint", localStore("a", "localfs", "data/a") + localStore("b", "localfs", "data/b"), "", nil},
		{"sibling with a common prefix", localStore("a", "localfs", "data/a") + localStore("b", "localfs", "data/ab"), "", nil},
		{"same root", localStore("a", "localfs", "data/a") + localStore("b", "localfs", "data/a/"),
			"stores[1].root", []string{`store "a"`, "stores[0].root", "line 8"}},
		{"nested", localStore("a", "localfs", "data") + localStore("b", "icloud", "data/a/x"),
			"stores[1].root", []string{`store "a"`, "stores[0].root", "inside"}},
		{"parent second", localStore("a", "localfs", "data/a/x") + localStore("b", "localfs", "data/a"),
			"stores[1].root", []string{`store "a"`, "stores[0].root", "inside"}},
		{"nested through a symlink", localStore("a", "localfs", "data/a") + localStore("b", "localfs", "link/x"),
			"stores[1].root", []string{`store "a"`, "stores[0].root"}},
		{"nested through dot-dot", localStore("a", "localfs", "data/a") + localStore("b", "localfs", "data/b/../a/x"),
			"stores[1].root", []string{`store "a"`, "stores[0].root"}},
		{"root of the file system", localStore("a", "localfs", "/"),
			"stores[0].root", []string{"root of the file system"}},
		{"root holds the state dir", localStore("a", "localfs", "."),
			"stores[0].root", []string{"state_dir"}},
		{"root inside the state dir", localStore("a", "localfs", "state/plans"),
			"stores[0].root", []string{"state_dir"}},
		{"root holds a key file", localStore("a", "localfs", "keys"),
			"stores[0].root", []string{"pseudonym_key_file"}},
		{"root holds the ledger's verifier key", localStore("a", "localfs", "data/b") + "ledger_verify_key_file: data/b/ledger.pub\n",
			"stores[0].root", []string{"ledger_verify_key_file"}},
		{"export inside a local root", localStore("a", "localfs", "data") + exportStore("b", "data/a/export-*.csv"),
			"stores[1].files", []string{`store "a"`, "stores[0].root", "lists the export files"}},
		{"local root an export glob reaches into", exportStore("a", "exp/*/kinderen.csv") + localStore("b", "localfs", "exp/Archief"),
			"stores[1].root", []string{`store "a"`, "stores[0].files"}},
		{"local root below an export glob's reach", exportStore("a", "exp/*.csv") + localStore("b", "localfs", "exp/Archief"), "", nil},
		{"two exports matching the same files", exportStore("a", "exp/*.csv") + exportStore("b", "exp/kinderen-*.csv"),
			"stores[1].files", []string{`store "a"`, "stores[0].files"}},
		{"two exports, other files", exportStore("a", "exp/ouders-*.csv") + exportStore("b", "exp/kinderen-*.csv"), "", nil},
		{"two exports, other extensions", exportStore("a", "exp/k-[0-9]*.csv") + exportStore("b", "exp/k-*.xlsx"), "", nil},
		{"s3 prefix inside another", s3Store("a", "backups", "daily/", "") + s3Store("b", "backups", "daily/kidsadmin/", ""),
			"stores[1].prefix", []string{`store "a"`, "stores[0].prefix", "bucket"}},
		{"s3 whole bucket", s3Store("a", "backups", "daily/", "") + s3Store("b", "backups", "", ""),
			"stores[1].bucket", []string{`store "a"`, "stores[0].prefix"}},
		{"s3 string prefix", s3Store("a", "backups", "daily", "") + s3Store("b", "backups", "daily-old/", ""),
			"stores[1].prefix", []string{`store "a"`}},
		{"s3 disjoint prefixes", s3Store("a", "backups", "daily/", "") + s3Store("b", "backups", "weekly/", ""), "", nil},
		{"s3 other bucket", s3Store("a", "backups", "", "") + s3Store("b", "archief", "", ""), "", nil},
		{"s3 other endpoint", s3Store("a", "backups", "", "https://s3.a.example") + s3Store("b", "backups", "", "https://s3.b.example"), "", nil},
		{"s3 same endpoint written twice", s3Store("a", "backups", "", "https://S3.a.example/") + s3Store("b", "backups", "", "https://s3.a.example"),
			"stores[1].bucket", []string{`store "a"`}},
		{"s3 store lists the ledger's copies", "  - name: a\n    type: s3\n    bucket: ledger\n    layout: [{path: '**', category: backup}]\n" +
			"ledger_copy:\n  bucket: ledger\n  prefix: retentiond/\n",
			"stores[0].bucket", []string{"ledger_copy.bucket", "line 11"}},
		{"s3 store beside the ledger's copies", "  - name: a\n    type: s3\n    bucket: ledger\n    prefix: backups/\n    layout: [{path: '**', category: backup}]\n" +
			"ledger_copy:\n  bucket: ledger\n  prefix: retentiond/\n", "", nil},
		{"onedrive same drive", oneDriveStore("a", "drive_id: b!xyz") + oneDriveStore("b", "drive_id: b!xyz"),
			"stores[1].drive_id", []string{`store "a"`, "stores[0].drive_id"}},
		{"onedrive same user", oneDriveStore("a", "user: Juf@example.nl") + oneDriveStore("b", "user: juf@example.nl"),
			"stores[1].user", []string{`store "a"`}},
		{"onedrive other drives", oneDriveStore("a", "drive_id: b!xyz") + oneDriveStore("b", "user: juf@example.nl"), "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, d := range []string{"data/a/x", "data/b", "data/ab", "exp/Archief", "state/plans", "keys"} {
				if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Symlink(filepath.Join(dir, "data", "a"), filepath.Join(dir, "link")); err != nil {
				t.Fatal(err)
			}
			path := write(t, dir, "retentiond.yaml", top+tt.stores)
			c, err := Load(path)
			if tt.key == "" {
				if err != nil {
					t.Fatalf("want no error, got %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error; stores %+v", c.Stores)
			}
			ps := problems(t, err)
			if len(ps) != 1 {
				t.Fatalf("want 1 problem, got %d:\n%v", len(ps), err)
			}
			p := ps[0]
			if p.Key != tt.key || p.Line == 0 || p.File != path || p.Fix == "" {
				t.Errorf("got %s\nwant key %s with a line and a fix", p, tt.key)
			}
			name := "a"
			if strings.HasPrefix(tt.key, "stores[1]") {
				name = "b"
			}
			for _, part := range append(tt.parts, `store "`+name+`"`) {
				if !strings.Contains(p.Msg, part) {
					t.Errorf("message %q lacks %q", p.Msg, part)
				}
			}
		})
	}
}

// TestRootHoldsTheConfig: a store rooted at the config's own folder would
// list the config (and plan its deletion).
func TestRootHoldsTheConfig(t *testing.T) {
	dir := t.TempDir()
	path := write(t, dir, "etc/retentiond.yaml", "organisation: X\nstate_dir: /nonexistent/state\npseudonym_key_file: /nonexistent/p.key\n"+
		"ledger_key_file: /nonexistent/l.key\nstores:\n"+localStore("etc", "localfs", "."))
	_, err := Load(path)
	ps := problems(t, err)
	if len(ps) != 1 || ps[0].Key != "stores[0].root" || !strings.Contains(ps[0].Msg, "config file") {
		t.Fatalf("got %v", err)
	}
}
