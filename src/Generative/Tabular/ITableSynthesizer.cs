using TorchSharp;

namespace Generative.Tabular;

/// <summary>
/// A fitted tabular model: draws typed rows with the columns, kinds and nullability of the table it was fitted to, with
/// or without a condition. Every tabular model of the library (the Gaussian copula, the mixed-type diffusion model, the
/// conditional GAN) and a third party's has this shape, so the comparison, the report and hosting treat them alike.
/// </summary>
/// <remarks>
/// Thread-safety: a fitted synthesizer is immutable; <see cref="Sample(int, torch.Generator)"/> and
/// <see cref="Sample(int, TableCondition, torch.Generator)"/> may run on several threads at once, each with its own
/// generator.
/// </remarks>
public interface ITableSynthesizer
{
    /// <summary>The registered name of the model type (<c>"copula"</c>, …), written into its saved files.</summary>
    string Name { get; }

    /// <summary>The schema of the table it was fitted to: sampled tables have these columns, kinds and nullability.</summary>
    TableSchema Schema { get; }

    /// <summary>Draws rows.</summary>
    /// <param name="count">How many (0 or more).</param>
    /// <param name="generator">The source of randomness: the same seed gives the same rows.</param>
    /// <returns>A table of exactly <paramref name="count"/> rows.</returns>
    Table Sample(int count, torch.Generator generator);

    /// <summary>Draws rows that all satisfy a condition, by conditioning the model (not by drawing and discarding).</summary>
    /// <param name="count">How many (0 or more).</param>
    /// <param name="condition">What every row must satisfy; <see cref="TableCondition.Validate"/> is checked first.</param>
    /// <param name="generator">The source of randomness: the same seed gives the same rows.</param>
    /// <returns>A table of exactly <paramref name="count"/> rows, each satisfying <paramref name="condition"/>.</returns>
    /// <exception cref="ArgumentException">The condition names an unknown column or an impossible value.</exception>
    Table Sample(int count, TableCondition condition, torch.Generator generator);

    /// <summary>Saves the fitted model into a folder (created if needed; files written atomically), with its schema.</summary>
    /// <param name="directory">The folder.</param>
    void Save(string directory);
}
