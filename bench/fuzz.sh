#!/usr/bin/env bash
# Runs every Go fuzz target in the repository for a while each. Not part
# of CI (the seed corpora in testdata/fuzz/ run with every `go test`);
# run it by hand before a release, or nightly on a spare machine:
#
#   bench/fuzz.sh [MINUTES] [PACKAGE...]
#
# MINUTES is the time per target (default 5). PACKAGEs limit the run to
# those packages (default ./..., every package). Targets are found with
# `go test -list '^Fuzz'`, so new targets are picked up without editing
# this script. Environment:
#
#   FUZZ_PARALLEL       workers per target (default: go test's, one per CPU)
#   FUZZ_MINIMIZE_TIME  time to minimise a new input or a failure (default 15s;
#                       go's 60s stalls fuzzing on large seeds)
#
# A target that fails leaves its input in PACKAGE/testdata/fuzz/FuzzXxx/;
# the script goes on with the others and exits 1 at the end, listing them.
# Fix the bug, keep the input as a regression case (commit it: it then
# runs with every `go test`), and say in the commit what it found.
set -uo pipefail
cd "$(dirname "$0")/.."

minutes=${1:-5}
shift || true
if ! [[ $minutes =~ ^[0-9]+$ ]] || [ "$minutes" -eq 0 ]; then
  echo "usage: bench/fuzz.sh [MINUTES] [PACKAGE...]  (MINUTES a whole number > 0)" >&2
  exit 2
fi
pkgs=("$@")
[ ${#pkgs[@]} -eq 0 ] && pkgs=(./...)

# `go test -list` prints each package's matching tests, then a line
# "ok <import path> <time>" (or "? <path> [no test files]").
failed=()
listing=$(go test -list '^Fuzz' "${pkgs[@]}" 2>&1) || {
  # A package that does not build is reported, and the others fuzzed.
  grep -E '^(FAIL|#|[^ ]+\.go:)' <<<"$listing" >&2
  echo "bench/fuzz.sh: some packages could not be listed (see above); fuzzing the others" >&2
  failed+=("listing: a package does not build")
}
targets=()
names=()
while IFS= read -r line; do
  case "$line" in
    Fuzz*) names+=("$line") ;;
    ok*)
      pkg=$(awk '{print $2}' <<<"$line")
      for n in "${names[@]}"; do targets+=("$pkg $n"); done
      names=()
      ;;
    *) names=() ;;
  esac
done <<<"$listing"

if [ ${#targets[@]} -eq 0 ]; then
  echo "bench/fuzz.sh: no fuzz targets in ${pkgs[*]}" >&2
  exit 2
fi
echo "== ${#targets[@]} fuzz targets, ${minutes}m each (about $(( ${#targets[@]} * minutes ))m in all)"
for t in "${targets[@]}"; do echo "   $t"; done

flags=(-run '^$' -fuzztime "${minutes}m" -fuzzminimizetime "${FUZZ_MINIMIZE_TIME:-15s}")
[ -n "${FUZZ_PARALLEL:-}" ] && flags+=(-parallel "$FUZZ_PARALLEL")

for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  echo "== $name ($pkg)"
  start=$(date +%s)
  # Progress lines are left out but the last, which says how many inputs ran.
  if go test "${flags[@]}" -fuzz "^${name}\$" "$pkg" 2>&1 |
    awk '/^fuzz: elapsed: .*execs:/ { last = $0; next } { print } END { if (last) print last }'
    [ "${PIPESTATUS[0]}" -ne 0 ]; then
    failed+=("$name ($pkg)")
  fi
  echo "   $(( $(date +%s) - start ))s"
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "== FAILED: ${#failed[@]}; a failing target's input is in its package's testdata/fuzz/:"
  for f in "${failed[@]}"; do echo "   $f"; done
  exit 1
fi
echo "== all ${#targets[@]} fuzz targets ran ${minutes}m without a failure"
