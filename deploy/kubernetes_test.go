package deploy_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// manifest is one decoded Kubernetes document and the file it came from.
type manifest = map[string]any

// manifests decodes every document of every deploy/kubernetes/*.yaml.
func manifests(t *testing.T) []manifest {
	t.Helper()
	files, err := filepath.Glob("kubernetes/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in kubernetes/: %v", err)
	}
	var out []manifest
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for i := 0; ; i++ {
			var m manifest
			err := dec.Decode(&m)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s, document %d: %v", f, i+1, err)
			}
			if m == nil {
				continue
			}
			m["#file"] = fmt.Sprintf("%s#%d", f, i+1)
			out = append(out, m)
		}
	}
	return out
}

// get walks a decoded document by keys (strings) and list indexes (ints).
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func str(v any, path ...any) string {
	s, _ := get(v, path...).(string)
	return s
}

func list(v any, path ...any) []any {
	l, _ := get(v, path...).([]any)
	return l
}

func TestManifestsHaveKindAndAPIVersion(t *testing.T) {
	kinds := map[string]int{}
	for _, m := range manifests(t) {
		if str(m, "apiVersion") == "" || str(m, "kind") == "" {
			t.Errorf("%s: apiVersion or kind missing", m["#file"])
		}
		if str(m, "kind") != "Kustomization" && str(m, "metadata", "name") == "" {
			t.Errorf("%s: metadata.name missing", m["#file"])
		}
		kinds[str(m, "kind")]++
	}
	for _, k := range []string{"Deployment", "ConfigMap", "Secret", "PersistentVolumeClaim", "Service", "ServiceMonitor", "PodDisruptionBudget", "ServiceAccount", "Kustomization", "Ingress"} {
		if kinds[k] == 0 {
			t.Errorf("no %s manifest", k)
		}
	}
}

