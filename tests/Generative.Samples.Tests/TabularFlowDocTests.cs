namespace Generative.Samples.Tests;

/// <summary>
/// Compiles and runs the C# block of docs/tabular-flow.md as it stands (<see cref="DocExample"/>), with 3,000 training
/// steps made 60 and 1,000 samples 200 (each found exactly as written). It runs in a temporary working directory (it
/// writes <c>models/penguins-flow</c> there).
/// </summary>
public sealed class TabularFlowDocTests : IDisposable
{
    private const string Doc = "docs/tabular-flow.md";
    private readonly string _dir = Directory.CreateTempSubdirectory("gen-tabflowdoc-").FullName;

    [Fact]
    public void The_tabular_flow_example_compiles_trains_samples_with_a_condition_saves_and_loads()
    {
        string code = DocExample.FirstCSharpBlock(Doc);
        code = DocExample.ReplaceAll(code, "Steps = 3_000", "Steps = 60", 1, Doc);
        code = DocExample.ReplaceAll(code, "1_000", "200", 1, Doc);

        string output = DocExample.Run(DocExample.Compile(code, Doc), _dir);

        output.Should().Contain("sampled 200 rows; Sex missing in")
            .And.Contain("500 of 500 rows satisfy Species in {'Gentoo'} and Body Mass (g) in [4500, 5500]")
            .And.Contain("loaded a flow model of 7 columns");
        File.Exists(Path.Combine(_dir, "models", "penguins-flow", "synthesizer.json")).Should().BeTrue();
    }

    public void Dispose() => DocExample.DeleteScratch(_dir);
}
