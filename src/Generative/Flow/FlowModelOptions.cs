namespace Generative.Flow;

/// <summary>Sampling defaults of a <see cref="FlowModel"/>, and the time scale its network was trained with.</summary>
public sealed record FlowModelOptions
{
    /// <summary>The default of <see cref="TimeScale"/>: the network sees t·1000.</summary>
    public const double DefaultTimeScale = 1000.0;

    /// <summary>The solver's registered name in <see cref="FlowSolverRegistry.Default"/> (<c>"euler"</c>, <c>"midpoint"</c>,
    /// <c>"heun"</c>, or one a library author registered), used when <see cref="SamplingOptions.Sampler"/> is not set.
    /// Default <c>"euler"</c>.</summary>
    public string Solver { get; init; } = "euler";

    /// <summary>Solver steps, at least 1, used when <see cref="SamplingOptions.Steps"/> is not set. Default 50.</summary>
    public int Steps { get; init; } = 50;

    /// <summary>Samples per network call, at least 1, used when <see cref="SamplingOptions.BatchSize"/> is not set. Default 512.</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>The network sees t·<see cref="TimeScale"/> as its timestep (as in training: <see cref="FlowTrainingOptions.TimeScale"/>).
    /// Finite and greater than 0. Default 1000.</summary>
    public double TimeScale { get; init; } = DefaultTimeScale;

    /// <summary>Checks every option and returns all problems, each naming its option; empty when the options are valid.</summary>
    /// <returns>The problems.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Solver))
        {
            problems.Add($"{nameof(FlowModelOptions)}.{nameof(Solver)} must name a registered solver, but is empty.");
        }

        if (Steps < 1)
        {
            problems.Add($"{nameof(FlowModelOptions)}.{nameof(Steps)} must be at least 1 (was {Steps}).");
        }

        if (BatchSize < 1)
        {
            problems.Add($"{nameof(FlowModelOptions)}.{nameof(BatchSize)} must be at least 1 (was {BatchSize}).");
        }

        if (!(TimeScale > 0 && double.IsFinite(TimeScale)))
        {
            problems.Add($"{nameof(FlowModelOptions)}.{nameof(TimeScale)} must be finite and greater than 0 (was {TimeScale}).");
        }

        return problems;
    }
}
