namespace Generative.Samples.Tests;

/// <summary>
/// Compiles and runs the C# block of docs/tabular-diffusion.md as it stands (<see cref="DocExample"/>), with 4,000
/// training steps made 60 and 1,000 samples 200 (each found exactly as written). It runs in a temporary working
/// directory (it writes <c>models/penguins-tabddpm</c> there); and the label conditioning block, with 60 steps and 50 rows.
/// </summary>
public sealed class TabularDiffusionDocTests : IDisposable
{
    private const string Doc = "docs/tabular-diffusion.md";
    private readonly string _dir = Directory.CreateTempSubdirectory("gen-tabddpmdoc-").FullName;

    [Fact]
    public void The_tabular_diffusion_example_compiles_trains_samples_with_a_condition_saves_and_loads()
    {
        string code = DocExample.FirstCSharpBlock(Doc);
        code = DocExample.ReplaceAll(code, "Steps = 4_000", "Steps = 60", 1, Doc);
        code = DocExample.ReplaceAll(code, "1_000", "200", 1, Doc);

        string output = DocExample.Run(DocExample.Compile(code, Doc), _dir);

        output.Should().Contain("sampled 200 rows; Sex missing in")
            .And.Contain("500 of 500 rows satisfy Island in {'Biscoe', 'Dream'} and Body Mass (g) in [4000, 5000]")
            .And.Contain("loaded a tabddpm model of 7 columns");
        File.Exists(Path.Combine(_dir, "models", "penguins-tabddpm", "synthesizer.json")).Should().BeTrue();
    }

    [Fact]
    public void The_label_conditioning_example_compiles_and_gives_only_female_gentoo_penguins()
    {
        string code = SecondCSharpBlock();
        code = DocExample.ReplaceAll(code, "Steps = 4_000", "Steps = 60", 1, Doc);
        code = DocExample.ReplaceAll(code, "Sample(500,", "Sample(50,", 1, Doc);

        string output = DocExample.Run(DocExample.Compile(code, Doc), _dir);

        output.Should().Contain("50 female Gentoo penguins in 50 rows");
    }

    public void Dispose() => DocExample.DeleteScratch(_dir);

    /// <summary>The second <c>```csharp</c> block of the page (the label conditioning section's).</summary>
    private static string SecondCSharpBlock()
    {
        string doc = File.ReadAllText(Path.Combine(DocExample.RepoRoot, Doc));
        const string open = "```csharp\n";
        int first = doc.IndexOf(open, StringComparison.Ordinal);
        int start = doc.IndexOf(open, first + open.Length, StringComparison.Ordinal);
        start.Should().BeGreaterThan(first, $"{Doc} has a second C# block");
        start += open.Length;
        return doc[start..doc.IndexOf("\n```", start, StringComparison.Ordinal)];
    }
}
