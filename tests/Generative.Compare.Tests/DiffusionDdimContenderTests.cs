using Generative.Comparison;

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
}
