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
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/retentiond/retentiond/agent/demo"
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
	listen := flag.String("listen", "127.0.0.1:9467", "address to serve on")
	ready := flag.String("ready", "127.0.0.1:9468", "address that answers \"ready\" once the drive is filled and the config written (for a script to wait on; \"\" for none)")
	demoDir := flag.String("demo", "", "a folder made by `retentiond demo`: upload its dossiers and write config-onedrive.yaml")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("fakegraph: ")

	r := &runner{}
	srv := graphtest.NewServer(r, graphtest.Options{ClientID: clientID, ClientSecret: secret, Listen: *listen})
	if *demoDir != "" {
		n, err := srv.UploadDir("", "Kinddossiers", filepath.Join(*demoDir, demo.OneDriveFolder))
		if err != nil {
			log.Fatalf("%v (run `retentiond demo` first)", err)
		}
		srv.ShareSample("", "Kinddossiers")
		if err := writeDemo(srv, *demoDir); err != nil {
			log.Fatal(err)
		}
		log.Printf("uploaded %d files; wrote %s", n, filepath.Join(*demoDir, "config-onedrive.yaml"))
	}
	log.Printf("Graph at %s, sign-in at %s, tenant %s, drive %s", srv.GraphURL(), srv.AuthorityHost(), srv.TenantID(), srv.DefaultDrive())
	if err := serveReady(*ready); err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	<-ctx.Done()
	stop()
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
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
	_, err := demo.OneDriveConfig(dir, demo.OneDrive{TenantID: srv.TenantID(), ClientID: clientID, DriveID: srv.DefaultDrive(),
		Endpoint: srv.GraphURL(), AuthorityHost: srv.AuthorityHost(), SecretFile: "keys/graph.secret", CAFile: "graph-ca.pem"})
	return err
}

// serveReady answers "ready" on addr from now on: the fake is filled and
// serving, so `curl --retry-connrefused` on it waits without a sleep.
func serveReady(addr string) error {
	if addr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("-ready: %w", err)
	}
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ready") }))
	return nil
}
