using Generative.Tabular;

namespace Generative.Hosting;

/// <summary>One request for rows of a registered tabular model: how many, an optional seed and an optional condition.</summary>
/// <param name="Count">How many rows, from 1 to the model's <see cref="TableModelOptions.MaxCount"/>.</param>
public sealed record TableGenerationRequest(int Count)
{
    /// <summary>The seed of the request's random generator, at least 0: the same seed (and condition) gives the same rows.
    /// <see langword="null"/> draws a random seed (below 2⁵³), which the result reports.</summary>
    public long? Seed { get; init; }

    /// <summary>What every row must satisfy (<see cref="TableCondition"/>), sampled by conditioning the model;
    /// <see langword="null"/> or <see cref="TableCondition.None"/> for none.</summary>
    public TableCondition? Where { get; init; }
}
