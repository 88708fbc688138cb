package deploy_test

import (
	"net"
	"net/url"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// listenPort returns the port of a host:port listen address.
func listenPort(t *testing.T, key, addr string) uint64 {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("%s %q: %v", key, addr, err)
	}
	n, err := strconv.ParseUint(p, 10, 16)
	if err != nil {
		t.Fatalf("%s %q: %v", key, addr, err)
	}
	return n
}

// TestSystemdConsole checks the systemd sample's console: on the
// loopback address only (a TLS reverse proxy in front) and with an https
// public_url, so that its cookies are Secure.
func TestSystemdConsole(t *testing.T) {
	c := loadConfig(t, "systemd/config.yaml")
	if !c.Console.Enabled() || c.Console.Listen != "127.0.0.1:9466" {
		t.Errorf("console.listen %q, want 127.0.0.1:9466 (the reverse proxy on the same machine reaches it)", c.Console.Listen)
	}
	u, err := url.Parse(c.Console.PublicURL)
	if err != nil || u.Scheme != "https" || u.Path != "/" {
		t.Errorf("console.public_url %q, want the https address at the root of the proxy's host name", c.Console.PublicURL)
	}
	for _, f := range []string{c.Console.TLSCertFile, c.Console.TLSKeyFile} {
		if f != "" && path.Dir(f) != "/run/credentials/retentiond.service" {
			t.Errorf("console TLS file %s is not where LoadCredential= puts it", f)
		}
	}
}

var (
	credRefRe  = regexp.MustCompile(`(?m)^(\s*#)?.*/run/credentials/retentiond\.service/([A-Za-z0-9._-]+)`)
	loadCredRe = regexp.MustCompile(`(?m)^(#)?LoadCredential=([^:\s]+):`)
)

