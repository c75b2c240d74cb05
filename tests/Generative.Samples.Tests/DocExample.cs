using System.Globalization;
using System.Reflection;
using Generative.Data;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Generative.Samples.Tests;

/// <summary>
/// Compiles and runs a C# block of the README or a docs page as it stands, as a console app with the implicit usings
/// of <c>dotnet new console</c> and references to the library — so that no example can drift from the library.
/// </summary>
internal static class DocExample
{
    /// <summary>The repository's root (the folder holding Generative.sln).</summary>
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>The first <c>```csharp</c> block of a file of the repository (e.g. <c>docs/flow.md</c>).</summary>
    public static string FirstCSharpBlock(string relativePath)
    {
        string doc = File.ReadAllText(Path.Combine(RepoRoot, relativePath));
        int start = doc.IndexOf("```csharp\n", StringComparison.Ordinal);
        start.Should().BeGreaterThan(0, $"{relativePath} has a C# block");
        start += "```csharp\n".Length;
        return doc[start..doc.IndexOf("\n```", start, StringComparison.Ordinal)];
    }

    /// <summary>The first <c>```csharp</c> block after the heading <paramref name="heading"/> (a whole line, e.g.
    /// <c>## Minibatch optimal-transport coupling</c>) of a file of the repository.</summary>
    public static string CSharpBlockAfter(string relativePath, string heading)
    {
        string doc = File.ReadAllText(Path.Combine(RepoRoot, relativePath));
        int at = doc.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        at.Should().BeGreaterThan(0, $"{relativePath} has the heading '{heading}'");
        int start = doc.IndexOf("```csharp\n", at, StringComparison.Ordinal);
        start.Should().BeGreaterThan(at, $"{relativePath} has a C# block after '{heading}'");
        start += "```csharp\n".Length;
        return doc[start..doc.IndexOf("\n```", start, StringComparison.Ordinal)];
    }

    /// <summary>Replaces <paramref name="what"/>, which must occur exactly <paramref name="expected"/> times.</summary>
    public static string ReplaceAll(string code, string what, string with, int expected, string where)
    {
        int count = (code.Length - code.Replace(what, string.Empty, StringComparison.Ordinal).Length) / what.Length;
        count.Should().Be(expected, $"{where} has '{what}' {expected} times");
        return code.Replace(what, with, StringComparison.Ordinal);
    }

    /// <summary>Compiles the code as a console app; no errors and no warnings allowed.</summary>
    public static MethodInfo Compile(string code, string where)
    {
        const string implicitUsings = "global using System; global using System.IO; global using System.Collections.Generic; global using System.Linq; " +
            "global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;";
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat([typeof(CsvDataSource).Assembly.Location, typeof(IGenerativeModel).Assembly.Location, typeof(TorchSharp.torch).Assembly.Location])
            .Distinct(StringComparer.Ordinal)
            .Select(p => MetadataReference.CreateFromFile(p));
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(
            Path.GetFileNameWithoutExtension(where) + "Example",
            [CSharpSyntaxTree.ParseText(implicitUsings, parse), CSharpSyntaxTree.ParseText(code, parse, path: where)],
            references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        var problems = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Id != "CS1701" && d.Id != "CS1702").Select(d => d.ToString()).ToList();
        problems.Should().BeEmpty($"the example in {where} compiles without errors or warnings");
        result.Success.Should().BeTrue();
        return Assembly.Load(stream.ToArray()).EntryPoint!;
    }

    /// <summary>Runs a compiled example in <paramref name="workingDirectory"/> and returns what it wrote to the console.</summary>
    public static string Run(MethodInfo entry, string workingDirectory)
    {
        string previous = Environment.CurrentDirectory;
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var console = Console.Out;
        try
        {
            Environment.CurrentDirectory = workingDirectory;
            Console.SetOut(output);
            entry.Invoke(null, entry.GetParameters().Length == 0 ? null : [Array.Empty<string>()]);
        }
        finally
        {
            Console.SetOut(console);
            Environment.CurrentDirectory = previous;
        }

        return output.ToString();
    }

    /// <summary>Deletes a test's scratch folder, ignoring a folder still in use.</summary>
    public static void DeleteScratch(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Generative.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Generative.sln not found above the test's directory.");
    }
}
