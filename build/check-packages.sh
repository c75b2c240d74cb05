#!/usr/bin/env bash
# Proves the NuGet packages work as a consumer uses them:
#   1. packs Generative.Abstractions, Generative, Generative.Extensions.DependencyInjection, Generative.Comparison and
#      Generative.Testing into a local folder (one version for all; package validation runs during pack);
#   2. checks each .nupkg holds what it must: README, licence expression, repository information, XML docs for both
#      target frameworks, a .snupkg beside it, and (Abstractions) the native-library fix as build + buildTransitive;
#   3. creates a scratch console app in a temporary directory, outside this repository (so none of its build settings
#      apply), referencing only Generative + TorchSharp-cpu from the local folder plus the machine's normal sources;
#   4. builds and runs it: it trains a tiny diffusion model and a tiny GAN, samples, saves, loads and samples again,
#      and writes a table as CSV (SyntheticTable) and reads it back (CsvDataSource).
# Exits non-zero on any failure. Usage: build/check-packages.sh [work-directory]   (default: a new temporary one)
#
# The packages get a unique pre-release version (0.1.0-check.<time>) so that a stale copy in the NuGet cache can never
# be restored instead of the fresh one; the script removes those cache entries again when it ends.
set -euo pipefail
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

repo="$(cd "$(dirname "$0")/.." && pwd)"
# A scratch folder of its own (about 1 GB: the app's output holds libtorch) is removed on exit; a folder given as the first
# argument is kept for inspection.
own_work=0
if [ -n "${1:-}" ]; then work="$1"; else work="$(mktemp -d -t generative-packages-XXXXXX)"; own_work=1; fi
mkdir -p "$work"
feed="$work/packages"
app="$work/app"
base_version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$repo/Directory.Build.props" | head -n 1)"
version="${base_version}-check.$(date -u +%Y%m%d%H%M%S)"
cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
start=$(date +%s)

cleanup() {
  for id in generative generative.abstractions generative.extensions.dependencyinjection generative.comparison generative.testing; do
    rm -rf "${cache:?}/$id/$version"
  done
  if [ "$own_work" -eq 1 ]; then rm -rf "${work:?}"; fi
}
trap cleanup EXIT

