namespace Generative.Comparison;

/// <summary>How a comparison runs. Validated by <see cref="ComparisonRunner"/>'s constructor.</summary>
public sealed record ComparisonOptions
{
    /// <summary>The training budget of every contender. Default: 10,000 steps.</summary>
    public ComparisonBudget Budget { get; init; } = new(10_000);

    /// <summary>The seeds; each contender is trained and measured once per seed. Default: one seed, 0.</summary>
    public IReadOnlyList<long> Seeds { get; init; } = [0];

    /// <summary>Samples drawn from each contender (and sampler) for the metrics, ≥ 100. Default 2,500 (PacGAN's count).</summary>
    public int SampleCount { get; init; } = 2_500;

    /// <summary>
    /// Fractions of the training set for the sample-efficiency measurement (e.g. 0.1, 0.3, 1.0), each in (0, 1];
    /// empty (default) to skip it. Each fraction trains every contender again, once per seed.
    /// </summary>
    public IReadOnlyList<double> SampleEfficiencyFractions { get; init; } = [];

    /// <summary>The contenders; <see langword="null"/> (default) for <see cref="ComparisonContenders.Default"/>.</summary>
    public IReadOnlyList<IComparisonContender>? Contenders { get; init; }

    /// <summary>Samples per sampling batch. Default 512.</summary>
    public int SamplingBatchSize { get; init; } = 512;

    /// <summary>
    /// The fewest timed turns per sampling row, ≥ 1 (the speed figure is their median; see
    /// <see cref="ComparisonRunner"/>). When the kept samples fill fewer batches, timing-only batches make up the rest.
    /// More turns steady the figure on a noisy machine at the cost of sampling time. Default 15.
    /// </summary>
    public int TimedTurns { get; init; } = 15;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Budget, nameof(Budget));
        ArgumentNullException.ThrowIfNull(Seeds, nameof(Seeds));
        if (Seeds.Count == 0)
        {
            throw new ArgumentException("At least one seed is needed.", nameof(Seeds));
        }

        if (Seeds.Distinct().Count() != Seeds.Count)
        {
            throw new ArgumentException("The seeds must be distinct.", nameof(Seeds));
        }

        if (SampleCount < 100)
        {
            throw new ArgumentOutOfRangeException(nameof(SampleCount), SampleCount, "At least 100 samples are needed for the metrics.");
        }

        if (SamplingBatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(SamplingBatchSize), SamplingBatchSize, "The sampling batch size must be at least 1.");
        }

        if (TimedTurns < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(TimedTurns), TimedTurns, "At least one timed turn per row is needed.");
        }

        foreach (double f in SampleEfficiencyFractions ?? [])
        {
            if (!(f > 0 && f <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(SampleEfficiencyFractions), f, "Each fraction must be in (0, 1].");
            }
        }

        if (Contenders is { Count: 0 })
        {
            throw new ArgumentException("At least one contender is needed.", nameof(Contenders));
        }

        if (Contenders is not null && Contenders.Select(c => c.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count() != Contenders.Count)
        {
            throw new ArgumentException("Contender names must be distinct.", nameof(Contenders));
        }

        // Results (and picture files) are keyed by row name: two contenders' rows of one name would be averaged together.
        var rowOwners = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var contender in Contenders ?? [])
        {
            foreach (var sampler in contender.Samplers)
            {
                if (!rowOwners.TryAdd(sampler.Name, contender.Name))
                {
                    throw new ArgumentException(
                        $"The contenders '{rowOwners[sampler.Name]}' and '{contender.Name}' both have a row named '{sampler.Name}', so their results would be mixed in one row; " +
                        "give one of them other row names (FlowContender's factories prefix the rows with the contender's name).",
                        nameof(Contenders));
                }
            }
        }
    }
}

/// <summary>Progress of a comparison.</summary>
/// <param name="Phase">What is happening: <c>training</c>, <c>sampling</c>, <c>evaluating</c>, <c>done</c>.</param>
/// <param name="Contender">The contender (or row) concerned.</param>
/// <param name="Seed">The seed.</param>
/// <param name="Fraction">The fraction of the training data (1 outside sample-efficiency runs).</param>
/// <param name="Step">Training steps done (training phase; the first report of a training run, at step 0, comes before its first step).</param>
/// <param name="TotalSteps">Training steps budgeted, if the budget counts steps.</param>
/// <param name="Loss">The latest primary loss (training phase; null before the first step).</param>
public sealed record ComparisonProgress(string Phase, string Contender, long Seed, double Fraction, long Step, long? TotalSteps, double? Loss);
