//go:build screens

package console

import (
	"context"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/retentiond/retentiond/agent"
	"github.com/retentiond/retentiond/agent/demo"
	"github.com/retentiond/retentiond/agent/keys"
	"github.com/retentiond/retentiond/config"
	"github.com/retentiond/retentiond/rules"
	"path/filepath"
)

func TestScreens(t *testing.T) {
	ctx := context.Background()
	dir := "/tmp/h2demo"
	os.RemoveAll(dir)
	asOf := rules.MakeDate(2026, 12, 8)
	cfgPath, err := demo.Generate(dir, asOf, 1)
	if err != nil {
		t.Fatal(err)
	}
	keys.Generate(filepath.Join(dir, "keys"), keys.NameFor("demo"))
	cfg, _ := config.Load(cfgPath)
	svc, _ := agent.New(cfg, agent.Options{})
	svc.Plan(ctx, agent.PlanOptions{AsOf: asOf})
	con, err := New(svc, benchAuth{}, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:9477")
	srv := &http.Server{Handler: con}
	go srv.Serve(ln)
	os.WriteFile("/tmp/h2demo/ready", nil, 0o600)
	time.Sleep(90 * time.Second)
}
