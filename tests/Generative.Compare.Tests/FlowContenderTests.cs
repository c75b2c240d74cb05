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
    public void Solvers_are_checked_when_the_contender_is_made()
    {
        var unknown = () => FlowContender.WithSolvers("flow", ("rk45", 4));
        unknown.Should().Throw<ArgumentException>().WithMessage("*'rk45'*euler*");
        var zero = () => FlowContender.WithSolvers("flow", ("heun", 0));
        zero.Should().Throw<ArgumentOutOfRangeException>();
        FlowContender.WithSolvers("f", ("midpoint", 3)).Samplers.Single().NetworkEvaluationsPerSample.Should().Be(6);
    }
}
