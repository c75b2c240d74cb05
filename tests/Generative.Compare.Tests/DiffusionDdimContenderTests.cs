using Generative.Comparison;
using Generative.Diffusion;

namespace Generative.Compare.Tests;

/// <summary>The diffusion contender sampled with DDIM alone (for protocols that draw many samples, such as stacked digits).</summary>
public sealed class DiffusionDdimContenderTests
{
    [Theory]
    [InlineData("diffusion-ddim50", 50)]
    [InlineData("diffusion-ddim10", 10)]
    public void The_registered_names_sample_with_one_DDIM_sampler(string name, int steps)
    {
        var contender = ContenderRegistry.Default.Create([name])[0];
        contender.Name.Should().Be(name);
        contender.Family.Should().Be(ModelFamily.Diffusion);
        contender.Samplers.Should().ContainSingle();
        var sampler = contender.Samplers[0];
        sampler.Name.Should().Be($"ddim-{steps}");
        sampler.Sampler.Should().Be("ddim");
        sampler.Options.Steps.Should().Be(steps);
        sampler.Options.Eta.Should().Be(0);
        sampler.NetworkEvaluationsPerSample.Should().Be(steps);

        // The same sampler as the default contender's DDIM row of that many steps.
        DiffusionContender.Ddpm().Samplers.Single(s => s.Name == $"ddim-{steps}").Should().Be(sampler);
    }

    [Fact]
    public void Steps_out_of_range_are_refused()
    {
        DiffusionContender.Ddim(4, "mine").Name.Should().Be("mine");
        var none = () => DiffusionContender.Ddim(0);
        none.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("steps");
        var many = () => DiffusionContender.Ddim(1001);
        many.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("steps");
    }

    [Fact]
    public void The_training_options_set_with_with_reach_the_trainer()
    {
        DiffusionContender.Ddpm().Training.Should().Be(new DiffusionTrainingOptions { LearningRate = 1e-3 });
        using var ring = ComparisonData.FromBuiltIn("ring", 256, seed: 0);
        var request = new ContenderTrainingRequest(ring, new ComparisonBudget(3), 0, null, default);
        var changed = DiffusionContender.Ddim(4) with { Training = new DiffusionTrainingOptions { Objective = PredictionType.Sample, LearningRate = 3e-3 } };
        changed.Name.Should().Be("diffusion-ddim4", "with changes only what it names");

        using var trained = changed.Train(request);
        ((DiffusionModel)trained.Model).Options.PredictionType.Should().Be(PredictionType.Sample);
        using var plain = DiffusionContender.Ddim(4).Train(request);
        ((DiffusionModel)plain.Model).Options.PredictionType.Should().Be(PredictionType.Epsilon);
    }
}
