package deploy_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// The state volume's sizing rule (deploy/README.md, "Sizing the state
// volume"), from bench/stategrowth on the demo: a night's plan takes 72
// bytes on disk per record the stores list, plans are kept 90 nights
// (state.applied_plans), the ledger grows 1.3 KB a night; budget the
// ledger for ten years and double the sum.
const (
	bytesPerRecordNight = 72
	plansKeptNights     = 90
	ledgerBytesNight    = 1300
	ledgerNights        = 3650
	minStateVolume      = 1 << 30
)

// stateVolumeFor is the size the rule gives for records.
func stateVolumeFor(records int64) int64 {
	need := 2 * (records*bytesPerRecordNight*plansKeptNights + ledgerBytesNight*ledgerNights)
	return max(need, minStateVolume)
}

var quantityRe = regexp.MustCompile(`^([0-9]+)(Ki|Mi|Gi|Ti|k|M|G|T)?$`)

// quantity parses a Kubernetes storage quantity such as 2Gi.
func quantity(t *testing.T, q string) int64 {
	t.Helper()
	m := quantityRe.FindStringSubmatch(q)
	if m == nil {
		t.Fatalf("storage %q is not a quantity this test reads (such as 2Gi)", q)
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	mult := map[string]int64{"": 1, "Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}
	return n * mult[m[2]]
}

// overlays lists deploy/overlays/*, one folder per organisation.
func overlays(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob("overlays/*/kustomization.yaml")
	if err != nil || len(dirs) < 2 {
		t.Fatalf("%d overlays in overlays/, want one per example organisation (at least two): %v", len(dirs), err)
	}
	for i, d := range dirs {
		dirs[i] = filepath.Dir(d)
	}
	return dirs
}

// decodeAll decodes every YAML document of data.
func decodeAll(t *testing.T, what string, data []byte) []manifest {
	t.Helper()
	var out []manifest
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for i := 0; ; i++ {
		var m manifest
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s, document %d: %v", what, i+1, err)
		}
		if m != nil {
			m["#file"] = what
			out = append(out, m)
		}
	}
	return out
}

func readManifest(t *testing.T, path string) manifest {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ms := decodeAll(t, path, data)
	if len(ms) != 1 {
		t.Fatalf("%s: %d documents, want 1", path, len(ms))
	}
	return ms[0]
}

var digestRe = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// TestOverlaysFiles checks each organisation's overlay as files: every
// image of the base Deployment pinned by digest, a namespace of its own,
// its config (which loads) with the verifier key and the console's
// host, the Ingress on that host, and a state volume the sizing rule
// allows for the records it declares.
func TestOverlaysFiles(t *testing.T) {
	base := byKind(t, manifests(t), "Deployment")
	spec := get(base, "spec", "template", "spec")
	baseImages := map[string]bool{}
	for _, c := range append(list(spec, "initContainers"), list(spec, "containers")...) {
		name, _, _ := strings.Cut(str(c, "image"), ":")
		baseImages[name] = true
	}
	namespaces, orgs, hosts := map[string]string{}, map[string]string{}, map[string]string{}
	for _, dir := range overlays(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			k := readManifest(t, filepath.Join(dir, "kustomization.yaml"))
			if !strings.Contains(strings.Join(strings.Fields(strings.TrimSpace(str(k, "resources", 0))), ""), "../../kubernetes") {
				t.Errorf("resources %v do not start with the base ../../kubernetes", get(k, "resources"))
			}
			pinned := map[string]bool{}
			for _, img := range list(k, "images") {
				if d := str(img, "digest"); !digestRe.MatchString(d) {
					t.Errorf("image %s: digest %q, want sha256: and 64 hex digits", str(img, "name"), d)
				} else {
					pinned[str(img, "name")] = true
				}
			}
			for img := range baseImages {
				if !pinned[img] {
					t.Errorf("image %s of the Deployment is not pinned by digest", img)
				}
			}
			ns := str(k, "namespace")
			if ns == "" || ns == "retentiond" {
				t.Errorf("namespace %q: each organisation needs a namespace of its own", ns)
			}
			if other, ok := namespaces[ns]; ok {
				t.Errorf("namespace %s is also %s's", ns, other)
			}
			namespaces[ns] = dir

			c := loadConfig(t, filepath.Join(dir, "config.yaml"))
			if other, ok := orgs[c.Organisation]; ok {
				t.Errorf("organisation %q is also %s's", c.Organisation, other)
			}
			orgs[c.Organisation] = dir
			if c.LedgerVerifyKeyFile == "" {
				t.Error("config.yaml sets no ledger_verify_key_file")
			}
			pub, err := os.ReadFile(filepath.Join(dir, "ledger.pub"))
			if err != nil {
				t.Fatal(err)
			}
			verifyKeyText(t, filepath.Join(dir, "ledger.pub"), strings.TrimSpace(string(pub)))
			u, err := url.Parse(c.Console.PublicURL)
			if err != nil || u.Scheme != "https" || u.Path != "/" {
				t.Fatalf("console.public_url %q, want https at the root of a host of the organisation's own", c.Console.PublicURL)
			}
			if other, ok := hosts[u.Host]; ok {
				t.Errorf("console host %s is also %s's", u.Host, other)
			}
			hosts[u.Host] = dir
			ing := readManifest(t, filepath.Join(dir, "ingress.yaml"))
			if str(ing, "spec", "rules", 0, "host") != u.Host || str(ing, "spec", "tls", 0, "hosts", 0) != u.Host {
				t.Errorf("the Ingress serves %s (TLS %s), the config's public_url %s", str(ing, "spec", "rules", 0, "host"), str(ing, "spec", "tls", 0, "hosts", 0), u.Host)
			}
			if str(ing, "spec", "rules", 0, "http", "paths", 0, "backend", "service", "name") != "retentiond-console" {
				t.Error("the Ingress does not send to Service retentiond-console")
			}

			pvc := readManifest(t, filepath.Join(dir, "pvc.yaml"))
			records, err := strconv.ParseInt(str(pvc, "metadata", "annotations", "retentiond.io/records"), 10, 64)
			if err != nil || records <= 0 {
				t.Fatalf("pvc.yaml: annotation retentiond.io/records %q, want the records the stores list", str(pvc, "metadata", "annotations", "retentiond.io/records"))
			}
			size := quantity(t, str(pvc, "spec", "resources", "requests", "storage"))
			if want := stateVolumeFor(records); size < want {
				t.Errorf("state volume %d bytes for %d records, the sizing rule wants %d", size, records, want)
			}
		})
	}
}

