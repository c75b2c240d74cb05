namespace Generative.Samples.Tests;

/// <summary>
/// Compiles and runs the C# block of docs/ddgan.md as it stands (<see cref="DocExample"/>). The changes made to it:
/// 10,000 training steps become 40, 20,000 data points 1,000 and 2,500 samples 50 (each found exactly as written).
/// It runs in a temporary working directory (it writes <c>models/grid-ddgan</c> there).
/// </summary>
public sealed class DdganDocTests : IDisposable
{
    private const string Doc = "docs/ddgan.md";
    private readonly string _dir = Directory.CreateTempSubdirectory("gen-ddgandoc-").FullName;

    [Fact]
    public void The_ddgan_example_compiles_trains_saves_and_loads_by_family()
    {
        string code = DocExample.FirstCSharpBlock(Doc);
        code = DocExample.ReplaceAll(code, "Steps = 10_000", "Steps = 40", 1, Doc);
        code = DocExample.ReplaceAll(code, "20_000", "1_000", 1, Doc);
        code = DocExample.ReplaceAll(code, "2_500", "50", 1, Doc);

        string output = DocExample.Run(DocExample.Compile(code, Doc), _dir);

        output.Should().Contain("ddgan: 40 steps, 50 samples, 4 generator evaluations each")
            .And.Contain("loaded a ddgan model of samples shaped [2]");
        File.Exists(Path.Combine(_dir, "models", "grid-ddgan", "config.json")).Should().BeTrue();
    }

    public void Dispose() => DocExample.DeleteScratch(_dir);
}
