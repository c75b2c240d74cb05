using System.Reflection;

namespace Generative.Tests.Architecture;

/// <summary>
/// The Scalar guard: build/BannedSymbols.txt, which Microsoft.CodeAnalysis.BannedApiAnalyzers enforces in every library
/// under src/ (RS0030, an error), names exactly the TorchSharp members that make a native Scalar nobody holds — every
/// implicit conversion to Scalar and every public member found by <see cref="TorchSharpScalarMakers"/> in TorchSharp's
/// IL — each with a message that says what to use instead. Reads TorchSharp.dll only: no libtorch.
/// </summary>
public sealed class ScalarGuardTests
{
    private static readonly Assembly TorchSharpAssembly = typeof(TorchSharp.Scalar).Assembly;

    [Fact]
    public void Every_line_is_a_documentation_id_with_a_message()
    {
        var lines = Entries();
        lines.Should().HaveCountGreaterThan(100);
        foreach (var (id, message) in lines)
        {
            id.Should().MatchRegex(@"^[MP]:TorchSharp\.[^ ;]+$", "a line is 'documentation ID;message'");
            message.Trim().Length.Should().BeGreaterThan(20, $"{id} says what to use instead");
        }

        lines.Select(l => l.Id).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Every_banned_symbol_exists_in_TorchSharp()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var existing = TorchSharpAssembly.GetExportedTypes()
            .SelectMany(t => t.GetMethods(all).Cast<MethodBase>().Concat(t.GetConstructors(all)))
            .Select(TorchSharpScalarMakers.DocumentationId)
            .ToHashSet(StringComparer.Ordinal);
        existing.Should().Contain("M:TorchSharp.torch.Tensor.add(TorchSharp.torch.Tensor,TorchSharp.Scalar)", "the IDs are computed as the analyzer reads them");

        Entries().Select(l => l.Id).Where(id => !existing.Contains(id)).Should().BeEmpty("every banned ID names a public member of TorchSharp 0.107 (a typo bans nothing)");
    }

    [Fact]
    public void Every_implicit_conversion_to_Scalar_is_banned()
    {
        var conversions = TorchSharpScalarMakers.ImplicitConversions(TorchSharpAssembly);
        conversions.Should().Contain("M:TorchSharp.Scalar.op_Implicit(System.Double)~TorchSharp.Scalar")
            .And.Contain("M:TorchSharp.Scalar.op_Implicit(System.Int32)~TorchSharp.Scalar");
        conversions.Should().HaveCountGreaterThanOrEqualTo(12);

        var banned = Entries().Select(l => l.Id).ToHashSet(StringComparer.Ordinal);
        conversions.Where(id => !banned.Contains(id)).Should().BeEmpty();
    }

    [Fact]
    public void Every_member_that_makes_a_Scalar_nobody_holds_is_banned_and_nothing_else()
    {
        var makers = TorchSharpScalarMakers.PublicMakers(TorchSharpAssembly);
        var conversions = TorchSharpScalarMakers.ImplicitConversions(TorchSharpAssembly);
        var banned = Entries().Select(l => l.Id).ToHashSet(StringComparer.Ordinal);

        var missing = makers.Keys.Where(id => !banned.Contains(id)).Select(id => $"{id};makes a Scalar inside that nobody holds ({(makers[id].Length == 0 ? "in its own body" : "through " + makers[id])})");
        missing.Should().BeEmpty("build/BannedSymbols.txt lists every such member (add these lines, with a message saying what to use instead)");
        banned.Where(id => !makers.ContainsKey(id) && !conversions.Contains(id)).Should().BeEmpty("a banned member makes a Scalar nobody holds");
    }

    /// <summary>The IL reading finds what the TorchSharp 0.107 source shows and nothing of the held overloads: the test
    /// above can fail.</summary>
    [Fact]
    public void The_scan_finds_the_cases_read_in_TorchSharps_source()
    {
        var makers = TorchSharpScalarMakers.PublicMakers(TorchSharpAssembly);
        makers.Should().ContainKeys(
            "M:TorchSharp.torch.Tensor.add(TorchSharp.torch.Tensor)", // add(target, 1)
            "M:TorchSharp.torch.Tensor.add_(TorchSharp.torch.Tensor)",
            "M:TorchSharp.torch.add(TorchSharp.torch.Tensor,TorchSharp.torch.Tensor)", // through Tensor.add(Tensor)
            "M:TorchSharp.torch.Tensor.op_Multiply(TorchSharp.torch.Tensor,System.Double)", // left.mul(right), right converted
            "M:TorchSharp.torch.Tensor.op_Addition(TorchSharp.torch.Tensor,TorchSharp.torch.Tensor)",
            "M:TorchSharp.torch.Tensor.square", // pow(2)
            "M:TorchSharp.torch.arange(TorchSharp.Scalar,System.Nullable{TorchSharp.torch.ScalarType},TorchSharp.torch.Device,System.Boolean)",
            "M:TorchSharp.torch.nn.functional.softplus(TorchSharp.torch.Tensor,System.Double,System.Double)",
            "M:TorchSharp.Modules.Adam.step(System.Func{TorchSharp.torch.Tensor})"); // a lambda's body
        makers.Should().NotContainKeys(
            "M:TorchSharp.torch.Tensor.add(TorchSharp.torch.Tensor,TorchSharp.Scalar)",
            "M:TorchSharp.torch.Tensor.sub(TorchSharp.torch.Tensor)", // THSTensor_sub takes no alpha
            "M:TorchSharp.torch.Tensor.sub_(TorchSharp.torch.Tensor)",
            "M:TorchSharp.torch.Tensor.op_Subtraction(TorchSharp.torch.Tensor,TorchSharp.torch.Tensor)",
            "M:TorchSharp.torch.Tensor.mul(TorchSharp.Scalar)",
            "M:TorchSharp.torch.Tensor.leaky_relu(TorchSharp.Scalar)",
            "M:TorchSharp.torch.arange(TorchSharp.Scalar,TorchSharp.Scalar,TorchSharp.Scalar,System.Nullable{TorchSharp.torch.ScalarType},TorchSharp.torch.Device,System.Boolean)");
    }

    [Fact]
    public void The_libraries_and_only_they_are_guarded()
    {
        string props = File.ReadAllText(Path.Combine(RepoRoot(), "Directory.Build.props"));
        int libraries = props.IndexOf("<ItemGroup Condition=\"'$(IsGenerativeLibrary)' == 'true'\">", StringComparison.Ordinal);
        libraries.Should().BeGreaterThan(0);
        string group = props[libraries..props.IndexOf("</ItemGroup>", libraries, StringComparison.Ordinal)];
        group.Should().Contain("<PackageReference Include=\"Microsoft.CodeAnalysis.BannedApiAnalyzers\" PrivateAssets=\"all\" />")
            .And.Contain("<AdditionalFiles Include=\"$(RepoRoot)build/BannedSymbols.txt\"");
        props.Split("BannedSymbols.txt").Length.Should().Be(3, "the list is given to the libraries' item group only (and named once in its comment)");
    }

    private static List<(string Id, string Message)> Entries() =>
        File.ReadAllLines(Path.Combine(RepoRoot(), "build", "BannedSymbols.txt"))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal))
            .Select(l => l.IndexOf(';', StringComparison.Ordinal) is var i and >= 0 ? (l[..i], l[(i + 1)..]) : (l, ""))
            .ToList();

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Generative.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Generative.sln not found above the test output");
    }
}
