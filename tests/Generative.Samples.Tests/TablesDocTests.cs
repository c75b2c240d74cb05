using System.Globalization;
using System.Reflection;
using Generative.Data;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Generative.Samples.Tests;

/// <summary>
/// Compiles and runs the C# block of docs/tables.md exactly as it stands, so that it cannot drift from the library. It
/// runs in a temporary working directory (it writes <c>models/penguins</c> and <c>synthetic-penguins.csv</c> there).
/// </summary>
public sealed class TablesDocTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gen-tablesdoc-").FullName;

    [Fact]
    public void The_tables_example_compiles_and_runs()
    {
        string doc = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "tables.md"));
        int start = doc.IndexOf("```csharp\n", StringComparison.Ordinal);
        start.Should().BeGreaterThan(0, "docs/tables.md has a C# block");
        start += "```csharp\n".Length;
        string code = doc[start..doc.IndexOf("\n```", start, StringComparison.Ordinal)];

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

        string text = output.ToString();
        text.Should().Contain("Flipper Length (mm): integer, nullable — integer: all 342 values whole, 55 distinct, 2 missing")
            .And.Contain("flipper length read as Continuous")
            .And.Contain("344 rows x 22 numbers: 4 Gaussian, 7 one-hot groups, 4 of them missing indicators")
            .And.Contain("inverse(transform(x)) == x: True")
            .And.Contain("sampled 1000 rows; Sex missing in")
            .And.Contain("first: Penguin { Species = ");
        File.Exists(Path.Combine(_dir, "models", "penguins", "table.json")).Should().BeTrue();
        File.ReadAllLines(Path.Combine(_dir, "synthetic-penguins.csv")).Should().HaveCount(1001);
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
            "TablesDoc",
            [CSharpSyntaxTree.ParseText(implicitUsings, parse), CSharpSyntaxTree.ParseText(code, parse, path: "tables.md")],
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
