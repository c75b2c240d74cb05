namespace Generative.Abstractions.Tests;

/// <summary>The one rule set of sampling settings.</summary>
public class SamplingOptionsTests
{
    [Fact]
    public void Unset_and_in_range_options_are_valid()
    {
        new SamplingOptions().Validate().Should().BeEmpty();
        new SamplingOptions { BatchSize = 1, Sampler = "euler", Steps = 1, Eta = 0, GuidanceScale = 0, UseEma = false }.Validate().Should().BeEmpty();
        new SamplingOptions { Eta = 1, GuidanceScale = 7.5 }.Validate().Should().BeEmpty();
    }

    [Fact]
    public void Every_problem_is_returned_with_the_options_name()
    {
        var problems = new SamplingOptions { BatchSize = 0, Sampler = " ", Steps = -2, Eta = 1.5, GuidanceScale = double.NaN }.Validate();
        problems.Should().Equal(
            "BatchSize must be at least 1, but is 0.",
            "Sampler must name a sampler, but is empty.",
            "Steps must be at least 1, but is -2.",
            "Eta must be in [0, 1], but is 1.5.",
            "GuidanceScale must be finite and at least 0, but is NaN.");
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0001)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Eta_outside_zero_to_one_is_rejected(double eta) =>
        new SamplingOptions { Eta = eta }.Validate().Should().ContainSingle().Which.Should().StartWith("Eta must be in [0, 1]");

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(double.PositiveInfinity)]
    public void Guidance_must_be_finite_and_not_negative(double scale) =>
        new SamplingOptions { GuidanceScale = scale }.Validate().Should().ContainSingle().Which.Should().StartWith("GuidanceScale");
}
