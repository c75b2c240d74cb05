#!/usr/bin/env bash
# Packs Generative.Abstractions, Generative, Generative.Extensions.DependencyInjection, Generative.Comparison and
# Generative.Testing into a local folder feed, for applications to reference before the packages are published on nuget.org.
#
# The version is Directory.Build.props' <Version> with the suffix "-local" (0.1.0-local): the README's quick start and
# docs/getting-started.md reference exactly this version. Re-packing replaces the packages in the folder and removes that
# version from the NuGet cache, so the next restore takes the fresh packages rather than a stale cached copy.
# (build/check-packages.sh packs the same way with a unique version and also checks the packages' contents.)
#
# Usage: build/pack-local.sh [feed-directory]   (default: artifacts/local-feed in this repository)
set -euo pipefail
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

repo="$(cd "$(dirname "$0")/.." && pwd)"
feed="${1:-$repo/artifacts/local-feed}"
mkdir -p "$feed"
feed="$(cd "$feed" && pwd)"
base_version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$repo/Directory.Build.props" | head -n 1)"
version="${base_version}-local"
cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"

for project in Generative.Abstractions Generative Generative.Extensions.DependencyInjection Generative.Comparison Generative.Testing; do
  dotnet pack "$repo/src/$project/$project.csproj" -c Release -o "$feed" -p:Version="$version" -nologo -v:quiet
  id="$(tr '[:upper:]' '[:lower:]' <<<"$project")"
  rm -rf "${cache:?}/$id/$version"
done

echo "Packed version $version into $feed:"
ls -1 "$feed" | grep -F ".$version." | sed 's/^/  /'
echo "Reference it with: <PackageReference Include=\"Generative\" Version=\"$version\" />, with $feed as a package source."
