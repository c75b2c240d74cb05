using System.Globalization;
using System.Reflection;
using Generative.Data;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Generative.Samples.Tests;

/// <summary>
/// Compiles and runs the C# block of docs/ddgan.md as it stands, so that it cannot drift from the library. The changes made
/// to it: 10,000 training steps become 40, 20,000 data points 1,000 and 2,500 samples 50 (each found exactly as written).
/// It runs in a temporary working directory (it writes <c>models/grid-ddgan</c> there).
/// </summary>
public sealed class DdganDocTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gen-ddgandoc-").FullName;

    [Fact]
    public void The_ddgan_example_compiles_trains_saves_and_loads_by_family()
    {
        string doc = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "ddgan.md"));
        int start = doc.IndexOf("```csharp\n", StringComparison.Ordinal);
        start.Should().BeGreaterThan(0, "docs/ddgan.md has a C# block");
        start += "```csharp\n".Length;
        string code = doc[start..doc.IndexOf("\n```", start, StringComparison.Ordinal)];
        code = ReplaceAll(code, "Steps = 10_000", "Steps = 40", 1);
        code = ReplaceAll(code, "20_000", "1_000", 1);
        code = ReplaceAll(code, "2_500", "50", 1);

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

        output.ToString().Should().Contain("ddgan: 40 steps, 50 samples, 4 generator evaluations each")
            .And.Contain("loaded a ddgan model of samples shaped [2]");
        File.Exists(Path.Combine(_dir, "models", "grid-ddgan", "config.json")).Should().BeTrue();
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

    private static string ReplaceAll(string code, string what, string with, int expected)
    {
        int count = (code.Length - code.Replace(what, string.Empty, StringComparison.Ordinal).Length) / what.Length;
        count.Should().Be(expected, $"docs/ddgan.md's example has '{what}' {expected} times");
        return code.Replace(what, with, StringComparison.Ordinal);
    }

    private static MethodInfo Compile(string code)
    {
        const string implicitUsings = "global using System; global using System.IO; global using System.Collections.Generic; global using System.Linq; " +
            "global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;";
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat([typeof(CsvDataSource).Assembly.Location, typeof(IGenerativeModel).Assembly.Location, typeof(TorchSharp.torch).Assembly.Location])
            .Distinct(StringComparer.Ordinal)
            .Select(p => MetadataReference.CreateFromFile(p));
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(
            "DdganDoc",
            [CSharpSyntaxTree.ParseText(implicitUsings, parse), CSharpSyntaxTree.ParseText(code, parse, path: "ddgan.md")],
            references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        var problems = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Id != "CS1701" && d.Id != "CS1702").Select(d => d.ToString()).ToList();
        problems.Should().BeEmpty("the example compiles without errors or warnings");
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
}
