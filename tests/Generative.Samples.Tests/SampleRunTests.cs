using Generative.Samples.Digits;
using Generative.Samples.TabularSynthesis;

namespace Generative.Samples.Tests;

/// <summary>Short runs of the tabular and digits samples.</summary>
public sealed class SampleRunTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "gen-samples-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Tabular_synthesis_writes_named_rows_in_original_units_and_scores_them()
    {
        var results = TabularSynthesis.TabularSynthesis.Run(new TabularSettings(DiffusionSteps: 400, GanSteps: 60, OutputDirectory: _dir));
        results.Select(r => r.Model).Should().Equal("diffusion", "gan");
        foreach (var r in results)
        {
            var lines = File.ReadAllLines(r.CsvPath);
            lines[0].Should().StartWith("alcohol,malic acid,ash,").And.EndWith(",proline,class");
            lines.Should().HaveCount(1 + (3 * 125));                       // 70 % of 178 rows, three synthetic per real
            lines[1].Split(',')[^1].Should().StartWith("class_");
            r.Utility.TrainRealTestReal.Should().BeGreaterThan(0.9);       // logistic regression on real wine
            r.Utility.TrainSyntheticTestReal.Should().BeInRange(0, 1);
            r.SyntheticMeans[12].Should().BeInRange(300, 1500, "proline comes back in its own units");
        }

        // 400 steps of the conditional diffusion model already carry the classes (98 % measured with seed 0; chance is 1/3).
        results[0].Utility.TrainSyntheticTestReal.Should().BeGreaterThan(0.8);
        Directory.Exists(Path.Combine(_dir, "diffusion-model")).Should().BeTrue();
    }

    [Fact]
    public void Digits_writes_the_grids()
    {
        var result = DigitsDemo.Run(new DigitsSettings(DiffusionSteps: 10, GanSteps: 10, Sampler: "ddim", SamplerSteps: 5, ImagesPerModel: 20, ClassifierEpochs: 0, OutputDirectory: _dir));
        result.Models.Select(m => m.Model).Should().Equal("ddpm", "gan");
        // 8×8 digits enlarged ×4 with 2-pixel padding: 10 columns → 10·32 + 11·2 = 342 wide; rows: 2 per model, 3 side by side.
        PngSize(result.Models[0].GridPath).Should().Be((342, 2 * 32 + 3 * 2));
        PngSize(result.SideBySidePath).Should().Be((342, 3 * 32 + 4 * 2));
    }

    private static (int Width, int Height) PngSize(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bytes.Take(8).Should().Equal(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 });
        int Read(int o) => (bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3];
        return (Read(16), Read(20));
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
}
