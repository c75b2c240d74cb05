using System.Text.RegularExpressions;
using Generative.Data;

namespace Generative.Samples.Tests;

/// <summary>
/// Compiles and runs the C# block of README.md's "Quick start" as it stands, so that it cannot drift from the library.
/// The one change made to it: its step counts (<c>Steps = 3_000</c>, once per family) become 30, so that the test
/// takes seconds; each must be found exactly as written. It runs in a temporary working directory (it writes
/// <c>wine.csv</c>, <c>synthetic.csv</c>, <c>synthetic-gan.csv</c> and <c>models/wine</c> there).
/// </summary>
public sealed partial class ReadmeQuickStartTests : IDisposable
{
    private const string ReadmeSteps = "3_000";
    private readonly string _dir = Directory.CreateTempSubdirectory("gen-readme-").FullName;

    [Fact]
    public void The_quick_start_compiles_runs_and_writes_1000_rows_in_the_wine_tables_columns_and_classes()
    {
        string readme = File.ReadAllText(Path.Combine(DocExample.RepoRoot, "README.md"));
        string code = QuickStartBlock(readme, "csharp");
        code = DocExample.ReplaceAll(code, $"Steps = {ReadmeSteps}", "Steps = 30", 2, "README.md's quick start");

        string output = DocExample.Run(DocExample.Compile(code, "README.md"), _dir);

        output.Should().Contain("diffusion: 30 steps");
        foreach (string file in new[] { "synthetic.csv", "synthetic-gan.csv" })
        {
            string[] lines = File.ReadAllLines(Path.Combine(_dir, file));
            lines.Should().HaveCount(1001, "a header and 1,000 rows");
            lines[0].Should().Be(File.ReadLines(Path.Combine(_dir, "wine.csv")).First(), "the synthetic rows have the wine table's columns");
            using var back = CsvDataSource.Load(Path.Combine(_dir, file), new CsvDataOptions { LabelColumn = "class", Standardize = false });
            back.Count.Should().Be(1000);
            back.ClassNames.Should().Equal("class_0", "class_1", "class_2");
        }

        Directory.Exists(Path.Combine(_dir, "models", "wine")).Should().BeTrue();
    }

    [Fact]
    public void The_install_block_references_the_version_that_pack_local_produces()
    {
        string root = DocExample.RepoRoot;
        string version = VersionPattern().Match(File.ReadAllText(Path.Combine(root, "Directory.Build.props"))).Groups[1].Value;
        version.Should().NotBeEmpty();
        File.ReadAllText(Path.Combine(root, "build", "pack-local.sh")).Should().Contain("version=\"${base_version}-local\"");

        foreach (string doc in new[] { "README.md", Path.Combine("docs", "getting-started.md") })
        {
            string text = File.ReadAllText(Path.Combine(root, doc));
            text.Should().Contain("build/pack-local.sh", doc);
            var referenced = LocalVersionPattern().Matches(text).Select(m => m.Value).Distinct().ToList();
            referenced.Should().Equal([version + "-local"], $"{doc} references the version build/pack-local.sh packs");
        }
    }

    public void Dispose() => DocExample.DeleteScratch(_dir);

    private static string QuickStartBlock(string readme, string language)
    {
        int section = readme.IndexOf("\n## Quick start", StringComparison.Ordinal);
        section.Should().BeGreaterThan(0, "README.md has a Quick start section");
        int start = readme.IndexOf("```" + language + "\n", section, StringComparison.Ordinal);
        int next = readme.IndexOf("\n## ", section + 1, StringComparison.Ordinal);
        start.Should().BeInRange(section, next, $"the Quick start has a {language} block");
        start += language.Length + 4;
        int end = readme.IndexOf("\n```", start, StringComparison.Ordinal);
        return readme[start..end];
    }

    [GeneratedRegex("<Version>([^<]+)</Version>")]
    private static partial Regex VersionPattern();

    [GeneratedRegex(@"\d+\.\d+\.\d+-local\b")]
    private static partial Regex LocalVersionPattern();
}
