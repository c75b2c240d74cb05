using Generative.Comparison;
using Generative.Training;

namespace Generative.Tests.Comparison;

/// <summary>The training cost in optimiser updates and network evaluations, and budgets in network evaluations.</summary>
public sealed class TrainingCostTests
{
    [Theory]
    [InlineData("60000nfe", null, null, 60000L)]
    [InlineData("60_000 NFE", null, null, 60000L)]
    [InlineData("5000,90s,60000nfe", 5000L, 90.0, 60000L)]
    public void Parses_budgets_in_network_evaluations(string text, long? steps, double? seconds, long evaluations)
    {
        var budget = ComparisonBudget.Parse(text);
        budget.NetworkEvaluations.Should().Be(evaluations);
        budget.Steps.Should().Be(steps);
        budget.Duration?.TotalSeconds.Should().Be(seconds);
        budget.ToString().Should().EndWith($"{evaluations} network evaluations");
    }

    [Theory]
    [InlineData("0nfe")]
    [InlineData("-5nfe")]
    [InlineData("nfe")]
    [InlineData("1.5nfe")]
    public void Rejects_what_is_not_a_positive_number_of_evaluations(string text)
    {
        var act = () => ComparisonBudget.Parse(text);
        act.Should().Throw<FormatException>().WithMessage($"'{text}' is not a budget of network evaluations: give a positive whole number before 'nfe' (60000nfe).");
        var constructed = () => new ComparisonBudget(null, null, 0);
        constructed.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("networkEvaluations");
    }

    [Fact]
    public void The_built_in_contenders_count_their_passes()
    {
        using var data = ComparisonData.FromBuiltIn("ring", trainCount: 200, seed: 0);

        // gan, per step: generator 1 forward (the critic's fakes) + 1 forward and 1 backward (its update); critic 2 forward
        // and 2 backward (real and fake batches) + 1 forward and 1 backward (the generator's update) = 9.
        var gan = GanContender.Vanilla().CostOfSteps(data, 10);
        gan.NetworkEvaluations.Should().Be(90);
        Work(gan, "critic").Should().Be(new NetworkWork("critic", 10, 30, 30));
        Work(gan, "generator").Should().Be(new NetworkWork("generator", 10, 20, 10));

        // wgan-gp, 5 critic steps per generator step: each critic step 1 generator forward, 2 + 1 critic forwards (real,
        // fake, penalty points) and 2 + 2 backwards (the loss, the input gradient and its double backward): 8; each
        // generator step 4 more. 12 steps hold 2 generator steps: 12·8 + 2·4 = 104.
        var wgan = GanContender.WganGp().CostOfSteps(data, 12);
        wgan.NetworkEvaluations.Should().Be(104);
        Work(wgan, "critic").Should().Be(new NetworkWork("critic", 12, 38, 50));
        Work(wgan, "generator").Should().Be(new NetworkWork("generator", 2, 14, 2));

        DiffusionContender.Ddpm().CostOfSteps(data, 7).Should().Match<TrainingCost>(c => c.NetworkEvaluations == 14 && c.Networks.Single().OptimizerSteps == 7);
        GanContender.PackedVanilla(2).CostOfSteps(data, 10).NetworkEvaluations.Should().Be(90, "packing changes the critic's input, not its passes");
        // pacgan, simultaneous updates: one generated batch (1 generator forward) serves the critic and the generator's update.
        var pacgan = GanContender.PacGan(2).CostOfSteps(data, 10);
        Work(pacgan, "generator").Should().Be(new NetworkWork("generator", 10, 10, 10));
        Work(pacgan, "critic").Should().Be(new NetworkWork("critic", 10, 30, 30));
        pacgan.NetworkEvaluations.Should().Be(80);
        // ddgan, per step: generator 1 forward (the discriminator's fakes) + 1 forward and 1 backward (its update);
        // discriminator 2 forward and 2 backward (real and fake pairs) + 1 forward and 2 backward (R1 on the real pairs)
        // + 1 forward and 1 backward (the generator's update) = 12; without R1, 9.
        var ddgan = new DenoisingGanContender(2).CostOfSteps(data, 10);
        ddgan.NetworkEvaluations.Should().Be(120);
        Work(ddgan, "critic").Should().Be(new NetworkWork("critic", 10, 40, 50));
        Work(ddgan, "generator").Should().Be(new NetworkWork("generator", 10, 20, 10));
        new DenoisingGanContender(4) { Training = new Generative.DenoisingGan.DenoisingGanTrainingOptions { R1Gamma = 0 } }.CostOfSteps(data, 10)
            .NetworkEvaluations.Should().Be(90, "without R1 a step is a GAN's");
        FlowContender.OptimalTransport().CostOfSteps(data, 7).Should().BeEquivalentTo(FlowContender.Default().CostOfSteps(data, 7), "the coupling evaluates no network")
            .And.Match<TrainingCost>(c => c.NetworkEvaluations == 14);
        FlowContender.Reflowed().CostOfSteps(data, 10).Should().BeNull("the reflow pairs' solver evaluations are not counted, so no cost is claimed");
    }

