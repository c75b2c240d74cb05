using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Generative.Data;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

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
        string readme = File.ReadAllText(Path.Combine(RepoRoot(), "README.md"));
        string code = QuickStartBlock(readme, "csharp");
        code = ReplaceAll(code, $"Steps = {ReadmeSteps}", "Steps = 30", expected: 2);

        var entry = Compile(code);
        string previous = Environment.CurrentDirectory;
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var console = Console.Out;
        try
        {
            Environment.CurrentDirectory = _dir;
            Console.SetOut(output);
            entry.Invoke(null, entry.GetParameters().Length == 0 ? null : [Array.Empty<string>()]);
        }
        finally
        {
            Console.SetOut(console);
            Environment.CurrentDirectory = previous;
        }

        output.ToString().Should().Contain("diffusion: 30 steps");
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
        string root = RepoRoot();
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

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

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

    private static string ReplaceAll(string code, string what, string with, int expected)
    {
        int count = (code.Length - code.Replace(what, string.Empty, StringComparison.Ordinal).Length) / what.Length;
        count.Should().Be(expected, $"the quick start has '{what}' {expected} times");
        return code.Replace(what, with, StringComparison.Ordinal);
    }

    private static MethodInfo Compile(string code)
    {
        // A console app's implicit usings, as `dotnet new console` sets them.
        const string implicitUsings = "global using System; global using System.IO; global using System.Collections.Generic; global using System.Linq; " +
            "global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;";
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat([typeof(CsvDataSource).Assembly.Location, typeof(IGenerativeModel).Assembly.Location, typeof(TorchSharp.torch).Assembly.Location])
            .Distinct(StringComparer.Ordinal)
            .Select(p => MetadataReference.CreateFromFile(p));
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(
            "ReadmeQuickStart",
            [CSharpSyntaxTree.ParseText(implicitUsings, parse), CSharpSyntaxTree.ParseText(code, parse, path: "README.md")],
            references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        var problems = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Id != "CS1701" && d.Id != "CS1702").Select(d => d.ToString()).ToList();
        problems.Should().BeEmpty("the quick start compiles without errors or warnings");
        result.Success.Should().BeTrue();
        return Assembly.Load(stream.ToArray()).EntryPoint!;
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Generative.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Generative.sln not found above the test's directory.");
    }

    [GeneratedRegex("<Version>([^<]+)</Version>")]
    private static partial Regex VersionPattern();

    [GeneratedRegex(@"\d+\.\d+\.\d+-local\b")]
    private static partial Regex LocalVersionPattern();
}
