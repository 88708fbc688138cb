package onedrive

import (
	"os"
	"testing"
)

// TestLive runs read-only against a real tenant when
// RETENTIOND_GRAPH_TENANT_ID, _CLIENT_ID, _CLIENT_SECRET and one of
// _DRIVE_ID, _USER or _SITE (with _LIBRARY) are set; it is skipped
// otherwise. It lists the drive twice (the second time incrementally) and
// reads one record and its sharing links. It deletes nothing.
func TestLive(t *testing.T) {
	env := func(k string) string { return os.Getenv("RETENTIOND_GRAPH_" + k) }
	cfg := Config{
		TenantID: env("TENANT_ID"), ClientID: env("CLIENT_ID"), ClientSecret: env("CLIENT_SECRET"),
		DriveID: env("DRIVE_ID"), User: env("USER"), Site: env("SITE"), Library: env("LIBRARY"),
		Endpoint: env("ENDPOINT"), AuthorityHost: env("AUTHORITY_HOST"),
		StateDir: t.TempDir(),
	}
	if cfg.TenantID == "" || cfg.ClientID == "" || cfg.ClientSecret == "" || cfg.DriveID+cfg.User+cfg.Site == "" {
		t.Skip("set RETENTIOND_GRAPH_TENANT_ID, _CLIENT_ID, _CLIENT_SECRET and _DRIVE_ID, _USER or _SITE to run against a tenant")
	}
	s, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	first := collect(t, s)
	second := collect(t, s)
	if len(first) != len(second) {
		t.Errorf("full listing %d records, incremental %d", len(first), len(second))
	}
	t.Logf("%d records", len(first))
	for id, r := range first {
		got, err := s.Stat(t.Context(), id)
		if err != nil || !scannersSame(got, r) {
			// Not the records: their IDs name people.
			t.Errorf("Stat of a listed record differs from what Scan listed (error: %v)", err)
		}
		links, err := s.SharingLinks(t.Context(), id)
		if err != nil {
			t.Errorf("SharingLinks: %v", err)
		}
		t.Logf("one record has %d anonymous or organisation links", len(links))
		break
	}
}