// TestOverlaysBuild builds each overlay with kubectl kustomize (skipped
// without kubectl; TestOverlaysFiles checks the files all the same) and
// checks what it makes: every container image pinned by digest, every
// object in the organisation's namespace, the organisation's config and
// verifier key mounted, its volume size and its Ingress.
func TestOverlaysBuild(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl not found: the overlays are checked as files only (TestOverlaysFiles)")
	}
	for _, dir := range overlays(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			out, ok := run(t, ".", kubectl, "kustomize", dir)
			if !ok {
				t.Fatalf("kubectl kustomize %s:\n%s", dir, out)
			}
			ms := decodeAll(t, "kubectl kustomize "+dir, []byte(out))
			k := readManifest(t, filepath.Join(dir, "kustomization.yaml"))
			ns := str(k, "namespace")
			for _, m := range ms {
				kind := str(m, "kind")
				if kind == "Namespace" {
					if str(m, "metadata", "name") != ns {
						t.Errorf("Namespace %s, want %s", str(m, "metadata", "name"), ns)
					}
					continue
				}
				if got := str(m, "metadata", "namespace"); got != ns {
					t.Errorf("%s %s in namespace %q, want %s", kind, str(m, "metadata", "name"), got, ns)
				}
			}
			d := byKind(t, ms, "Deployment")
			spec := get(d, "spec", "template", "spec")
			for _, c := range append(list(spec, "initContainers"), list(spec, "containers")...) {
				_, digest, ok := strings.Cut(str(c, "image"), "@")
				if !ok || !digestRe.MatchString(digest) {
					t.Errorf("container %s runs image %s, not pinned by digest", str(c, "name"), str(c, "image"))
				}
			}
			// The organisation's own config and verifier key, not the base's.
			cm := byName(t, ms, "ConfigMap", "retentiond-config")
			own, err := os.ReadFile(filepath.Join(dir, "config.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if str(cm, "data", "config.yaml") != string(own) {
				t.Error("ConfigMap retentiond-config does not hold the overlay's config.yaml")
			}
			pub, _ := os.ReadFile(filepath.Join(dir, "ledger.pub"))
			if str(byName(t, ms, "ConfigMap", "retentiond-ledger-pub"), "data", "ledger.pub") != string(pub) {
				t.Error("ConfigMap retentiond-ledger-pub does not hold the overlay's ledger.pub")
			}
			path := filepath.Join(t.TempDir(), "config.yaml")
			if err := os.WriteFile(path, own, 0o600); err != nil {
				t.Fatal(err)
			}
			checkVerifyKeyMounted(t, ms, loadConfig(t, path).LedgerVerifyKeyFile)
			pvc := byKind(t, ms, "PersistentVolumeClaim")
			want := readManifest(t, filepath.Join(dir, "pvc.yaml"))
			if str(pvc, "spec", "resources", "requests", "storage") != str(want, "spec", "resources", "requests", "storage") {
				t.Errorf("the built claim asks %s, pvc.yaml %s", str(pvc, "spec", "resources", "requests", "storage"), str(want, "spec", "resources", "requests", "storage"))
			}
			if len(list(pvc, "spec", "accessModes")) == 0 {
				t.Error("the patch lost the claim's accessModes")
			}
			ing := byName(t, ms, "Ingress", "retentiond-console")
			svc := byName(t, ms, "Service", "retentiond-console")
			if str(ing, "spec", "rules", 0, "http", "paths", 0, "backend", "service", "port", "name") != str(svc, "spec", "ports", 0, "name") {
				t.Error("the Ingress names a port Service retentiond-console does not have")
			}
		})
	}
}

// TestSizingRuleDocumented: deploy/README.md states the rule this test
// checks the volumes against, with the same figures.
func TestSizingRuleDocumented(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	rule := fmt.Sprintf("volume ≥ 2 × (records × %d B × %d + %.1f KB × %d,%03d nights), at least %d Gi",
		bytesPerRecordNight, plansKeptNights, float64(ledgerBytesNight)/1000, ledgerNights/1000, ledgerNights%1000, minStateVolume>>30)
	if !strings.Contains(string(b), rule) {
		t.Errorf("README.md does not state the sizing rule %q", rule)
	}
}
