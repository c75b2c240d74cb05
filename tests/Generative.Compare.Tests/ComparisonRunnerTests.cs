using System.Text.Json;
using Generative.Comparison;
using Generative.Data.BuiltIn;
using Generative.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Tests.Comparison;

public class ComparisonRunnerTests
{
    [Fact]
    public void The_true_mixture_scores_as_the_papers_say()
    {
        // The reference draw itself, measured as if generated: every mode, ≈ 98.9 % within 3σ (1 − e^{−4.5} for a 2-D Gaussian).
        using var data = ComparisonData.FromBuiltIn("grid", trainCount: 5_000, seed: 1);
        using var evaluator = new ComparisonEvaluator(data);
        using var scope = NewDisposeScope();
        using var fresh = BuiltInDatasets.Load("grid", 2_500, seed: 99);
        var metrics = evaluator.Evaluate(fresh.Samples, null, seed: 0);
        metrics["modesCaptured"].Should().Be(25);
        metrics["highQualityFraction"].Should().BeApproximately(1 - Math.Exp(-4.5), 0.01);
        metrics["modeKl"].Should().BeLessThan(0.02);
        metrics["precision"].Should().BeGreaterThan(0.9);
        metrics["recall"].Should().BeGreaterThan(0.9);
        metrics["frechetDistance"].Should().BeLessThan(0.05);
    }

    [Fact]
    public void A_collapsed_generator_is_caught()
    {
        using var data = ComparisonData.FromBuiltIn("ring", trainCount: 2_000, seed: 1);
        using var evaluator = new ComparisonEvaluator(data);
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        // Every sample at the first mode (1, 0), with that mode's noise.
        var collapsed = (randn(new long[] { 1_000, 2 }, generator: generator) * 0.01) + tensor(new float[] { 1, 0 });
        var metrics = evaluator.Evaluate(collapsed, null, seed: 0);
        metrics["modesCaptured"].Should().Be(1);
        metrics["modeKl"].Should().BeApproximately(Math.Log(8), 1e-6, "KL(point mass ‖ uniform over 8) = ln 8");
        metrics["recall"].Should().BeLessThan(0.2);
    }

    [Fact]
    public void A_tiny_comparison_runs_every_contender_and_the_same_seed_gives_the_same_numbers()
    {
        using var data = ComparisonData.FromBuiltIn("ring", trainCount: 512, seed: 0);
        var options = new ComparisonOptions { Budget = new ComparisonBudget(40), SampleCount = 200, Seeds = [0], TimedTurns = 1 };
        var progress = new List<ComparisonProgress>();
        using var first = new ComparisonRunner(data, options).Run(new SynchronousProgress(progress.Add));
        // The second run also asks for sample efficiency on all of the data: that point is the main run's first sampler.
        using var second = new ComparisonRunner(data, options with { SampleEfficiencyFractions = [1.0] }).Run();

        first.Contenders.Select(c => c.Name).Should().Equal("gan", "wgan-gp", "ddpm-1000", "ddim-50", "ddim-10", "ddim-4");
        first.Contenders.Select(c => c.NetworkEvaluationsPerSample).Should().Equal(1, 1, 1000, 50, 10, 4);
        first.Contenders.Should().OnlyContain(c => c.TrainSteps.Mean == 40);
        // gan 9 evaluations a step; wgan-gp 8 a critic step and 4 more each 5th step; the denoiser 2 (TrainingCostTests).
        first.Contenders.Select(c => c.TrainingCost!.NetworkEvaluations.Mean).Should().Equal(360, 352, 80, 80, 80, 80);
        first.Contenders[1].TrainingCost!.OptimizerSteps.Select(kv => (kv.Key, kv.Value.Mean)).Should().Equal(("critic", 40.0), ("generator", 8.0));
        first.Contenders.Where(c => c.Trainer == "diffusion").Select(c => c.ParameterCount).Distinct().Should().ContainSingle("the four samplers share one trained model");
        first.Artifacts.Should().HaveCount(6).And.OnlyContain(a => a.Samples.shape[0] == 200);
        progress.Select(p => p.Phase).Should().Contain(["training", "sampling", "evaluating", "done"]);
        foreach (var (a, b) in first.Contenders.Zip(second.Contenders))
        {
            foreach (var (name, value) in a.Metrics)
            {
                b.Metrics[name].Mean.Should().Be(value.Mean, $"{a.Name}'s {name} is determined by the seed");
            }
        }

        second.SampleEfficiency.Select(p => p.Contender).Should().Equal("gan", "wgan-gp", "ddpm-1000");
        foreach (var point in second.SampleEfficiency)
        {
            point.Fraction.Should().Be(1.0);
            point.TrainCount.Should().Be(512);
            var main = second.Contenders.Single(c => c.Name == point.Contender);
            point.Metrics["highQualityFraction"].Mean.Should().Be(main.Metrics["highQualityFraction"].Mean);
            point.Metrics["recall"].Mean.Should().Be(main.Metrics["recall"].Mean);
        }

        using var json = JsonDocument.Parse(first.ToJson());
        var root = json.RootElement;
        root.GetProperty("dataset").GetString().Should().Be("ring");
        root.GetProperty("seeds").EnumerateArray().Select(e => e.GetInt64()).Should().Equal(0);
        var row = root.GetProperty("contenders")[2];
        row.GetProperty("family").GetString().Should().Be("diffusion");
        row.GetProperty("sampler").GetString().Should().Be("ddpm");
        row.GetProperty("networkEvaluationsPerSample").GetInt32().Should().Be(1000);
        row.GetProperty("samplesPerSecond").GetDouble().Should().BePositive();
        row.GetProperty("trainSeconds").GetDouble().Should().BePositive();
        var metrics = row.GetProperty("metrics");
        foreach (string key in new[] { "modesCaptured", "highQualityFraction", "modeKl", "frechetDistance", "precision", "recall", "density", "coverage" })
        {
            metrics.TryGetProperty(key, out _).Should().BeTrue($"the mixture metrics include {key}");
        }

        metrics.TryGetProperty("tstrAccuracy", out _).Should().BeFalse("table metrics do not apply to a mixture");
    }

