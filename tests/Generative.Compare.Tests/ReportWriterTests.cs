using System.Text.RegularExpressions;
using Generative.Comparison;
using Generative.Training;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Compare.Tests;

/// <summary>
/// The report folder the comparison command writes, from a made-up result (no training): which pictures, that they are
/// real PNG images with something drawn in them, and that report.md links and report.html embeds every one.
/// </summary>
public sealed partial class ReportWriterTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "gen-compare-report-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void A_table_gets_column_histograms_and_correlation_maps_per_contender_and_no_scatter()
    {
        using var data = ComparisonData.FromBuiltIn("wine", seed: 0);
        using var result = Result(data, "tstrAccuracy", [0.86, 0.33], seeds: [0]);
        ReportWriter.Write(result, data, _dir, "test");

        var files = Directory.GetFiles(_dir, "*.png").Select(f => Path.GetFileName(f)).ToList();
        files.Should().BeEquivalentTo(
            "losses.png", "speed-vs-quality.png", "frontier.png",
            "columns-gan.png", "correlations-gan.png", "columns-ddpm-1000.png", "correlations-ddpm-1000.png");

        // 13 wine columns: a grid of ⌈√(13·1.3)⌉ = 5 panels across, 3 down, 250 × 190 each, under a 36-pixel title.
        PngSize(Path.Combine(_dir, "columns-gan.png")).Should().Be((5 * 250, (3 * 190) + 36));
        PngSize(Path.Combine(_dir, "correlations-gan.png")).Should().Be((1260, 440 + 36));
        foreach (string file in files)
        {
            ShouldBeADrawing(Path.Combine(_dir, file));
        }

        ShouldLinkAndEmbedEveryPicture();
        File.ReadAllText(Path.Combine(_dir, "report.md")).Should().Contain("shared bins");
    }

    [Fact]
    public void Points_in_two_dimensions_keep_the_scatter_over_the_real_data()
    {
        using var data = ComparisonData.FromBuiltIn("grid", trainCount: 500, seed: 0);
        using var result = Result(data, "highQualityFraction", [0.9, 0.02], seeds: [0]);
        ReportWriter.Write(result, data, _dir, "test");

        Directory.GetFiles(_dir, "*.png").Select(Path.GetFileName).Should().BeEquivalentTo(
            "losses.png", "speed-vs-quality.png", "frontier.png", "samples-gan.png", "samples-ddpm-1000.png");
        foreach (string file in Directory.GetFiles(_dir, "*.png"))
        {
            ShouldBeADrawing(file);
        }

        ShouldLinkAndEmbedEveryPicture();
    }

    [Fact]
    public void Samples_of_several_seeds_get_a_picture_each()
    {
        using var data = ComparisonData.FromBuiltIn("ring", trainCount: 500, seed: 0);
        using var result = Result(data, "highQualityFraction", [0.5, 0.4], seeds: [0, 1]);
        ReportWriter.Write(result, data, _dir, "test");

        Directory.GetFiles(_dir, "samples-*.png").Select(Path.GetFileName).Should().BeEquivalentTo(
            "samples-gan-seed-0.png", "samples-gan-seed-1.png", "samples-ddpm-1000-seed-0.png", "samples-ddpm-1000-seed-1.png");
        ShouldLinkAndEmbedEveryPicture();
    }

    [Fact]
    public void The_loss_chart_has_one_panel_per_trainer_with_its_primary_loss()
    {
        using var data = ComparisonData.FromBuiltIn("ring", trainCount: 500, seed: 0);
        using var result = Result(data, "highQualityFraction", [0.5, 0.4], seeds: [0], extraSampler: true);

        var panels = ReportWriter.LossPanels(result);

        // ddpm-1000 and ddim-10 share the trained diffusion model: one panel, one curve (the seed's).
        panels.Select(p => p.Title).Should().Equal("gan (critic)", "diffusion (loss)");
        panels.Should().OnlyContain(p => p.Curves.Count == 1 && p.Curves[0].Points.Count == 300);
        panels[0].Curves[0].Points[40].Value.Should().BeApproximately(-35, 1e-9, "the critic's dip is drawn as logged");
    }

    [Theory]
    [InlineData("wine", true)]
    [InlineData("breast-cancer", true)]
    [InlineData("grid", false)]
    [InlineData("moons", false)]
    public void Tables_get_table_pictures_and_points_do_not(string dataset, bool expected)
    {
        using var data = ComparisonData.FromBuiltIn(dataset, trainCount: 200, seed: 0);
        ReportWriter.UsesTablePictures(data).Should().Be(expected);
    }

    [Fact]
    public void Unlabelled_vectors_of_more_than_two_columns_get_table_pictures()
    {
        using var scope = NewDisposeScope();
        using var five = ComparisonData.FromVectors("five", randn(50, 5));
        using var two = ComparisonData.FromVectors("two", randn(50, 2));
        ReportWriter.UsesTablePictures(five).Should().BeTrue();
        ReportWriter.UsesTablePictures(two).Should().BeFalse();
    }

    [Fact]
    public void The_frontier_has_one_point_per_row_at_its_network_evaluations_for_any_family()
    {
        // The rows' NFE as the built-in contenders declare them: a GAN's generator runs once, DDPM-1000 a thousand times,
        // DDIM-50 fifty, Heun-4 twice per step (also on the last step: 8), a reflowed flow's Euler-1 once.
        var contenders = ContenderRegistry.Default.Create(["gan", "diffusion", "flow"]).Append(FlowContender.Reflowed()).ToList();
        var declared = contenders.SelectMany(c => c.Samplers.Select(s => (Row: c.Samplers.Count == 1 ? c.Name : s.Name, Trainer: c.Name, s.NetworkEvaluationsPerSample))).ToList();
        var nfe = declared.ToDictionary(d => d.Row, d => d.NetworkEvaluationsPerSample);
        nfe["gan"].Should().Be(1);
        nfe["ddpm-1000"].Should().Be(1000);
        nfe["ddim-50"].Should().Be(50);
        nfe["ddim-4"].Should().Be(4);
        nfe["flow-euler-50"].Should().Be(50);
        nfe["flow-heun-4"].Should().Be(8);
        nfe["flow-reflow-euler-1"].Should().Be(1);
        nfe["flow-reflow-midpoint-2"].Should().Be(4);

        using var data = ComparisonData.FromBuiltIn("grid", trainCount: 500, seed: 0);
        MetricSummary One(double value) => MetricSummary.Of([value]);
        var rows = declared.Select((d, i) => new ContenderResult(
            d.Row, d.Trainer, ModelFamily.Diffusion, "s", d.NetworkEvaluationsPerSample, 1_000, One(5), One(300), One(100), One(0.01), One(0),
            new Dictionary<string, MetricSummary> { ["highQualityFraction"] = One(0.5 + (0.01 * i)), ["modesCaptured"] = One(25 - i), ["modeCount"] = One(25) }))
            .Append(new ContenderResult("diverged", "x", ModelFamily.Gan, "generator", 1, 1, One(1), One(1), One(1), One(0), One(0),
                new Dictionary<string, MetricSummary> { ["highQualityFraction"] = One(double.NaN) }))
            .ToList();

        var points = Pictures.FrontierPoints(rows, "highQualityFraction");

        points.Select(p => p.Name).Should().Equal(declared.Select(d => d.Row), "every row with a finite quality is a point, whatever its family");
        points.Select(p => p.Evaluations).Should().Equal(declared.Select(d => d.NetworkEvaluationsPerSample));
        points.Select(p => p.Quality).Should().Equal(declared.Select((_, i) => 0.5 + (0.01 * i)));
        points.Select(p => p.Modes).Should().Equal(declared.Select((_, i) => (double?)(25 - i)));

        using var result = new ComparisonResult(data.Name, new ComparisonBudget(300), [0], 500, data.Count, rows, [], [], null, TimeSpan.FromSeconds(1));
        ReportWriter.Write(result, data, _dir, "test");
        ShouldBeADrawing(Path.Combine(_dir, "frontier.png"));
        PngSize(Path.Combine(_dir, "frontier.png")).Should().Be((2 * 620, 520 + 36), "two panels, quality and modes, under the title");
        string markdown = File.ReadAllText(Path.Combine(_dir, "report.md"));
        markdown.Should().Contain("![speed-quality frontier](frontier.png)").And.Contain("| ddpm-1000 | diffusion | s | 1000 |").And.Contain("| flow-heun-4 | diffusion | s | 8 |");
        ShouldLinkAndEmbedEveryPicture();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    // A GAN whose samples are the real data with a little noise, and a diffusion model whose samples are ten times too
    // spread; the GAN's critic dips to −35 at step 40 as WGAN critics do.
    private static ComparisonResult Result(ComparisonData data, string metric, double[] quality, long[] seeds, bool extraSampler = false)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        var real = data.ReferenceSamples.slice(0, 0, Math.Min(400, data.ReferenceSamples.shape[0]), 1);
        var spread = real.std(0, keepdim: true) + 1e-3f;
        var close = real + (randn(real.shape, generator: generator) * spread * 0.1f);
        var far = real.mean([0], keepdim: true) + (randn(real.shape, generator: generator) * spread * 10);
        var critic = Enumerable.Range(0, 300).Select(i => new LossPoint(i, -35 * Math.Exp(-Math.Pow(i - 40, 2) / 400.0))).ToList();
        var denoising = Enumerable.Range(0, 300).Select(i => new LossPoint(i, 1.0 / (1 + (i / 30.0)))).ToList();
        var ganHistory = new Dictionary<string, IReadOnlyList<LossPoint>> { ["generator"] = critic, ["critic"] = critic };
        var diffusionHistory = new Dictionary<string, IReadOnlyList<LossPoint>> { ["loss"] = denoising };
        var artifacts = new List<ContenderArtifacts>();
        foreach (long seed in seeds)
        {
            artifacts.Add(new ContenderArtifacts("gan", seed, close.clone().DetachFromDisposeScope(), ganHistory));
            artifacts.Add(new ContenderArtifacts("ddpm-1000", seed, far.clone().DetachFromDisposeScope(), diffusionHistory));
            if (extraSampler)
            {
                artifacts.Add(new ContenderArtifacts("ddim-10", seed, far.clone().DetachFromDisposeScope(), diffusionHistory));
            }
        }

        MetricSummary One(double value) => MetricSummary.Of(seeds.Select(_ => value).ToList());
        ContenderResult Row(string name, string trainer, ModelFamily family, string sampler, int nfe, double samplesPerSecond, double value) =>
            new(name, trainer, family, sampler, nfe, 10_000, One(5), One(300), One(samplesPerSecond), One(0.01), One(0),
                new Dictionary<string, MetricSummary> { [metric] = One(value) });
        var rows = new List<ContenderResult>
        {
            Row("gan", "gan", ModelFamily.Gan, "generator", 1, 450_000, quality[0]),
            Row("ddpm-1000", "diffusion", ModelFamily.Diffusion, "ddpm", 1000, 150, quality[1]),
        };
        if (extraSampler)
        {
            rows.Add(Row("ddim-10", "diffusion", ModelFamily.Diffusion, "ddim", 10, 6_000, quality[1]));
        }

        return new ComparisonResult(data.Name, new ComparisonBudget(300), seeds, (int)real.shape[0], data.Count, rows, artifacts, [], null, TimeSpan.FromSeconds(10));
    }

    // Every picture in the folder is linked from report.md (and nothing else is), and report.html embeds each linked file.
    private void ShouldLinkAndEmbedEveryPicture()
    {
        string markdown = File.ReadAllText(Path.Combine(_dir, "report.md"));
        var linked = ImageLink().Matches(markdown).Select(m => m.Groups[1].Value).ToList();
        linked.Should().OnlyHaveUniqueItems();
        linked.Should().BeEquivalentTo(Directory.GetFiles(_dir, "*.png").Select(Path.GetFileName));
        string html = File.ReadAllText(Path.Combine(_dir, "report.html"));
        foreach (string file in linked)
        {
            html.Should().Contain($"alt=\"{file}\" src=\"data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(Path.Combine(_dir, file)))}\"");
        }
    }

    // A PNG that decodes, and not a blank canvas: several distinct colours, and ink (dark pixels) in it.
    private static void ShouldBeADrawing(string path)
    {
        var (width, height) = PngSize(path);
        width.Should().BeGreaterThan(100);
        height.Should().BeGreaterThan(100);
        using var bitmap = SKBitmap.Decode(path);
        bitmap.Should().NotBeNull(path);
        var colours = new HashSet<uint>();
        int dark = 0;
        for (int y = 0; y < bitmap.Height; y += 3)
        {
            for (int x = 0; x < bitmap.Width; x += 3)
            {
                var c = bitmap.GetPixel(x, y);
                colours.Add((uint)c);
                dark += c.Red + c.Green + c.Blue < 200 ? 1 : 0;
            }
        }

        colours.Count.Should().BeGreaterThan(10, path);
        dark.Should().BeGreaterThan(100, path);
    }

    private static (int Width, int Height) PngSize(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bytes.Take(8).Should().Equal(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 });
        int Read(int o) => (bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3];
        return (Read(16), Read(20));
    }

    [GeneratedRegex(@"!\[[^\]]*\]\(([^)]+)\)")]
    private static partial Regex ImageLink();
}
