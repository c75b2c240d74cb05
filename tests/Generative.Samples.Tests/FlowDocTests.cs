namespace Generative.Samples.Tests;

/// <summary>
/// Compiles and runs the C# blocks of docs/flow.md as they stand (<see cref="DocExample"/>). The changes made to it:
/// 10,000 training steps become 40, 20,000 data points 1,000 and 2,500 samples 50 (each found exactly as written).
/// It runs in a temporary working directory (it writes <c>models/grid-flow</c> there).
/// </summary>
public sealed class FlowDocTests : IDisposable
{
    private const string Doc = "docs/flow.md";
    private readonly string _dir = Directory.CreateTempSubdirectory("gen-flowdoc-").FullName;

    [Fact]
    public void The_flow_example_compiles_trains_saves_and_loads_by_family()
    {
        string code = DocExample.FirstCSharpBlock(Doc);
        code = DocExample.ReplaceAll(code, "Steps = 10_000", "Steps = 40", 1, Doc);
        code = DocExample.ReplaceAll(code, "20_000", "1_000", 1, Doc);
        code = DocExample.ReplaceAll(code, "2_500", "50", 2, Doc);

        string output = DocExample.Run(DocExample.Compile(code, Doc), _dir);

        output.Should().Contain("flow: 40 steps, 50 Euler-50 and 50 Heun-4 samples")
            .And.Contain("loaded a flow model of samples shaped [2]");
        File.Exists(Path.Combine(_dir, "models", "grid-flow", "config.json")).Should().BeTrue();
    }

    [Fact]
    public void The_optimal_transport_example_compiles_and_trains_with_both_couplings()
    {
        string code = DocExample.CSharpBlockAfter(Doc, "## Minibatch optimal-transport coupling");
        code = DocExample.ReplaceAll(code, "Steps = 10_000", "Steps = 40", 1, Doc);
        code = DocExample.ReplaceAll(code, "Steps = 1_000", "Steps = 20", 1, Doc);
        code = DocExample.ReplaceAll(code, "20_000", "1_000", 1, Doc);
        code = DocExample.ReplaceAll(code, "2_500", "50", 1, Doc);

        string output = DocExample.Run(DocExample.Compile(code, Doc), _dir);

        output.Should().Contain("flow-ot: 40 steps, 50 midpoint-2 samples").And.Contain("norm-order coupling: 20 steps");
    }

    public void Dispose() => DocExample.DeleteScratch(_dir);
}