    [Fact]
    public void The_order_of_the_contenders_changes_no_sample_and_every_row_is_timed_the_same_way()
    {
        // Training takes turns every 100 steps and sampling every batch: what a row trains and draws must not depend on
        // its place, nor on training in turns at all (a lone contender trains without turns).
        using var data = ComparisonData.FromBuiltIn("ring", trainCount: 512, seed: 0);
        var contenders = ComparisonContenders.Default(data);
        var options = new ComparisonOptions { Budget = new ComparisonBudget(250), SampleCount = 300, SamplingBatchSize = 128, Seeds = [0], TimedTurns = 4 };
        using var forward = new ComparisonRunner(data, options with { Contenders = contenders }).Run();
        using var reversed = new ComparisonRunner(data, options with { Contenders = [.. contenders.Reverse()] }).Run();
        using var alone = new ComparisonRunner(data, options with { Contenders = [contenders[2]] }).Run();
        foreach (var row in alone.Contenders)
        {
            var inTurns = forward.Contenders.Single(c => c.Name == row.Name);
            inTurns.Metrics.Should().BeEquivalentTo(row.Metrics, $"{row.Name} trained in turns with others is the model trained alone");
            inTurns.TrainSteps.Mean.Should().Be(250);
            inTurns.TrainSeconds.Mean.Should().BePositive();
        }

        reversed.Contenders.Select(c => c.Name).Should().Equal("ddpm-1000", "ddim-50", "ddim-10", "ddim-4", "wgan-gp", "gan");
        foreach (var row in forward.Contenders)
        {
            var other = reversed.Contenders.Single(c => c.Name == row.Name);
            foreach (var (name, value) in row.Metrics)
            {
                other.Metrics[name].Mean.Should().Be(value.Mean, $"{row.Name}'s {name} does not depend on the order");
            }

            using var a = forward.Artifacts.Single(x => x.Contender == row.Name).Samples.alias();
            using var b = reversed.Artifacts.Single(x => x.Contender == row.Name).Samples.alias();
            a.eq(b).all().item<bool>().Should().BeTrue($"{row.Name}'s samples are those of one Sample call, whatever the order");
            row.SamplesPerSecondSpread!.Runs.Should().Be(4, "300 samples in batches of 128 are three timed batches (after one untimed warm-up batch), then one timing-only one make the four timed turns asked for");
            row.SamplesPerSecond.Mean.Should().BeInRange(row.SamplesPerSecondSpread.Low, row.SamplesPerSecondSpread.High, "the median lies within its batches");
        }

        using var json = JsonDocument.Parse(forward.ToJson());
        var first = json.RootElement.GetProperty("contenders")[0];
        first.GetProperty("samplingBatchesTimed").GetInt32().Should().Be(4);
        first.GetProperty("samplesPerSecondLow").GetDouble().Should().BeLessThanOrEqualTo(first.GetProperty("samplesPerSecondHigh").GetDouble());
    }

