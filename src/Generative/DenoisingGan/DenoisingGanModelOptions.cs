namespace Generative.DenoisingGan;

/// <summary>Sampling defaults of a <see cref="DenoisingGanModel"/>.</summary>
public sealed record DenoisingGanModelOptions
{
    /// <summary>Samples per batch, at least 1, used when <see cref="SamplingOptions.BatchSize"/> is not set. Default 512.</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>Checks every option and returns all problems, each naming its option; empty when the options are valid.</summary>
    /// <returns>The problems.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new Training.OptionProblems(nameof(DenoisingGanModelOptions));
        problems.Require(BatchSize >= 1, nameof(BatchSize), $"must be at least 1 (was {BatchSize}).");
        return problems.Problems;
    }
}