step() { printf '\n== %s (%ss)\n' "$1" "$(( $(date +%s) - start ))"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

step "pack $version into $feed"
for project in Generative.Abstractions Generative Generative.Extensions.DependencyInjection Generative.Comparison Generative.Testing; do
  dotnet pack "$repo/src/$project/$project.csproj" -c Release -o "$feed" -p:Version="$version" -nologo -v:quiet \
    || fail "dotnet pack $project"
done

step "inspect the packages"
for id in Generative.Abstractions Generative Generative.Extensions.DependencyInjection Generative.Comparison Generative.Testing; do
  nupkg="$feed/$id.$version.nupkg"
  [[ -f "$nupkg" ]] || fail "$nupkg missing"
  [[ -f "$feed/$id.$version.snupkg" ]] || fail "$id: no .snupkg symbols package"
  listing="$(unzip -Z1 "$nupkg")"
  nuspec="$(unzip -p "$nupkg" "$id.nuspec")"
  for f in README.md "lib/net8.0/$id.dll" "lib/net8.0/$id.xml" "lib/net10.0/$id.dll" "lib/net10.0/$id.xml"; do
    grep -qx "$f" <<<"$listing" || fail "$id: $f missing from the package"
  done
  grep -q '<license type="expression">MIT</license>' <<<"$nuspec" || fail "$id: no licence expression"
  grep -q '<readme>README.md</readme>' <<<"$nuspec" || fail "$id: no readme"
  grep -q '<repository type="git" url="[^"]*"[^>]* commit="[0-9a-f]\{40\}"' <<<"$nuspec" || fail "$id: no repository url and commit (SourceLink)"
  grep -q "<version>$version</version>" <<<"$nuspec" || fail "$id: wrong version"
  echo "$id: $(wc -c <"$nupkg") bytes; README, MIT, repository + commit, lib + XML docs for net8.0 and net10.0, .snupkg"
done
abstractions="$(unzip -Z1 "$feed/Generative.Abstractions.$version.nupkg")"
for f in buildTransitive/Generative.Abstractions.targets buildTransitive/Generative.TorchSharpNative.targets \
         build/Generative.Abstractions.targets build/Generative.TorchSharpNative.targets; do
  grep -qx "$f" <<<"$abstractions" || fail "Generative.Abstractions: $f missing (native-library fix)"
done
echo "Generative.Abstractions: native-library fix in build/ and buildTransitive/"
generative_nuspec="$(unzip -p "$feed/Generative.$version.nupkg" Generative.nuspec)"
grep -q "id=\"Generative.Abstractions\" version=\"$version\"" <<<"$generative_nuspec" || fail "Generative does not depend on Generative.Abstractions $version"
grep -q 'id="TorchSharp-cpu"' <<<"$generative_nuspec" && fail "Generative must not depend on a TorchSharp back-end"
grep -q 'id="ScottPlot"' <<<"$generative_nuspec" && fail "Generative must not depend on ScottPlot (the comparison's report is in Generative.Comparison)"
grep -q 'id="Microsoft.ML' <<<"$generative_nuspec" && fail "Generative must not depend on ML.NET (the table report's evaluator is in Generative.Comparison)"
comparison_nuspec="$(unzip -p "$feed/Generative.Comparison.$version.nupkg" Generative.Comparison.nuspec)"
grep -q "id=\"Generative\" version=\"$version\"" <<<"$comparison_nuspec" || fail "Generative.Comparison does not depend on Generative $version"

step "scratch console app in $app"
rm -rf "$app" && mkdir -p "$app"
cat >"$app/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="generative-local" value="$feed" />
  </packageSources>
</configuration>
EOF
cat >"$app/Consumer.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Generative" Version="$version" />
    <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
  </ItemGroup>
</Project>
EOF
cat >"$app/Program.cs" <<'EOF'
using Generative;
using Generative.Data;
using Generative.Diffusion;
using Generative.Gan;
using TorchSharp;
using static TorchSharp.torch;

// A consumer of the packages: tiny models on two Gaussian blobs, trained, sampled, saved, loaded, sampled again.
using var g = new Generator(0);
using var points = torch.cat([torch.randn([256, 2], generator: g) * 0.1 + 2, torch.randn([256, 2], generator: g) * 0.1 - 2], 0);
var standardization = DataStandardization.Fit(points, ["x", "y"]);
using var standardized = standardization.Standardize(points);
using var data = new TensorDataSource(standardized, standardization: standardization, featureNames: ["x", "y"]);
string dir = Path.Combine(AppContext.BaseDirectory, "models");

var (diffusion, summary) = DiffusionTrainer.Train(new MlpDenoiser(2, new MlpDenoiserOptions { Width = 64, Depth = 2 }, new Generator(1)), data,
    new DiffusionTrainerOptions { Steps = 200, BatchSize = 64, Seed = 1 });
using (diffusion)
{
    using var before = diffusion.Sample(100, new Generator(5), new SamplingOptions { Steps = 10 });
    diffusion.Save(Path.Combine(dir, "diffusion"));
    using var loaded = DiffusionModel.Load(Path.Combine(dir, "diffusion"));
    using var after = loaded.Sample(100, new Generator(5), new SamplingOptions { Steps = 10 });
    if (!before.isfinite().all().item<bool>() || !before.allclose(after, rtol: 0, atol: 0)) throw new InvalidOperationException("diffusion: samples differ after save and load");
    Console.WriteLine($"diffusion: {summary.CompletedSteps} steps, loss {summary.MeanOfLast("loss", 50):F3}, |x| mean {after.abs().mean().item<float>():F2} (data: 2.0)");
}

using var generator = new MlpGenerator(new MlpGeneratorOptions { SampleShape = new TensorShape(2), HiddenWidth = 64, HiddenLayers = 2 }, new Generator(2));
using var critic = new MlpCritic(new MlpCriticOptions { SampleShape = new TensorShape(2), HiddenWidth = 64, HiddenLayers = 2 }, new Generator(3));
var (gan, ganSummary) = GanTrainer.Train(generator, critic, data, new GanTrainerOptions { Steps = 100, BatchSize = 64, Seed = 1 });
using (gan)
{
    gan.Save(Path.Combine(dir, "gan"));
    using var loaded = GanModel.Load(Path.Combine(dir, "gan"));
    using var samples = loaded.Sample(100, new Generator(5));
    if (!samples.isfinite().all().item<bool>() || samples.shape[1] != 2) throw new InvalidOperationException("gan: bad samples");
    Console.WriteLine($"gan: {ganSummary.CompletedSteps} steps, samples {TensorShape.Format(samples.shape)}");
}

// Rows out and back in: the table API of the core package, through a CSV file.
string csv = Path.Combine(AppContext.BaseDirectory, "points.csv");
using (var labels = torch.cat([torch.zeros(256, ScalarType.Int64), torch.ones(256, ScalarType.Int64)], 0))
{
    File.WriteAllText(csv, SyntheticTable.FromSamples(points, ["x", "y"], labels, ["left", "right"]).ToCsv());
}

using (var table = CsvDataSource.Load(csv, new CsvDataOptions { LabelColumn = "class" }))
{
    if (table.Count != 512 || table.ClassNames is not ["left", "right"]) throw new InvalidOperationException("csv: the table did not read back");
}

Console.WriteLine("consumer OK");
EOF

step "restore and build the consumer (local feed + the machine's sources)"
dotnet build "$app/Consumer.csproj" -c Release -nologo -v:quiet || fail "the consumer does not build"
native="$(find "$app/bin/Release" -name libLibTorchSharp.so | head -n 1)"
[[ -n "$native" ]] || fail "libLibTorchSharp.so is not in the consumer's output"
echo "native library: $native"

step "run the consumer"
dotnet "$app/bin/Release/net10.0/Consumer.dll" || fail "the consumer failed"

step "all checks passed in $(( $(date +%s) - start )) s; packages in $feed"
