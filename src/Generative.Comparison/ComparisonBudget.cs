using System.Globalization;

namespace Generative.Comparison;

/// <summary>
/// The training budget every contender gets: a number of training steps, a wall-clock duration, or both (the first
/// reached ends training). A step is one call of the family's training step on one batch — one denoiser update for
/// diffusion, one critic update (plus a generator update every n_critic steps) for a GAN.
/// </summary>
public sealed record ComparisonBudget
{
    /// <summary>Creates a budget.</summary>
    /// <param name="steps">Training steps per contender, ≥ 1, or <see langword="null"/>.</param>
    /// <param name="duration">Wall-clock training time per contender, &gt; 0, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">Neither is given, or one is out of range.</exception>
    public ComparisonBudget(long? steps, TimeSpan? duration = null)
    {
        if (steps is null && duration is null)
        {
            throw new ArgumentException("A budget needs a number of steps, a duration, or both.", nameof(steps));
        }

        if (steps is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), steps, "The step budget must be at least 1.");
        }

        if (duration is { } d && d <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "The time budget must be positive.");
        }

        Steps = steps;
        Duration = duration;
    }

    /// <summary>Training steps per contender, or <see langword="null"/> for a time budget only.</summary>
    public long? Steps { get; }

    /// <summary>Wall-clock training time per contender, or <see langword="null"/> for a step budget only.</summary>
    public TimeSpan? Duration { get; }

    /// <summary>
    /// Parses <c>20000</c> (steps), <c>90s</c>, <c>2m</c> or <c>1h</c> (durations), or <c>20000,90s</c> (both).
    /// </summary>
    /// <param name="text">The text to parse.</param>
    /// <exception cref="FormatException">The text is not a budget; the message says what is accepted.</exception>
    public static ComparisonBudget Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        long? steps = null;
        TimeSpan? duration = null;
        foreach (string raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string part = raw.ToLowerInvariant();
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
                    $"'{raw}' is not a budget: give a positive step count (20000), a positive duration (90s, 2m, 1h), or both separated by a comma.");
            }
        }

        if (steps is null && duration is null)
        {
            throw new FormatException("The budget is empty: give a step count (20000), a duration (90s), or both (20000,90s).");
        }

        return new ComparisonBudget(steps, duration);
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

        return string.Join(" or ", parts);
    }
}
