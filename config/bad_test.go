package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// okStore is a valid store to append to cases that need one.
const okStore = `  - name: ok
    type: localfs
    root: data
    layout: [{path: "**", category: log}]
`

// TestBadConfigs: each config has exactly one problem, found at the right
// key and line, with a fix.
func TestBadConfigs(t *testing.T) {
	tests := []struct {
		name, yaml string
		key        string
		line       int
		msg        string // a part of the message
	}{
		{"syntax", "organisation: X\nstores: [1\ntimezone: UTC\n", "", 3, "not valid YAML"},
		{"tab", "organisation: X\nstores:\n\t- name: a\n", "", 3, "not valid YAML"},
		{"duplicate key", "organisation: X\norganisation: Y\n", "", 2, "already defined"},
		{"empty", "# nothing\n", "", 0, "empty"},
		{"two documents", "organisation: X\n---\norganisation: Y\n", "", 3, "more than one YAML document"},
		{"not a mapping", "- organisation\n", "", 1, "mapping"},
		{"unknown top key", "organisation: X\ntimezon: UTC\n", "timezon", 2, `unknown key "timezon"`},
		{"unknown nested key", "organisation: X\ndaemon:\n  listen: :1\n  plan: x\n", "daemon.plan", 4, "unknown key"},
		{"no organisation", "timezone: UTC\n", "organisation", 0, "missing"},
		{"bad timezone", "organisation: X\ntimezone: Amsterdam\n", "timezone", 2, "not a time zone"},
		{"empty builtin", "organisation: X\npolicy: 'builtin:'\n", "policy", 2, "no built-in policy"},
		{"override id", "organisation: X\noverrides:\n  C1: {term: 1y}\n  rule1: {term: 1y}\n", "overrides.rule1", 4, "not a rule id"},
		{"override term", "organisation: X\noverrides:\n  C1: {term: 1y}\n  C2:\n    term: 2 jaar\n", "overrides.C2.term", 5, "not a term"},
		{"override disabled", "organisation: X\noverrides:\n  C2: {disabled: ja}\n", "overrides.C2.disabled", 3, "true or false"},
		{"override empty", "organisation: X\noverrides:\n  C2: {source: beleid}\n", "overrides.C2", 3, "changes nothing"},
		{"override both", "organisation: X\noverrides:\n  C2: {term: 1y, disabled: true}\n", "overrides.C2", 3, "both"},
		{"override list", "organisation: X\noverrides:\n  - C2\n", "overrides", 2, "mapping"},
		{"registry subject", "organisation: X\nregistries:\n  - name: k\n    subject: kind\n    file: k.csv\n    columns: {id: Nr}\n", "registries[0].subject", 4, `"kind" is not a subject type`},
		{"registry no subject", "organisation: X\nregistries:\n  - name: k\n    file: k.csv\n    columns: {id: Nr}\n", "registries[0].subject", 3, "missing"},
		{"registry no name", "organisation: X\nregistries:\n  - subject: child\n    file: k.csv\n    columns: {id: Nr}\n", "registries[0].name", 3, "missing"},
		{"registry duplicate", "organisation: X\nregistries:\n  - {name: k, subject: child, file: k.csv, columns: {id: Nr}}\n  - {name: k, subject: parent, file: o.csv, columns: {id: Nr}}\n", "registries[1].name", 4, "also the name of registries[0]"},
		{"registry no file", "organisation: X\nregistries:\n  - {name: k, subject: child, columns: {id: Nr}}\n", "registries[0].file", 3, "missing"},
		{"registry file type", "organisation: X\nregistries:\n  - {name: k, subject: child, file: k.xls, columns: {id: Nr}}\n", "registries[0].file", 3, ".csv or .xlsx"},
		{"registry sheet on csv", "organisation: X\nregistries:\n  - name: k\n    subject: child\n    file: k.csv\n    sheet: Blad1\n    columns: {id: Nr}\n", "registries[0].sheet", 6, "xlsx files only"},
		{"registry delimiter", "organisation: X\nregistries:\n  - name: k\n    subject: child\n    file: k.csv\n    delimiter: \"|\"\n    columns: {id: Nr}\n", "registries[0].delimiter", 6, "not a supported delimiter"},
		{"registry unzip limit on csv", "organisation: X\nregistries:\n  - name: k\n    subject: child\n    file: k.csv\n    max_unzipped_mb: 10\n    columns: {id: Nr}\n", "registries[0].max_unzipped_mb", 6, "xlsx files only"},
		{"registry unzip limit negative", "organisation: X\nregistries:\n  - name: k\n    subject: child\n    file: k.xlsx\n    max_unzipped_mb: -1\n    columns: {id: Nr}\n", "registries[0].max_unzipped_mb", 6, "out of range"},
		{"registry fact", "organisation: X\nregistries:\n  - name: k\n    subject: employee\n    file: k.csv\n    columns:\n      id: Nr\n      end_of_care: Einde\n", "registries[0].columns.end_of_care", 8, "not a fact of subject type employee"},
		{"registry no id", "organisation: X\nregistries:\n  - name: k\n    subject: child\n    file: k.csv\n    columns:\n      name: Naam\n", "registries[0].columns.id", 3, "missing"},
		{"registry empty header", "organisation: X\nregistries:\n  - name: k\n    subject: child\n    file: k.csv\n    columns:\n      id: \"\"\n", "registries[0].columns.id", 7, "names no column"},
		{"registry no columns", "organisation: X\nregistries:\n  - {name: k, subject: child, file: k.csv}\n", "registries[0].columns", 3, "missing"},
		{"listen", "organisation: X\ndaemon:\n  listen: 9465\n", "daemon.listen", 3, "host:port"},
		{"schedule", "organisation: X\ndaemon:\n  apply_schedule: '0 3 * * * *'\n", "daemon.apply_schedule", 3, "6 fields"},
		{"s3 key without secret", "organisation: X\nstores:\n  - name: b\n    type: s3\n    bucket: x\n    access_key_id: AK\n    layout: [{path: '{date}.tgz', category: backup}]\n", "stores[0].access_key_id", 3, "go together"},
		{"auto_apply id", "organisation: X\ndaemon:\n  auto_apply: [c10]\n", "daemon.auto_apply[0]", 3, "not a rule id"},
		{"redis address", "organisation: X\ndaemon:\n  redis: {address: localhost}\n", "daemon.redis.address", 3, "host:port"},
		{"webhook format", "organisation: X\nnotify:\n  webhook:\n    url: https://hooks.example.nl/x\n    format: generic\n", "notify.webhook.format", 5, "unknown value"},
		{"webhook secret header", "organisation: X\nnotify:\n  webhook:\n    url: https://hooks.example.nl/x\n    headers: {Authorization: Bearer x}\n", "notify.webhook.headers.Authorization", 5, "credential"},
		{"notify lang", "organisation: X\nnotify:\n  lang: de\n  webhook: {url: 'https://hooks.example.nl/x'}\n", "notify.lang", 3, "unknown language"},
		{"smtp plain", "organisation: X\nnotify:\n  smtp:\n    host: mail.example.nl\n    security: insecure_plain\n    from: r@example.nl\n    to: [a@example.nl]\n", "notify.smtp.security", 5, "localhost"},
		{"stores not a list", "organisation: X\nstores:\n  name: x\n", "stores", 2, "must be a list"},
		{"store name", "organisation: X\nstores:\n" + okStore + "  - name: Oud_Archief\n    type: localfs\n    root: a\n    layout: [{path: '**', category: log}]\n", "stores[1].name", 7, "not a store name"},
		{"store no name", "organisation: X\nstores:\n  - type: localfs\n    root: a\n    layout: [{path: '**', category: log}]\n", "stores[0].name", 3, "missing"},
		{"store duplicate", "organisation: X\nstores:\n" + okStore + strings.Replace(okStore, "root: data", "root: data2", 1), "stores[1].name", 7, "also the name of stores[0]"},
		{"store type", "organisation: X\nstores:\n  - name: a\n    type: lokaal\n", "stores[0].type", 4, `"lokaal" is not a store type`},
		{"store no type", "organisation: X\nstores:\n  - name: a\n    root: r\n", "stores[0].type", 3, "missing"},
		{"localfs root", "organisation: X\nstores:\n  - name: a\n    type: localfs\n    layout: [{path: '**', category: log}]\n", "stores[0].root", 3, "type localfs needs it"},
		{"icloud root", "organisation: X\nstores:\n  - name: a\n    type: icloud\n    layout: [{path: '**', category: log}]\n", "stores[0].root", 3, "type icloud needs it"},
		{"s3 bucket", "organisation: X\nstores:\n  - name: a\n    type: s3\n    layout: [{path: '**', category: backup}]\n", "stores[0].bucket", 3, "type s3 needs it"},
		{"profile as a mapping", "organisation: X\nstores:\n  - name: a\n    type: export\n    files: x\n    profile:\n      columns: {a: b}\n", "stores[0].profile", 6, "single value"},
		{"export files", "organisation: X\nstores:\n  - name: a\n    type: export\n    profile: p\n", "stores[0].files", 3, "type export needs it"},
		{"export profile", "organisation: X\nstores:\n  - name: a\n    type: export\n    files: x/*.csv\n", "stores[0].profile", 3, "type export needs it"},
		{"key of other type", "organisation: X\nstores:\n  - name: a\n    type: localfs\n    root: r\n    prefix: p/\n    layout: [{path: '**', category: log}]\n", "stores[0].prefix", 6, "only to s3"},
		{"layout rule id", "organisation: X\nstores:\n  - name: a\n    type: s3\n    bucket: b\n    layout:\n      - path: '{date}.tar.gz'\n        category: backup\n        rule: v4\n", "stores[0].layout[0].rule", 9, `"v4" is not a rule id`},
		{"layout rule empty", "organisation: X\nstores:\n  - name: a\n    type: s3\n    bucket: b\n    layout: [{path: '{date}.tar.gz', category: backup, rule: ''}]\n", "stores[0].layout[0].rule", 6, "not a rule id"},
		{"layout rule with subject", "organisation: X\nstores:\n  - name: a\n    type: s3\n    bucket: b\n    layout:\n      - path: '{child.name}/{date}.zip'\n        category: backup\n        rule: V4\n", "stores[0].layout[0].rule", 9, "backups belong to no subject"},
		{"no layout", "organisation: X\nstores:\n  - name: a\n    type: localfs\n    root: r\n", "stores[0].layout", 3, "missing"},
		{"archives", "organisation: X\nstores:\n  - name: a\n    type: localfs\n    root: r\n    archives: nee\n    layout: [{path: '**', category: log}]\n", "stores[0].archives", 6, "true or false"},
		{"s3 endpoint", "organisation: X\nstores:\n  - name: a\n    type: s3\n    bucket: b\n    endpoint: s3.example.nl\n    layout: [{path: '**', category: backup}]\n", "stores[0].endpoint", 6, "URL"},
		{"onedrive secret", "organisation: X\nstores:\n  - name: a\n    type: onedrive\n    tenant_id: t\n    client_id: c\n    user: u@example.nl\n    layout: [{path: '**', category: log}]\n", "stores[0].client_secret_file", 3, "exactly one of client_secret_file"},
		{"onedrive drive", "organisation: X\nstores:\n  - name: a\n    type: onedrive\n    tenant_id: t\n    client_id: c\n    client_secret_env: S\n    user: u\n    drive_id: d\n    layout: [{path: '**', category: log}]\n", "stores[0].drive_id", 3, "exactly one of drive_id"},
		{"onedrive library", "organisation: X\nstores:\n  - name: a\n    type: onedrive\n    tenant_id: t\n    client_id: c\n    client_secret_env: S\n    user: u\n    library: Documenten\n    layout: [{path: '**', category: log}]\n", "stores[0].library", 9, "only with site"},
		{"layout category", "organisation: X\nstores:\n  - name: a\n    type: localfs\n    root: r\n    layout:\n      - path: '**'\n        category: dossier\n", "stores[0].layout[0].category", 8, `"dossier" is not a category`},
		{"layout no category", "organisation: X\nstores:\n  - name: a\n    type: localfs\n    root: r\n    layout:\n      - path: '**'\n", "stores[0].layout[0].category", 7, "missing"},
		{"layout no path", "organisation: X\nstores:\n  - name: a\n    type: localfs\n    root: r\n    layout:\n      - category: log\n", "stores[0].layout[0].path", 7, "missing"},
		{"layout placeholder", "organisation: X\nstores:\n  - name: a\n    type: localfs\n    root: r\n    layout:\n      - category: log\n        path: '{kind.naam}/**'\n", "stores[0].layout[0].path", 8, "{kind.naam} is not a placeholder"},
		{"layout braces", "organisation: X\nstores:\n  - name: a\n    type: localfs\n    root: r\n    layout:\n      - category: log\n        path: '{child.name/**'\n", "stores[0].layout[0].path", 8, "without a matching }"},
		{"layout two subjects", "organisation: X\nstores:\n  - name: a\n    type: localfs\n    root: r\n    layout:\n      - {category: log, path: '{child.name}/{employee.id}'}\n", "stores[0].layout[0].path", 7, "two subject types"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "retentiond.yaml")
			if err := os.WriteFile(path, []byte(tt.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := Load(path)
			if err == nil {
				t.Fatalf("no error; config %+v", c)
			}
			if c != nil {
				t.Error("Load returned a config with an error")
			}
			ps := problems(t, err)
			if len(ps) != 1 {
				t.Fatalf("want 1 problem, got %d:\n%v", len(ps), err)
			}
			p := ps[0]
			if p.Key != tt.key || p.Line != tt.line || !strings.Contains(p.Msg, tt.msg) || p.Fix == "" || p.File != path {
				t.Errorf("got %s\nwant key %q line %d msg containing %q and a fix", p, tt.key, tt.line, tt.msg)
			}
			if tt.line > 0 && p.Column == 0 {
				t.Errorf("no column: %s", p)
			}
		})
	}
}

func TestUnreadable(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "missing.yaml"))
	ps := problems(t, err)
	if len(ps) != 1 || !strings.Contains(ps[0].Msg, "cannot read") || ps[0].Fix == "" {
		t.Errorf("got %v", err)
	}
}
