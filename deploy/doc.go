// Package deploy holds retentiond's deployment files — the systemd unit,
// the container file, Kubernetes manifests, Prometheus alert rules and the
// Grafana dashboard — and, in its tests, the checks that keep them valid
// and in step with the metrics package. It has no Go API.
package deploy
