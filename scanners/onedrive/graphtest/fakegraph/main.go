// Command fakegraph runs graphtest's fake Microsoft Graph and Entra ID
// server on its own, so that retentiond's OneDrive store can be tried
// end to end without a tenant:
//
//	go run ./cmd/retentiond demo
//	go run ./scanners/onedrive/graphtest/fakegraph -demo retentiond-demo &
//	go run ./cmd/retentiond plan --config retentiond-demo/config-onedrive.yaml
//
// With -demo DIR it uploads the demo's child dossiers
// (DIR/data/OneDrive/Kinddossiers) into the drive under "Kinddossiers/",
// shares one child's folder with "anyone with the link" and one file
// organisation-wide, and writes next to the demo's config: the client
// secret (keys/graph.secret, mode 0600), the server's TLS certificate
// (graph-ca.pem) and config-onedrive.yaml, the demo config with a
// onedrive store in place of the local folder. It serves until
// interrupted; its state lives in memory only.
package main

import (
	"context"
	"encoding/pem"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/retentiond/retentiond/scanners/onedrive/graphtest"
)

const (
	clientID = "retentiond-demo-app"
	secret   = "demo-secret-not-for-production"
)

// runner lets the server run outside a test: a fatal error ends the
// program, and clean-ups run at exit.
type runner struct{ cleanups []func() }

func (r *runner) Helper()                           {}
func (r *runner) Fatal(args ...any)                 { log.Fatal(args...) }
func (r *runner) Fatalf(format string, args ...any) { log.Fatalf(format, args...) }
func (r *runner) Errorf(format string, args ...any) { log.Printf(format, args...) }
func (r *runner) Cleanup(f func())                  { r.cleanups = append(r.cleanups, f) }

func main() {
	listen := flag.String("listen", "127.0.0.1:9466", "address to serve on")
	demo := flag.String("demo", "", "a folder made by `retentiond demo`: upload its dossiers and write config-onedrive.yaml")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("fakegraph: ")

	r := &runner{}
	srv := graphtest.NewServer(r, graphtest.Options{ClientID: clientID, ClientSecret: secret, Listen: *listen})
	if *demo != "" {
		n, err := seed(srv, filepath.Join(*demo, "data", "OneDrive", "Kinddossiers"))
		if err != nil {
			log.Fatal(err)
		}
		if err := writeDemo(srv, *demo); err != nil {
			log.Fatal(err)
		}
		log.Printf("uploaded %d files; wrote %s", n, filepath.Join(*demo, "config-onedrive.yaml"))
	}
	log.Printf("Graph at %s, sign-in at %s, tenant %s, drive %s", srv.GraphURL(), srv.AuthorityHost(), srv.TenantID(), srv.DefaultDrive())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	<-ctx.Done()
	stop()
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

// seed uploads every file under dir into the drive's Kinddossiers
// folder, with its modification time, and shares two of them.
func seed(srv *graphtest.Server, dir string) (int, error) {
	n := 0
	var firstChild, firstFile string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		id := "Kinddossiers/" + filepath.ToSlash(rel)
		srv.AddFile("", id, b, fi.ModTime())
		if firstChild == "" {
			firstChild = "Kinddossiers/" + strings.SplitN(filepath.ToSlash(rel), "/", 2)[0]
		} else if firstFile == "" && !strings.HasPrefix(id, firstChild+"/") {
			firstFile = id
		}
		n++
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("reading the demo's dossiers (run `retentiond demo` first): %w", err)
	}
	if firstChild != "" {
		srv.Share("", firstChild, "anonymous")
	}
	if firstFile != "" {
		srv.Share("", firstFile, "organization")
	}
	return n, nil
}

// writeDemo writes the secret, the CA certificate and the config.
func writeDemo(srv *graphtest.Server, dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "keys", "graph.secret"), []byte(secret+"\n"), 0o600); err != nil {
		return err
	}
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(filepath.Join(dir, "graph-ca.pem"), ca, 0o644); err != nil {
		return err
	}
	base, err := os.ReadFile(filepath.Join(dir, "retentiond.yaml"))
	if err != nil {
		return fmt.Errorf("reading the demo's config (run `retentiond demo` first): %w", err)
	}
	top, _, ok := strings.Cut(string(base), "\nstores:\n")
	if !ok {
		return fmt.Errorf("%s has no stores: section", filepath.Join(dir, "retentiond.yaml"))
	}
	top = strings.Replace(top, "state_dir: state\n", "state_dir: state-onedrive\n", 1)
	cfg := top + fmt.Sprintf(`
stores:
  - name: onedrive-dossiers            # the dossiers in OneDrive, through Microsoft Graph (here the fake)
    type: onedrive
    tenant_id: %s
    client_id: %s
    client_secret_file: keys/graph.secret
    drive_id: %q
    endpoint: %s
    authority_host: %s
    ca_file: graph-ca.pem              # the fake's self-signed certificate
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
`, srv.TenantID(), clientID, srv.DefaultDrive(), srv.GraphURL(), srv.AuthorityHost())
	return os.WriteFile(filepath.Join(dir, "config-onedrive.yaml"), []byte(cfg), 0o644)
}