// byKind returns the one manifest of the kind (Secrets and Services
// aside: see byName).
func byKind(t *testing.T, ms []manifest, kind string) manifest {
	t.Helper()
	var found []manifest
	for _, m := range ms {
		if str(m, "kind") == kind {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d %s manifests, want 1", len(found), kind)
	}
	return found[0]
}

// byName returns the manifest of the kind and name.
func byName(t *testing.T, ms []manifest, kind, name string) manifest {
	t.Helper()
	for _, m := range ms {
		if str(m, "kind") == kind && str(m, "metadata", "name") == name {
			return m
		}
	}
	t.Fatalf("no %s %s", kind, name)
	return nil
}

func TestDeploymentIsLockedDown(t *testing.T) {
	ms := manifests(t)
	d := byKind(t, ms, "Deployment")
	spec := get(d, "spec", "template", "spec")
	if n, _ := get(d, "spec", "replicas").(uint64); n != 1 {
		t.Errorf("replicas %v, want 1 (one writer of the ledger)", get(d, "spec", "replicas"))
	}
	if str(d, "spec", "strategy", "type") != "Recreate" {
		t.Error("strategy is not Recreate: two pods would share the state volume during a rollout")
	}
	if get(spec, "securityContext", "runAsNonRoot") != true {
		t.Error("pod securityContext.runAsNonRoot is not true")
	}
	if str(spec, "securityContext", "seccompProfile", "type") != "RuntimeDefault" {
		t.Error("pod seccompProfile is not RuntimeDefault")
	}
	if get(spec, "automountServiceAccountToken") != false {
		t.Error("a service account token is mounted")
	}
	containers := append(list(spec, "initContainers"), list(spec, "containers")...)
	if len(containers) < 2 {
		t.Fatalf("%d containers, want the key-copying init container and retentiond", len(containers))
	}
	for _, c := range containers {
		name := str(c, "name")
		sc := get(c, "securityContext")
		if get(sc, "readOnlyRootFilesystem") != true || get(sc, "allowPrivilegeEscalation") != false {
			t.Errorf("container %s: readOnlyRootFilesystem must be true and allowPrivilegeEscalation false", name)
		}
		if !slices.Equal(list(sc, "capabilities", "drop"), []any{"ALL"}) {
			t.Errorf("container %s: capabilities.drop is %v, want [ALL]", name, get(sc, "capabilities", "drop"))
		}
		if get(c, "resources", "limits", "memory") == nil {
			t.Errorf("container %s has no memory limit", name)
		}
	}
	main := list(spec, "containers")[0]
	port := get(main, "ports", 0)
	if str(port, "name") != "metrics" || get(port, "containerPort") != uint64(9465) {
		t.Errorf("first port is %v, want metrics 9465", port)
	}
	for probe, path := range map[string]string{"livenessProbe": "/healthz", "readinessProbe": "/readyz", "startupProbe": "/healthz"} {
		if str(main, probe, "httpGet", "path") != path || str(main, probe, "httpGet", "port") != "metrics" {
			t.Errorf("%s is %v, want GET %s on port metrics", probe, get(main, probe), path)
		}
	}
	// Secret volumes are group-readable under fsGroup; 0440 as an octal
	// number (288), not a YAML 1.2 decimal 440.
	for _, v := range list(spec, "volumes") {
		if mode := get(v, "secret", "defaultMode"); mode != nil && mode != uint64(0o440) {
			t.Errorf("volume %s: defaultMode %v, want 0440 (288)", str(v, "name"), mode)
		}
	}
}

// TestReferencesResolve checks that every ConfigMap, Secret and claim the
// Deployment names, and the Service, ServiceMonitor and PDB selectors,
// match a manifest here.
func TestReferencesResolve(t *testing.T) {
	ms := manifests(t)
	names := map[string]bool{}
	for _, m := range ms {
		names[str(m, "kind")+"/"+str(m, "metadata", "name")] = true
	}
	d := byKind(t, ms, "Deployment")
	spec := get(d, "spec", "template", "spec")
	var refs []string
	for _, v := range list(spec, "volumes") {
		switch {
		case get(v, "configMap") != nil:
			refs = append(refs, "ConfigMap/"+str(v, "configMap", "name"))
		case get(v, "secret") != nil:
			refs = append(refs, "Secret/"+str(v, "secret", "secretName"))
		case get(v, "persistentVolumeClaim") != nil:
			refs = append(refs, "PersistentVolumeClaim/"+str(v, "persistentVolumeClaim", "claimName"))
		}
	}
	for _, c := range list(spec, "containers") {
		for _, e := range list(c, "env") {
			if r := str(e, "valueFrom", "secretKeyRef", "name"); r != "" {
				refs = append(refs, "Secret/"+r)
			}
		}
	}
	refs = append(refs, "ServiceAccount/"+str(spec, "serviceAccountName"))
	for _, r := range refs {
		if !names[r] {
			t.Errorf("the Deployment refers to %s, which no manifest defines", r)
		}
	}
	podLabels, _ := get(d, "spec", "template", "metadata", "labels").(map[string]any)
	matches := func(sel any) bool {
		m, _ := sel.(map[string]any)
		if len(m) == 0 {
			return false
		}
		for k, v := range m {
			if podLabels[k] != v {
				return false
			}
		}
		return true
	}
	if !matches(get(d, "spec", "selector", "matchLabels")) {
		t.Error("the Deployment's selector does not match its pod labels")
	}
	svc := byName(t, ms, "Service", "retentiond")
	if !matches(get(svc, "spec", "selector")) {
		t.Error("the Service does not select the pods")
	}
	if !matches(get(byKind(t, ms, "PodDisruptionBudget"), "spec", "selector", "matchLabels")) {
		t.Error("the PodDisruptionBudget does not select the pods")
	}
	sm := byKind(t, ms, "ServiceMonitor")
	svcLabels, _ := get(svc, "metadata", "labels").(map[string]any)
	for k, v := range get(sm, "spec", "selector", "matchLabels").(map[string]any) {
		if svcLabels[k] != v {
			t.Errorf("the ServiceMonitor selects %s=%v, which the Service lacks", k, v)
		}
	}
	if str(sm, "spec", "endpoints", 0, "port") != str(svc, "spec", "ports", 0, "name") {
		t.Error("the ServiceMonitor scrapes a port the Service does not name")
	}
	// Every file of the directory but the examples (secrets, Ingress) is
	// in the kustomization, so kubectl apply -k deploys it.
	files, _ := filepath.Glob("kubernetes/*.yaml")
	res := list(byKind(t, ms, "Kustomization"), "resources")
	for _, f := range files {
		base := filepath.Base(f)
		if base == "kustomization.yaml" || strings.HasSuffix(base, ".example.yaml") {
			if slices.Contains(res, any(base)) {
				t.Errorf("kustomization.yaml lists the example %s", base)
			}
			continue
		}
		if !slices.Contains(res, any(base)) {
			t.Errorf("kustomization.yaml does not list %s", base)
		}
	}
	for _, r := range res {
		if _, err := os.Stat(filepath.Join("kubernetes", r.(string))); err != nil {
			t.Errorf("kustomization.yaml lists %v: %v", r, err)
		}
	}
}
