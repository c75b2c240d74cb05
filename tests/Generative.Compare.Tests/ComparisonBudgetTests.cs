using Generative.Comparison;

namespace Generative.Tests.Comparison;

public class ComparisonBudgetTests
{
    [Theory]
    [InlineData("20000", 20000L, null)]
    [InlineData("20_000", 20000L, null)]
    [InlineData("90s", null, 90.0)]
    [InlineData("2m", null, 120.0)]
    [InlineData("1.5h", null, 5400.0)]
    [InlineData("5000, 30s", 5000L, 30.0)]
    public void Parses_steps_durations_and_both(string text, long? steps, double? seconds)
    {
        var budget = ComparisonBudget.Parse(text);
        budget.Steps.Should().Be(steps);
        budget.Duration?.TotalSeconds.Should().Be(seconds);
        if (seconds is null)
        {
            budget.Duration.Should().BeNull();
        }

        ComparisonBudget.Parse(budget.ToString().Replace(" steps", string.Empty, StringComparison.Ordinal).Replace(" or ", ",", StringComparison.Ordinal).Replace(" s", "s", StringComparison.Ordinal))
            .Should().BeEquivalentTo(budget, "ToString reads back");
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("0s")]
    [InlineData("ten")]
    [InlineData("5x")]
    public void Rejects_what_is_not_a_positive_budget(string text)
    {
        var act = () => ComparisonBudget.Parse(text);
        act.Should().Throw<FormatException>().WithMessage("*budget*");
    }

    [Fact]
    public void The_constructor_needs_steps_or_a_duration()
    {
        var none = () => new ComparisonBudget(null, null);
        none.Should().Throw<ArgumentException>();
        var zero = () => new ComparisonBudget(0);
        zero.Should().Throw<ArgumentOutOfRangeException>();
        var negative = () => new ComparisonBudget(null, TimeSpan.FromSeconds(-1));
        negative.Should().Throw<ArgumentOutOfRangeException>();
    }
}
