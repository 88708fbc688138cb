#!/usr/bin/env bash
# The project's test command (README, Makefile and .ci/run call it).
# It installs what the tests need on a fresh machine, then runs every
# check. Offline apart from the Go module proxy.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== go version: $(go version)"
go mod download

echo "== gofmt"
bad=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './retentiond-demo/*'))
if [ -n "$bad" ]; then
  echo "gofmt would change:"; echo "$bad"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== go test"
go test -count=1 ./...
