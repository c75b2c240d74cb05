namespace Generative.Samples.Tests;

/// <summary>
/// Compiles and runs the C# block of docs/ctgan.md exactly as it stands (<see cref="DocExample"/>): penguins, 30 epochs.
/// It runs in a temporary working directory (it writes <c>models/penguins-ctgan</c> there).
/// </summary>
public sealed class CtganDocTests : IDisposable
{
    private const string Doc = "docs/ctgan.md";
    private readonly string _dir = Directory.CreateTempSubdirectory("gen-ctgandoc-").FullName;

    [Fact]
    public void The_ctgan_example_compiles_trains_samples_with_conditions_saves_and_loads()
    {
        string output = DocExample.Run(DocExample.Compile(DocExample.FirstCSharpBlock(Doc), Doc), _dir);

        output.Should().Contain("Body Mass (g): ").And.Contain(" modes")
            .And.Contain("sampled 1000 rows; Sex missing in")
            .And.Contain("500 of 500 rows satisfy Species in {'Gentoo'} and Body Mass (g) in [5000, 5500]")
            .And.Contain("loaded: same rows True");
        File.Exists(Path.Combine(_dir, "models", "penguins-ctgan", "synthesizer.json")).Should().BeTrue();
    }

    public void Dispose() => DocExample.DeleteScratch(_dir);
}
