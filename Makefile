# The README's two commands are `go run ./cmd/retentiond demo` and
# `./scripts/test.sh`; these targets are the same, for those used to make.
.PHONY: demo test build bench

demo:
	go run ./cmd/retentiond demo

test:
	./scripts/test.sh

# A release binary: no local paths in it, no symbol table.
build:
	go build -trimpath -ldflags "-s -w" -o bin/retentiond ./cmd/retentiond

bench:
	go run ./bench
