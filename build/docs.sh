#!/usr/bin/env bash
# Builds the documentation site (the articles in docs/ plus an API reference generated from the XML docs) into
# artifacts/docs-site with DocFX, restored as a local .NET tool from .config/dotnet-tools.json.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore
dotnet docfx docs/docfx.json "$@"
echo "Site: artifacts/docs-site/index.html"
