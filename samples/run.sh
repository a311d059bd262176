#!/usr/bin/env bash
# Packs RobustnessLab, RobustnessLab.NUnit and the RobustnessLab.Cli tool into artifacts/packages, installs the tool
# into a temporary folder and runs `lab --version`, then builds and tests the sample consumer
# samples/MyModelRobustness against those packages (PackageReference, not project references).
# The last line is "sample MyModelRobustness (packed packages): N passed, N failed, N skipped".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pkgs="$root/artifacts/packages"
sample="$root/samples/MyModelRobustness"
results="$sample/TestResults"
log="$(mktemp -d)"
trap 'rm -rf "$log"' EXIT
summary() { echo "sample MyModelRobustness (packed packages): $1 passed, $2 failed, $3 skipped"; }

rm -rf "$pkgs"
if ! dotnet pack "$root/RobustnessLab.Packages.slnf" -c Release -nologo -v q -o "$pkgs" >"$log/pack.log" 2>&1; then
  cat "$log/pack.log" >&2; echo "samples/run.sh: dotnet pack failed" >&2; summary 0 1 0; exit 1
fi
for p in "$pkgs"/*.nupkg; do printf 'package: %s (%s bytes)\n' "$(basename "$p")" "$(stat -c %s "$p")"; done

# The same version packed again must not be served from the NuGet cache: drop our own packages from it (only ours).
global="$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')"
rm -rf "$global/robustnesslab" "$global/robustnesslab.nunit" "$global/robustnesslab.cli"

# The tool, as `dotnet tool install --global --add-source DIR RobustnessLab.Cli` would install it (here in a temporary folder).
if dotnet tool install --tool-path "$log/tool" --add-source "$pkgs" RobustnessLab.Cli >"$log/tool.log" 2>&1; then
  echo "tool: lab --version: $("$log/tool/lab" --version 2>&1)"
else
  cat "$log/tool.log" >&2; echo "samples/run.sh: dotnet tool install failed" >&2; summary 0 1 0; exit 1
fi
rm -rf "$global/robustnesslab.cli"

rm -rf "$sample/bin" "$sample/obj" "$results"
dotnet test "$sample/MyModelRobustness.csproj" -c Release --nologo --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" \
  --results-directory "$results" 2>&1 | tee "$log/test.log"
rc=${PIPESTATUS[0]}
grep -h "RobustnessLab native compat" "$log/test.log" | sed 's/^ */build: /' | sort -u
passed=0; failed=0; skipped=0
trx="$results/results.trx"
if [ -f "$trx" ]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  total=$(get total); passed=$(get passed); f=$(get failed); e=$(get error)
  failed=$(( ${f:-0} + ${e:-0} ))
  skipped=$(( ${total:-0} - ${passed:-0} - failed ))
fi
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; echo "samples/run.sh: dotnet test exited with $rc (build or host failure)" >&2; fi
summary "${passed:-0}" "$failed" "$skipped"
[ "$failed" -eq 0 ]
