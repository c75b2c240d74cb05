#!/usr/bin/env bash
# Adds every new public symbol of the libraries to their PublicAPI.Unshipped.txt (and removes the ones that are gone),
# using the PublicApiAnalyzers' own code fixes. Review the diff: it is the public API change you are making.
# Usage: build/update-public-api.sh [project.csproj ...]   (default: every project under src/)
set -euo pipefail
cd "$(dirname "$0")/.."
projects=("$@")
[ ${#projects[@]} -gt 0 ] || mapfile -t projects < <(find src -name '*.csproj' | sort)
for p in "${projects[@]}"; do
  echo "== $p"
  # Concurrent branches merge these files as a union: drop duplicate lines first (RS0025).
  for f in "$(dirname "$p")"/PublicAPI.*.txt; do
    [ -f "$f" ] && { head -n1 "$f"; tail -n +2 "$f" | LC_ALL=C sort -u; } > "$f.tmp" && mv "$f.tmp" "$f"
  done
  dotnet format analyzers "$p" --diagnostics RS0016 RS0017 RS0036 RS0037 --severity warn -v q || true
done
