package demo

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// OneDriveFolder is the demo's folder of child dossiers, relative to the
// demo's folder: the one a fake Graph server is filled from.
const OneDriveFolder = "data/OneDrive/Kinddossiers"

// OneDriveConfigFile is the name of the config OneDriveConfig writes.
const OneDriveConfigFile = "config-onedrive.yaml"

// OneDrive says where the demo's dossiers are in Microsoft Graph (a fake
// server, in the demo) and how to sign in.
type OneDrive struct {
	TenantID, ClientID, DriveID string
	Endpoint, AuthorityHost     string
	// SecretFile and CAFile are relative to the demo's folder.
	SecretFile, CAFile string
}

// OneDriveConfig writes, into a demo's folder, the demo's config with the
// child dossiers in OneDrive (under "Kinddossiers/" in the drive) instead
// of a local folder, and a state dir of its own, and returns its path.
func OneDriveConfig(dir string, od OneDrive) (string, error) {
	base, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if err != nil {
		return "", fmt.Errorf("reading the demo's config: %w", err)
	}
	top, _, ok := strings.Cut(string(base), "\nstores:\n")
	if !ok {
		return "", fmt.Errorf("%s has no stores: section", filepath.Join(dir, ConfigFile))
	}
	top = strings.Replace(top, "\nstate_dir: state\n", "\nstate_dir: state-onedrive\n", 1)
	cfg := top + fmt.Sprintf(`
stores:
  - name: onedrive-dossiers            # the child dossiers in OneDrive, through Microsoft Graph
    type: onedrive
    tenant_id: %s
    client_id: %s
    client_secret_file: %s
    drive_id: %q
    endpoint: %s
    authority_host: %s
    ca_file: %s
    layout:
      - path: "Kinddossiers/{child.name}/Contracten/**"
        category: contract
      - path: "Kinddossiers/{child.name}/Facturen/**"
        category: financial
      - path: "Kinddossiers/{child.name}/Medisch/**"
        category: health
      - path: "Kinddossiers/{child.name}/Groepsmap/**"
        category: group-dossier
      - path: "Kinddossiers/{child.name}/**"
        category: child-dossier
`, od.TenantID, od.ClientID, od.SecretFile, od.DriveID, od.Endpoint, od.AuthorityHost, od.CAFile)
	path := filepath.Join(dir, OneDriveConfigFile)
	return path, os.WriteFile(path, []byte(cfg), 0o644)
}
