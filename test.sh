#!/usr/bin/env bash
# Runs the RobustnessLab test suite and ends with one summary line: "N passed, N failed, N skipped".
#   ./test.sh            everything (what CI runs)
#   ./test.sh --fast     skips [Category("Slow")] tests
#   ./test.sh -- ARGS    extra arguments for dotnet test (e.g. -- --filter FullyQualifiedName~Attacks)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
filter=()
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --fast) filter=(--filter "TestCategory!=Slow"); shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "test.sh: unknown option $1 (use --fast or -- ARGS)" >&2; exit 2 ;;
  esac
done
results="$root/tests/TestResults"
rm -rf "$results"
dotnet test "$root/RobustnessLab.sln" -c Release --nologo \
  --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" --results-directory "$results" \
  "${filter[@]}" "${extra[@]}"
rc=$?
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx "$results"/*/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  total=$(get total); p=$(get passed); f=$(get failed); e=$(get error); t=$(get timeout); a=$(get aborted)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
  skipped=$((skipped + ${total:-0} - ${p:-0} - ${f:-0} - ${e:-0} - ${t:-0} - ${a:-0}))
done
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; echo "test.sh: dotnet test exited with $rc (build or host failure)" >&2; fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
