using Generative.Comparison;

namespace Generative.Tests.Comparison;

public sealed class DenoisingGanContenderTests
{
    [Fact]
    public void The_ddgan_contenders_run_with_T_network_evaluations_per_sample()
    {
        using var data = ComparisonData.FromBuiltIn("ring", trainCount: 512, seed: 0);
        var options = new ComparisonOptions
        {
            Budget = new ComparisonBudget(200),
            SampleCount = 400,
            Seeds = [0],
            Contenders = ContenderRegistry.Default.Create(["ddgan", "ddgan-2"]),
        };
        using var result = new ComparisonRunner(data, options).Run();

        result.Contenders.Select(c => c.Name).Should().Equal("ddgan-4", "ddgan-2");
        result.Contenders.Select(c => c.NetworkEvaluationsPerSample).Should().Equal(4, 2);
        result.Contenders.Should().OnlyContain(c => c.Family.Key == "ddgan" && c.TrainSteps.Mean == 200);
    }

    [Fact]
    public void Steps_out_of_range_and_data_the_contender_cannot_model_are_refused()
    {
        var zero = () => new DenoisingGanContender(0);
        zero.Should().Throw<ArgumentOutOfRangeException>();
        new DenoisingGanContender(8).Samplers.Single().Should().Match<ContenderSampler>(s => s.Name == "ddgan-8" && s.NetworkEvaluationsPerSample == 8);
        using var labelled = ComparisonData.FromBuiltIn("wine", trainCount: 200, seed: 0);
        var options = new ComparisonOptions { Budget = new ComparisonBudget(2), SampleCount = 100, Seeds = [0], TimedTurns = 1, Contenders = [new DenoisingGanContender(2)] };
        var run = () => new ComparisonRunner(labelled, options).Run().Dispose();
        run.Should().Throw<NotSupportedException>().WithMessage("*unconditional, but the data have 3 classes*");
    }
}
