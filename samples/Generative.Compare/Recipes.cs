using Generative.Comparison;

namespace Generative.Compare;

/// <summary>
/// A named preset of the comparison's options (<c>--recipe NAME</c>): the data set, training-set size, contenders, budget,
/// seeds and sample count of a published protocol. Options given on the command line override the recipe's.
/// </summary>
/// <param name="Description">What the recipe reproduces (shown by <c>--help</c>).</param>
/// <param name="Dataset">The built-in data set.</param>
/// <param name="TrainCount">Training samples drawn.</param>
/// <param name="Contenders">Registered contender names.</param>
/// <param name="Budget">The training budget per contender.</param>
/// <param name="Seeds">The seeds.</param>
/// <param name="Samples">Samples drawn per contender for the metrics.</param>
internal sealed record ComparisonRecipe(
    string Description,
    string Dataset,
    long TrainCount,
    IReadOnlyList<string> Contenders,
    ComparisonBudget Budget,
    IReadOnlyList<long> Seeds,
    int Samples);

/// <summary>The recipes <c>--recipe</c> knows, by name (case-insensitive).</summary>
internal static class ComparisonRecipes
{
    /// <summary>
    /// <c>pacgan</c>: PacGAN's Table 1 on the 25-Gaussian grid (Lin et al. 2018): GAN, PacGAN2 and PacGAN4 with the
    /// authors' networks and optimiser (<see cref="GanContender.PacGan"/>), 100,000 training points, 2,500 samples scored
    /// with the paper's mode / high-quality / KL metric, seeds 0, 1, 2, and the paper's length: 400 epochs of 100,000
    /// packs = 400,000 steps (hours per run on a CPU: pass a smaller --budget; docs/gan.md has the learning curve).
    /// </summary>
    public static IReadOnlyDictionary<string, ComparisonRecipe> All { get; } = new Dictionary<string, ComparisonRecipe>(StringComparer.OrdinalIgnoreCase)
    {
        ["pacgan"] = new(
            "PacGAN's Table 1 on the 25-Gaussian grid: pacgan1 (GAN), pacgan2, pacgan4 with the authors' setup, 100,000 points, 2,500 samples",
            "grid",
            100_000,
            ["pacgan1", "pacgan2", "pacgan4"],
            new ComparisonBudget(PacGanSteps),
            [0, 1, 2],
            2_500),
    };

    /// <summary>The <c>pacgan</c> recipe's default budget in steps: the paper's 400 epochs × 1,000 steps.</summary>
    public const long PacGanSteps = 400_000;
}