    [Fact]
    public void A_budget_in_network_evaluations_becomes_the_most_steps_within_it()
    {
        using var data = ComparisonData.FromBuiltIn("ring", trainCount: 200, seed: 0);
        var budget = new ComparisonBudget(null, null, 400);
        budget.For(GanContender.Vanilla(), data).Steps.Should().Be(44, "9 · 44 = 396 ≤ 400 < 405");
        budget.For(GanContender.WganGp(), data).Steps.Should().Be(45, "45 steps cost 45 · 8 + 9 · 4 = 396; 46 cost 404");
        budget.For(DiffusionContender.Ddpm(), data).Steps.Should().Be(200);
        new ComparisonBudget(30, TimeSpan.FromSeconds(5), 400).For(GanContender.Vanilla(), data)
            .Should().Match<ComparisonBudget>(b => b.Steps == 30 && b.Duration == TimeSpan.FromSeconds(5) && b.NetworkEvaluations == null, "the step budget is reached first");
        var steps = new ComparisonBudget(300);
        steps.For(GanContender.Vanilla(), data).Should().BeSameAs(steps, "a budget of steps or time is every contender's as it is");

        var unknown = () => budget.For(FlowContender.Reflowed(), data);
        unknown.Should().Throw<ArgumentException>().WithMessage("The contender 'flow-reflow' does not say what its training costs*budget of 400 network evaluations cannot run it*");
        var small = () => new ComparisonBudget(null, null, 8).For(GanContender.Vanilla(), data);
        small.Should().Throw<ArgumentException>().WithMessage("One training step of 'gan' costs 9 network evaluations, more than the budget of 8.*");
    }

    [Fact]
    public void Each_contender_stops_at_its_count_and_the_results_report_it()
    {
        using var data = ComparisonData.FromBuiltIn("ring", trainCount: 512, seed: 0);
        var options = new ComparisonOptions
        {
            Budget = ComparisonBudget.Parse("400nfe"), SampleCount = 200, Seeds = [0], TimedTurns = 1,
            Contenders = ContenderRegistry.Default.Create(["gan", "wgan-gp", "diffusion"]),
        };
        using var result = new ComparisonRunner(data, options).Run();
        var rows = result.Contenders.ToDictionary(c => c.Name);
        rows["gan"].TrainSteps.Mean.Should().Be(44);
        rows["wgan-gp"].TrainSteps.Mean.Should().Be(45);
        rows["ddpm-1000"].TrainSteps.Mean.Should().Be(200);
        rows["gan"].TrainingCost!.NetworkEvaluations.Mean.Should().Be(396);
        rows["wgan-gp"].TrainingCost!.OptimizerSteps.Should().ContainKeys("critic", "generator");
        rows["wgan-gp"].TrainingCost!.OptimizerSteps["generator"].Mean.Should().Be(9);
        rows["ddim-4"].TrainingCost!.NetworkEvaluations.Mean.Should().Be(400);
        MetricFormat.FormatUpdates(rows["wgan-gp"]).Should().Be("critic 45 · generator 9");
        result.ToJson().Should().Contain("\"networkEvaluations\": 400");

        var unknown = () => new ComparisonRunner(data, options with { Contenders = [GanContender.Vanilla(), FlowContender.Reflowed()] }).Run();
        unknown.Should().Throw<ArgumentException>().WithMessage("*'flow-reflow'*");
    }

    [Fact]
    public void A_gan_with_a_cosine_schedule_decays_both_learning_rates_to_zero()
    {
        using var data = ComparisonData.FromBuiltIn("ring", trainCount: 256, seed: 0);
        var rates = new List<(double Critic, double Generator)>();
        var contender = GanContender.Vanilla().WithLearningRateSchedule(LearningRateSchedule.WarmupCosine(0), "gan-cosine").WithCallbacks([new RateProbe(rates)]);
        contender.Name.Should().Be("gan-cosine");
        using var trained = contender.Train(new ContenderTrainingRequest(data, new ComparisonBudget(5), 0, null, CancellationToken.None));
        double[] expected = [.. Enumerable.Range(0, 5).Select(s => 2e-4 * 0.5 * (1 + Math.Cos(Math.PI * s / 4)))];
        rates.Select(r => r.Critic).Should().Equal(expected, (a, b) => Math.Abs(a - b) < 1e-12);
        rates.Select(r => r.Generator).Should().Equal(expected, (a, b) => Math.Abs(a - b) < 1e-12);
    }

    private static NetworkWork Work(TrainingCost cost, string network) => cost.Networks.Single(n => n.Network == network);

    private sealed class RateProbe(List<(double, double)> rates) : TrainingCallback
    {
        public override void OnStepEnd(TrainingCallbackContext context)
        {
            var optimizers = context.TrainingStep.Optimizers;
            rates.Add((optimizers["critic"].ParamGroups.First().LearningRate, optimizers["generator"].ParamGroups.First().LearningRate));
        }
    }
}
