using Generative.Comparison;

namespace Generative.Tests.Comparison;

public sealed class FlowContenderTests
{
    [Fact]
    public void A_tiny_flow_contender_runs_with_its_network_evaluations_counted()
    {
        using var data = ComparisonData.FromBuiltIn("ring", trainCount: 512, seed: 0);
        var options = new ComparisonOptions
        {
            Budget = new ComparisonBudget(300),
            SampleCount = 400,
            Seeds = [0],
            Contenders = ContenderRegistry.Default.Create(["flow"]),
        };
        using var result = new ComparisonRunner(data, options).Run();

        result.Contenders.Select(c => c.Name).Should().Equal("flow-euler-50", "flow-euler-10", "flow-heun-4");
        result.Contenders.Select(c => c.NetworkEvaluationsPerSample).Should().Equal(50, 10, 8);
        result.Contenders.Should().OnlyContain(c => c.Family.Key == "flow" && c.TrainSteps.Mean == 300);
        result.Contenders.Select(c => c.ParameterCount).Distinct().Should().ContainSingle("the solvers share one trained model");
        // 300 steps on the ring are enough for the straight-path field to put samples on most of the 8 modes.
        result.Contenders[0].Metrics["modesCaptured"].Mean.Should().BeGreaterThanOrEqualTo(6);
    }

    [Fact]
    public void A_reflow_contender_shares_the_step_budget_between_its_two_passes()
    {
        using var data = ComparisonData.FromBuiltIn("ring", trainCount: 512, seed: 0);
        var options = new ComparisonOptions
        {
            Budget = new ComparisonBudget(300),
            SampleCount = 400,
            Seeds = [0],
            Contenders = [FlowContender.Reflowed() with { ReflowPairCount = 512, ReflowPairSteps = 4 }],
        };
        using var result = new ComparisonRunner(data, options).Run();

        result.Contenders.Select(c => c.Name).Should().Equal("flow-reflow-euler-1", "flow-reflow-euler-2", "flow-reflow-midpoint-2", "flow-reflow-euler-4");
        result.Contenders.Select(c => c.NetworkEvaluationsPerSample).Should().Equal(1, 2, 4, 4);
        result.Contenders.Should().OnlyContain(c => c.Family.Key == "flow" && c.TrainSteps.Mean == 300, "150 first-flow and 150 reflow steps");
        result.Contenders[0].ParameterCount.Should().BeGreaterThan(0, "the student has the first network's parameters");
        var losses = result.Artifacts[0].LossHistory["loss"];
        losses.Select(p => p.Step).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        losses[^1].Step.Should().Be(299, "the reflow pass's steps are numbered after the first pass's 150");
    }

    [Fact]
    public void The_optimal_transport_contender_is_registered_with_few_step_rows_and_trains_one_coupled_flow()
    {
        var registered = ContenderRegistry.Default.Create(["flow-ot"]).Single().Should().BeOfType<FlowContender>().Subject;
        registered.Coupling.Should().BeOfType<Generative.Flow.MinibatchOptimalTransportCoupling>();
        registered.Samplers.Select(s => s.Name).Should().Equal("flow-ot-euler-1", "flow-ot-euler-2", "flow-ot-midpoint-2", "flow-ot-euler-4", "flow-ot-euler-50");
        registered.Samplers.Select(s => s.NetworkEvaluationsPerSample).Should().Equal(1, 2, 4, 4, 50);
        registered.Training.Should().Be(new Generative.Flow.FlowTrainingOptions { LearningRate = 6e-3, TimeDistribution = Generative.Flow.FlowTimeDistribution.Uniform },
            "the few-step contender trains on uniform times at its own rate (docs/flow.md)");
        (registered with { Coupling = null, Training = FlowContender.Default().Training }).Should().BeEquivalentTo(
            FlowContender.Default() with { }, o => o.Excluding(c => c.Name).Excluding(c => c.Samplers), "otherwise it is the flow contender");

        using var data = ComparisonData.FromBuiltIn("ring", trainCount: 512, seed: 0);
        var options = new ComparisonOptions
        {
            Budget = new ComparisonBudget(150),
            SampleCount = 200,
            Seeds = [0],
            Contenders = [FlowContender.OptimalTransport("flow-ot", ("euler", 4), ("euler", 20)) with { BatchSize = 128 }],
        };
        using var result = new ComparisonRunner(data, options).Run();

        result.Contenders.Select(c => c.Name).Should().Equal("flow-ot-euler-4", "flow-ot-euler-20");
        result.Contenders.Should().OnlyContain(c => c.Family.Key == "flow" && c.TrainSteps.Mean == 150);
        result.Contenders.Select(c => c.ParameterCount).Distinct().Should().ContainSingle("the solvers share one trained model");
        result.Contenders[^1].Metrics["modesCaptured"].Mean.Should().BeGreaterThanOrEqualTo(4);
    }

    [Fact]
    public void A_reflow_contender_refuses_labelled_data_and_a_share_outside_0_to_1()
    {
        using var wine = ComparisonData.FromBuiltIn("wine", seed: 0);
        var labelled = () => FlowContender.Reflowed().Train(new ContenderTrainingRequest(wine, new ComparisonBudget(10), 0, null, default));
        labelled.Should().Throw<ArgumentException>().WithMessage("*unconditional*3 classes*");
        using var ring = ComparisonData.FromBuiltIn("ring", trainCount: 100, seed: 0);
        var share = () => (FlowContender.Reflowed() with { ReflowShare = 1 }).Train(new ContenderTrainingRequest(ring, new ComparisonBudget(10), 0, null, default));
        share.Should().Throw<ArgumentException>().WithMessage("*ReflowShare must be in [0, 1) (was 1)*");
    }

    [Fact]
    public void Solvers_are_checked_when_the_contender_is_made()
    {
        var unknown = () => FlowContender.WithSolvers("flow", ("rk45", 4));
        unknown.Should().Throw<ArgumentException>().WithMessage("*'rk45'*euler*");
        var zero = () => FlowContender.WithSolvers("flow", ("heun", 0));
        zero.Should().Throw<ArgumentOutOfRangeException>();
        FlowContender.WithSolvers("f", ("midpoint", 3)).Samplers.Single().NetworkEvaluationsPerSample.Should().Be(6);
    }
}
