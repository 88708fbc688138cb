#!/usr/bin/env bash
# The project's test command (README, Makefile and .ci/run call it).
# It installs what the tests need on a fresh machine, then runs every
# check. Offline apart from the Go module proxy.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== go version: $(go version)"
go mod download

# Real tools the tests run: promtool and the Prometheus server (both in
# Debian's prometheus package) for the metrics, the alert rules and the
# fleet test (cmd/retentiond TestFleetWithPrometheus), systemd-analyze for the unit's security score,
# redis-server for the replicas' locks, chromium (headless, driven by
# chromedp) for the review console's browser tests. Installed when missing and we may;
# under CI a test whose tool is missing fails instead of skipping.
need=()
{ command -v promtool >/dev/null && command -v prometheus >/dev/null; } || need+=(prometheus)
command -v systemd-analyze >/dev/null || need+=(systemd)
command -v redis-server >/dev/null || need+=(redis-server)
command -v chromium >/dev/null || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== apt-get install ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "missing ${need[*]}: install them (Debian: apt-get install ${need[*]}) or the tests that need them skip"
  fi
fi

echo "== go mod tidy"
# go.mod and go.sum say exactly what the code imports (direct and
# indirect as they are): a change that needs `go mod tidy` fails here.
go mod tidy -diff

echo "== gofmt"
bad=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './retentiond-demo/*'))
if [ -n "$bad" ]; then
  echo "gofmt would change:"; echo "$bad"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== go test"
go test -count=1 ./...
