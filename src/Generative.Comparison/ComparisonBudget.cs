using System.Globalization;

namespace Generative.Comparison;

/// <summary>
/// The training budget every contender gets: a number of training steps, a wall-clock duration, a number of network
/// evaluations, or several (the first reached ends training). A step is one call of the family's training step on one
/// batch — one denoiser update for diffusion, one critic update (plus a generator update every n_critic steps) for a
/// GAN. A network evaluation is one forward or one backward pass of one network over one batch
/// (<see cref="TrainingCost"/>); under such a budget each contender runs the most steps whose cost
/// (<see cref="IComparisonContender.CostOfSteps"/>) stays within it.
/// </summary>
public sealed record ComparisonBudget
{
    /// <summary>Creates a budget of steps, time and/or network evaluations.</summary>
    /// <param name="steps">Training steps per contender, ≥ 1, or <see langword="null"/>.</param>
    /// <param name="duration">Wall-clock training time per contender, &gt; 0, or <see langword="null"/>.</param>
    /// <param name="networkEvaluations">Network evaluations per contender (forward plus backward passes of every
    /// network over a batch), ≥ 1, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">None is given, or one is out of range.</exception>
    public ComparisonBudget(long? steps, TimeSpan? duration = null, long? networkEvaluations = null)
    {
        if (steps is null && duration is null && networkEvaluations is null)
        {
            throw new ArgumentException("A budget needs a number of steps, a duration, a number of network evaluations, or several of them.", nameof(steps));
        }

        if (steps is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), steps, "The step budget must be at least 1.");
        }

        if (duration is { } d && d <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "The time budget must be positive.");
        }

        if (networkEvaluations is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(networkEvaluations), networkEvaluations, "The budget of network evaluations must be at least 1.");
        }

        Steps = steps;
        Duration = duration;
        NetworkEvaluations = networkEvaluations;
    }

    /// <summary>Training steps per contender, or <see langword="null"/> for a time budget only.</summary>
    public long? Steps { get; }

    /// <summary>Wall-clock training time per contender, or <see langword="null"/> for a step budget only.</summary>
    public TimeSpan? Duration { get; }

    /// <summary>Network evaluations per contender (forward plus backward passes of every network over a batch; see
    /// <see cref="TrainingCost"/>), or <see langword="null"/>.</summary>
    public long? NetworkEvaluations { get; }

    /// <summary>This budget for one contender: a budget in network evaluations becomes the most steps whose cost stays
    /// within it (and within <see cref="Steps"/>), with the same duration; a budget without one is returned as it is.</summary>
    /// <param name="contender">The contender.</param>
    /// <param name="data">The data it trains on.</param>
    /// <returns>A budget of steps and/or time.</returns>
    /// <exception cref="ArgumentException">The contender does not say what its steps cost, or one step costs more than
    /// the budget; the message names the contender and the figures.</exception>
    public ComparisonBudget For(IComparisonContender contender, ComparisonData data)
    {
        ArgumentNullException.ThrowIfNull(contender);
        ArgumentNullException.ThrowIfNull(data);
        if (NetworkEvaluations is not { } budget)
        {
            return this;
        }

        long Cost(long steps) => contender.CostOfSteps(data, steps)?.NetworkEvaluations
            ?? throw new ArgumentException(
                $"The contender '{contender.Name}' does not say what its training costs (IComparisonContender.CostOfSteps returns null), so a budget of {budget} network evaluations cannot run it; give it a budget in steps or time.",
                nameof(contender));

        long one = Cost(1);
        if (one > budget)
        {
            throw new ArgumentException(
                $"One training step of '{contender.Name}' costs {one} network evaluations, more than the budget of {budget}.", nameof(contender));
        }

        // The most steps within the budget: double past it, then bisect (the cost does not decrease with the steps).
        long cap = Steps ?? long.MaxValue / 2;
        long low = 1, high = 2;
        while (high <= cap && Cost(high) <= budget)
        {
            low = high;
            high *= 2;
        }

        high = Math.Min(high, cap + 1);
        while (high - low > 1)
        {
            long middle = low + ((high - low) / 2);
            if (Cost(middle) <= budget)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        return new ComparisonBudget(low, Duration);
    }

    /// <summary>
    /// Parses <c>20000</c> (steps), <c>90s</c>, <c>2m</c> or <c>1h</c> (durations), <c>60000nfe</c> (network
    /// evaluations), or several separated by commas (<c>20000,90s</c>): the first reached ends training.
    /// </summary>
    /// <param name="text">The text to parse.</param>
    /// <exception cref="FormatException">The text is not a budget; the message says what is accepted.</exception>
    public static ComparisonBudget Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        long? steps = null;
        TimeSpan? duration = null;
        long? evaluations = null;
        foreach (string raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string part = raw.ToLowerInvariant();
            if (part.EndsWith("nfe", StringComparison.Ordinal))
            {
                evaluations = long.TryParse(part[..^3].Trim().Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out long e) && e >= 1
                    ? e
                    : throw new FormatException($"'{raw}' is not a budget of network evaluations: give a positive whole number before 'nfe' (60000nfe).");
                continue;
            }

            double factor = part.EndsWith('s') ? 1 : part.EndsWith('m') ? 60 : part.EndsWith('h') ? 3600 : 0;
            if (factor > 0 && double.TryParse(part[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out double amount) && amount > 0)
            {
                duration = TimeSpan.FromSeconds(amount * factor);
            }
            else if (factor == 0 && long.TryParse(part.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) && n >= 1)
            {
                steps = n;
            }
            else
            {
                throw new FormatException(
                    $"'{raw}' is not a budget: give a positive step count (20000), a positive duration (90s, 2m, 1h), a positive number of network evaluations (60000nfe), or several separated by commas.");
            }
        }

        if (steps is null && duration is null && evaluations is null)
        {
            throw new FormatException("The budget is empty: give a step count (20000), a duration (90s), a number of network evaluations (60000nfe), or several (20000,90s).");
        }

        return new ComparisonBudget(steps, duration, evaluations);
    }

    /// <summary>The budget as <see cref="Parse"/> reads it back.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (Steps is { } s)
        {
            parts.Add(s.ToString(CultureInfo.InvariantCulture) + " steps");
        }

        if (Duration is { } d)
        {
            parts.Add(d.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s");
        }

        if (NetworkEvaluations is { } e)
        {
            parts.Add(e.ToString(CultureInfo.InvariantCulture) + " network evaluations");
        }

        return string.Join(" or ", parts);
    }
}