    [Fact]
    public void A_table_comparison_conditions_on_classes_and_reports_table_metrics()
    {
        using var data = ComparisonData.FromBuiltIn("wine", seed: 0);
        data.Kind.Should().Be(ComparisonDataKind.Table);
        data.ClassCount.Should().Be(3);
        (data.Count + data.TestSamples!.shape[0]).Should().Be(178);
        var options = new ComparisonOptions
        {
            Budget = new ComparisonBudget(20),
            SampleCount = 150,
            Contenders = ContenderRegistry.Default.Create(["gan"]),
        };
        using var result = new ComparisonRunner(data, options).Run();
        var metrics = result.Contenders.Single().Metrics;
        metrics.Keys.Should().Contain(["tstrAccuracy", "trtrAccuracy", "columnWasserstein", "correlationDifference"]);
        metrics["trtrAccuracy"].Mean.Should().BeGreaterThan(0.85, "logistic regression on real wine rows is accurate");
        result.Artifacts.Single().Samples.shape.Should().Equal(150, 13);
    }

    [Fact]
    public void The_timing_schedule_is_the_same_whatever_the_order_of_the_rows()
    {
        // The reported speeds cannot depend on the contenders' order: the rows are timed in the same sequence of names.
        string[] forward = ["gan", "wgan-gp", "ddpm-1000", "ddim-50", "ddim-10", "ddim-4"];
        string[] reversed = [.. forward.Reverse()];
        using var a = new TorchSharp.torch.Generator(43);
        using var b = new TorchSharp.torch.Generator(43);
        var rounds = new List<string>();
        for (int round = 0; round < 8; round++)
        {
            string[] fromForward = [.. ComparisonRunner.RoundOrder(forward, a).Select(i => forward[i])];
            string[] fromReversed = [.. ComparisonRunner.RoundOrder(reversed, b).Select(i => reversed[i])];
            fromReversed.Should().Equal(fromForward, $"round {round} times the rows in the same order");
            fromForward.Should().BeEquivalentTo(forward, "each row takes one turn a round");
            rounds.Add(string.Join(",", fromForward));
        }

        rounds.Distinct().Count().Should().BeGreaterThan(1, "the order is shuffled from round to round, so no row always follows the same one");
    }

    [Fact]
    public void Bad_options_are_rejected_with_the_option_named()
    {
        using var data = ComparisonData.FromBuiltIn("ring", trainCount: 200, seed: 0);
        var act = () => new ComparisonRunner(data, new ComparisonOptions { Seeds = [] });
        act.Should().Throw<ArgumentException>().WithParameterName("Seeds");
        act = () => new ComparisonRunner(data, new ComparisonOptions { SampleCount = 5 });
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("SampleCount");
        act = () => new ComparisonRunner(data, new ComparisonOptions { SampleEfficiencyFractions = [0.5, 1.5] });
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("SampleEfficiencyFractions");
        act = () => new ComparisonRunner(data, new ComparisonOptions { TimedTurns = 0 });
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("TimedTurns");
        act = () => new ComparisonRunner(data, new ComparisonOptions { Contenders = [GanContender.Vanilla(), GanContender.Vanilla()] });
        act.Should().Throw<ArgumentException>().WithParameterName("Contenders").WithMessage("*distinct*");

        // Two contenders of their own names whose rows share a name (a diffusion model trained two ways) would be averaged
        // into one row: refused, with the row and both contenders named.
        var twoWays = new[] { DiffusionContender.Ddpm(), DiffusionContender.Ddpm("diffusion-3e-3") with { Training = new() { LearningRate = 3e-3 } } };
        act = () => new ComparisonRunner(data, new ComparisonOptions { Contenders = twoWays });
        act.Should().Throw<ArgumentException>().WithParameterName("Contenders").WithMessage("*'diffusion' and 'diffusion-3e-3' both have a row named 'ddpm-1000'*");
        act = () => new ComparisonRunner(data, new ComparisonOptions { Contenders = [FlowContender.OptimalTransport("a", ("euler", 4)), FlowContender.OptimalTransport("b", ("euler", 4))] });
        act.Should().NotThrow("the flow contenders' rows carry their names");
        var unknown = () => ContenderRegistry.Default.Create(["vae"]);
        unknown.Should().Throw<ArgumentException>().WithMessage("*vae*gan, *wgan-gp*");
        var dataset = () => ComparisonData.FromBuiltIn("mnist");
        dataset.Should().Throw<ArgumentException>().WithMessage("*mnist*");
    }

    private sealed class SynchronousProgress(Action<ComparisonProgress> report) : IProgress<ComparisonProgress>
    {
        public void Report(ComparisonProgress value) => report(value);
    }
}
