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
  dotnet format analyzers "$p" --diagnostics RS0016 RS0017 RS0036 RS0037 --severity warn -v q || true
done