// TestSystemdCredentialsLoaded checks that every file config.yaml reads
// from /run/credentials/retentiond.service/ — in its settings and in its
// commented examples (the console's OIDC secret and TLS files) — has its
// LoadCredential= in the unit, and that a setting in force has one in
// force (a commented one would leave the file missing).
func TestSystemdCredentialsLoaded(t *testing.T) {
	cfg, err := os.ReadFile("systemd/config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	unit, err := os.ReadFile("systemd/retentiond.service")
	if err != nil {
		t.Fatal(err)
	}
	active := map[string]bool{} // credential name -> LoadCredential= not commented
	for _, m := range loadCredRe.FindAllStringSubmatch(string(unit), -1) {
		active[m[2]] = active[m[2]] || m[1] == ""
	}
	refs := credRefRe.FindAllStringSubmatch(string(cfg), -1)
	var console int
	for _, m := range refs {
		name, commented := m[2], m[1] != ""
		inForce, ok := active[name]
		switch {
		case !ok:
			t.Errorf("config.yaml reads credential %s, which no LoadCredential= (commented or not) in the unit loads", name)
		case !commented && !inForce:
			t.Errorf("config.yaml reads credential %s, whose LoadCredential= in the unit is commented out", name)
		}
		if strings.HasPrefix(name, "console") {
			console++
		}
	}
	if console < 3 {
		t.Errorf("config.yaml names %d console credentials, want the OIDC client secret and the TLS certificate and key as examples", console)
	}
}

// selects reports whether the label selector sel (a map) matches labels.
func selects(sel, labels any) bool {
	s, _ := sel.(map[string]any)
	l, _ := labels.(map[string]any)
	if len(s) == 0 {
		return false
	}
	for k, v := range s {
		if l[k] != v {
			return false
		}
	}
	return true
}

// targets reports whether a Service port sends its traffic to the
// container port named name with number num.
func targets(port any, name string, num uint64) bool {
	tp := get(port, "targetPort")
	if tp == nil {
		tp = get(port, "port")
	}
	return tp == name || tp == num
}

// TestKubernetesConsole checks that the console the ConfigMap's
// console.listen opens is a container port, a Service of its own that
// the ServiceMonitor leaves alone, and the Ingress example's backend,
// and that the OIDC client secret is mounted where the example in the
// ConfigMap reads it.
func TestKubernetesConsole(t *testing.T) {
	text, c := configMapConfig(t)
	if !c.Console.Enabled() {
		t.Fatal("the ConfigMap turns the console off")
	}
	if host, _, _ := net.SplitHostPort(c.Console.Listen); host != "" && host != "0.0.0.0" && host != "::" {
		t.Errorf("console.listen %q: the Service reaches the pod's address, not %s", c.Console.Listen, host)
	}
	port := listenPort(t, "console.listen", c.Console.Listen)
	metrics := listenPort(t, "daemon.listen", c.Daemon.Listen)
	pub, err := url.Parse(c.Console.PublicURL)
	if err != nil || pub.Scheme != "https" || pub.Path != "/" {
		t.Errorf("console.public_url %q, want the Ingress's https address at the root of its host", c.Console.PublicURL)
	}

	ms := manifests(t)
	d := byKind(t, ms, "Deployment")
	spec := get(d, "spec", "template", "spec")
	main := list(spec, "containers")[0]
	found := map[string]uint64{}
	for _, p := range list(main, "ports") {
		n, _ := get(p, "containerPort").(uint64)
		found[str(p, "name")] = n
	}
	if found["console"] != port {
		t.Errorf("container port console is %d, want console.listen's %d", found["console"], port)
	}
	if found["metrics"] != metrics {
		t.Errorf("container port metrics is %d, want daemon.listen's %d", found["metrics"], metrics)
	}

	// The console's Service: selects the pods, targets the console
	// port; the ServiceMonitor selects no Service that does.
	podLabels := get(d, "spec", "template", "metadata", "labels")
	sm := byKind(t, ms, "ServiceMonitor")
	smPort := str(sm, "spec", "endpoints", 0, "port")
	var consoleSvc manifest
	var consolePort any
	scraped := 0
	for _, m := range ms {
		if str(m, "kind") != "Service" {
			continue
		}
		name := str(m, "metadata", "name")
		if !selects(get(m, "spec", "selector"), podLabels) {
			t.Errorf("Service %s does not select the pods", name)
		}
		if str(m, "spec", "type") != "" && str(m, "spec", "type") != "ClusterIP" {
			t.Errorf("Service %s is of type %s, want ClusterIP (reach the console through the Ingress or kubectl port-forward)", name, str(m, "spec", "type"))
		}
		var hasConsole, hasMetrics bool
		for _, p := range list(m, "spec", "ports") {
			if targets(p, "console", port) {
				hasConsole = true
				if consoleSvc != nil && str(consoleSvc, "metadata", "name") != name {
					t.Errorf("Services %s and %s both reach the console", str(consoleSvc, "metadata", "name"), name)
				}
				consoleSvc, consolePort = m, p
			}
			if str(p, "name") == smPort {
				hasMetrics = true
			}
		}
		if selects(get(sm, "spec", "selector", "matchLabels"), get(m, "metadata", "labels")) {
			scraped++
			if hasConsole {
				t.Errorf("the ServiceMonitor selects Service %s, which reaches the console: it must scrape /metrics only", name)
			}
			if !hasMetrics {
				t.Errorf("the ServiceMonitor selects Service %s, which has no port %s", name, smPort)
			}
		}
	}
	if scraped == 0 {
		t.Error("the ServiceMonitor selects no Service")
	}
	if consoleSvc == nil {
		t.Fatalf("no Service reaches container port console (%d)", port)
	}
	svcName := str(consoleSvc, "metadata", "name")
	// /readyz fails while no job can run (Redis down, ledger not
	// verifiable): the console stays reachable all the same.
	if v, _ := get(consoleSvc, "spec", "publishNotReadyAddresses").(bool); !v {
		t.Errorf("Service %s drops the console whenever the daemon is not ready: set publishNotReadyAddresses: true", svcName)
	}

	// The Ingress example: TLS for public_url's host, to the console's
	// Service.
	ingresses := 0
	for _, m := range ms {
		if str(m, "kind") != "Ingress" {
			continue
		}
		ingresses++
		var tlsHosts []any
		for _, tl := range list(m, "spec", "tls") {
			tlsHosts = append(tlsHosts, list(tl, "hosts")...)
		}
		if !containsAny(tlsHosts, pub.Hostname()) {
			t.Errorf("Ingress %s has TLS for %v, want console.public_url's host %s", m["#file"], tlsHosts, pub.Hostname())
		}
		for _, r := range list(m, "spec", "rules") {
			if str(r, "host") != pub.Hostname() {
				t.Errorf("Ingress %s: rule for host %q, want console.public_url's %s", m["#file"], str(r, "host"), pub.Hostname())
			}
			for _, p := range list(r, "http", "paths") {
				b := get(p, "backend", "service")
				if str(b, "name") != svcName {
					t.Errorf("Ingress %s sends %s to Service %s, want %s", m["#file"], str(p, "path"), str(b, "name"), svcName)
				}
				bp := get(b, "port", "name")
				if bp == nil {
					bp = get(b, "port", "number")
				}
				if bp != get(consolePort, "name") && bp != get(consolePort, "port") {
					t.Errorf("Ingress %s sends to port %v of Service %s, which has no such port", m["#file"], bp, svcName)
				}
			}
		}
	}
	if ingresses == 0 {
		t.Error("no Ingress example for the console")
	}

	// The OIDC client secret: an optional Secret volume, mounted where
	// the ConfigMap's (commented) client_secret_file points.
	var secretFile string
	for _, v := range list(spec, "volumes") {
		for _, it := range list(v, "secret", "items") {
			if str(it, "key") != "oidc-client-secret" {
				continue
			}
			if get(v, "secret", "optional") != true {
				t.Errorf("volume %s: the OIDC client secret must be optional, or the pod waits for a Secret that a console without OIDC lacks", str(v, "name"))
			}
			for _, vm := range list(main, "volumeMounts") {
				if str(vm, "name") == str(v, "name") {
					secretFile = path.Join(str(vm, "mountPath"), str(it, "path"))
				}
			}
		}
	}
	if secretFile == "" {
		t.Fatal("the Deployment mounts no Secret key oidc-client-secret into the retentiond container")
	}
	if !strings.Contains(text, "client_secret_file: "+secretFile) {
		t.Errorf("the ConfigMap's console.oidc example does not read client_secret_file: %s, where the Deployment mounts it", secretFile)
	}
	var secretDefined bool
	for _, m := range ms {
		if str(m, "kind") == "Secret" && get(m, "stringData", "oidc-client-secret") != nil {
			secretDefined = true
		}
	}
	if !secretDefined {
		t.Error("secrets.example.yaml shows no Secret with key oidc-client-secret")
	}
}

func containsAny(l []any, s string) bool {
	for _, v := range l {
		if v == s {
			return true
		}
	}
	return false
}

var (
	exposeRe     = regexp.MustCompile(`(?m)^EXPOSE\s+(.+)$`)
	entrypointRe = regexp.MustCompile(`(?m)^ENTRYPOINT\s+\["([^"]+)"`)
)

// TestContainerExposesConsole checks that the image exposes the ports of
// the ConfigMap's daemon.listen and console.listen.
func TestContainerExposesConsole(t *testing.T) {
	data, err := os.ReadFile("container/Containerfile")
	if err != nil {
		t.Fatal(err)
	}
	exposed := map[string]bool{}
	for _, m := range exposeRe.FindAllStringSubmatch(string(data), -1) {
		for _, p := range strings.Fields(m[1]) {
			exposed[strings.TrimSuffix(p, "/tcp")] = true
		}
	}
	_, c := configMapConfig(t)
	for key, addr := range map[string]string{"daemon.listen": c.Daemon.Listen, "console.listen": c.Console.Listen} {
		if p := strconv.FormatUint(listenPort(t, key, addr), 10); !exposed[p] {
			t.Errorf("the Containerfile does not EXPOSE %s, the port of %s", p, key)
		}
	}
}

// TestReadmeConsoleCommands checks that deploy/README.md's commands for
// the first console account use the image's binary and the config path
// of the Deployment, and that the Service it port-forwards exists: the
// distroless image has no shell and no PATH to fall back on.
func TestReadmeConsoleCommands(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	cf, err := os.ReadFile("container/Containerfile")
	if err != nil {
		t.Fatal(err)
	}
	m := entrypointRe.FindStringSubmatch(string(cf))
	if m == nil {
		t.Fatal("the Containerfile has no ENTRYPOINT [\"…\"]")
	}
	bin := m[1]
	ms := manifests(t)
	args := list(byKind(t, ms, "Deployment"), "spec", "template", "spec", "containers", 0, "args")
	var cfgPath string
	for i, a := range args {
		if a == "--config" && i+1 < len(args) {
			cfgPath, _ = args[i+1].(string)
		}
	}
	if cfgPath == "" {
		t.Fatal("the Deployment's args have no --config")
	}
	var execs int
	for line := range strings.Lines(string(readme)) {
		if !strings.Contains(line, "kubectl") || !strings.Contains(line, "exec") || !strings.Contains(line, "console user add") {
			continue
		}
		execs++
		if !strings.Contains(line, " "+bin+" console user add") {
			t.Errorf("README.md runs %q, not the image's %s", strings.TrimSpace(line), bin)
		}
		if !strings.Contains(line, "--config "+cfgPath) {
			t.Errorf("README.md runs %q without --config %s", strings.TrimSpace(line), cfgPath)
		}
	}
	if execs == 0 {
		t.Error("README.md shows no kubectl exec … console user add for the first account")
	}
	byName(t, ms, "Service", "retentiond-console")
	if !strings.Contains(string(readme), "port-forward svc/retentiond-console 9466") {
		t.Error("README.md does not show kubectl port-forward svc/retentiond-console 9466")
	}
}
