using System.Text.Json;
using System.Text.Json.Nodes;
using Generative.Training;
using static TorchSharp.torch;

namespace Generative.Comparison;

/// <summary>A metric over several seeds: the mean, the sample standard deviation and each seed's value.</summary>
/// <param name="Mean">The mean over seeds (NaN values, from diverged runs, are left out).</param>
/// <param name="StandardDeviation">The sample standard deviation over seeds (0 for one seed).</param>
/// <param name="PerSeed">Each seed's value, in the order of the seeds.</param>
public sealed record MetricSummary(double Mean, double StandardDeviation, IReadOnlyList<double> PerSeed)
{
    /// <summary>Summarises values.</summary>
    /// <param name="values">One value per seed.</param>
    public static MetricSummary Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var finite = values.Where(double.IsFinite).ToArray();
        if (finite.Length == 0)
        {
            return new MetricSummary(double.NaN, double.NaN, values);
        }

        double mean = finite.Average();
        double sd = finite.Length > 1 ? Math.Sqrt(finite.Sum(v => (v - mean) * (v - mean)) / (finite.Length - 1)) : 0;
        return new MetricSummary(mean, sd, values);
    }
}

/// <summary>The spread of a timing figure: the lowest and the highest of the timed runs it is the median of.</summary>
/// <param name="Low">The lowest value of a timed run.</param>
/// <param name="High">The highest value of a timed run.</param>
/// <param name="Runs">How many timed runs there were (over every seed).</param>
public sealed record TimingSpread(double Low, double High, int Runs)
{
    /// <summary>The spread of <paramref name="values"/> (NaN bounds when there are none).</summary>
    /// <param name="values">One value per timed run.</param>
    public static TimingSpread Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return values.Count == 0 ? new TimingSpread(double.NaN, double.NaN, 0) : new TimingSpread(values.Min(), values.Max(), values.Count);
    }
}

/// <summary>A row's training cost over the seeds (see <see cref="TrainingCost"/>).</summary>
/// <param name="OptimizerSteps">Optimiser updates per network, by network name.</param>
/// <param name="ForwardPasses">Forward passes of every network over a batch.</param>
/// <param name="BackwardPasses">Backward passes through every network over a batch.</param>
/// <param name="NetworkEvaluations">Forward plus backward passes.</param>
public sealed record CostSummary(
    IReadOnlyDictionary<string, MetricSummary> OptimizerSteps,
    MetricSummary ForwardPasses,
    MetricSummary BackwardPasses,
    MetricSummary NetworkEvaluations)
{
    /// <summary>Summarises one cost per seed.</summary>
    /// <param name="costs">The costs, one per seed, at least one.</param>
    /// <returns>The summary; a network missing from a seed's cost counts as NaN there.</returns>
    public static CostSummary Of(IReadOnlyList<TrainingCost> costs)
    {
        ArgumentNullException.ThrowIfNull(costs);
        ArgumentOutOfRangeException.ThrowIfZero(costs.Count);
        var networks = costs.SelectMany(c => c.Networks.Select(n => n.Network)).Distinct(StringComparer.Ordinal).ToList();
        var steps = new Dictionary<string, MetricSummary>(StringComparer.Ordinal);
        foreach (string network in networks)
        {
            steps[network] = MetricSummary.Of(costs.Select(c => c.Networks.FirstOrDefault(n => n.Network == network)?.OptimizerSteps is { } v ? (double)v : double.NaN).ToList());
        }

        return new CostSummary(
            steps,
            MetricSummary.Of(costs.Select(c => (double)c.ForwardPasses).ToList()),
            MetricSummary.Of(costs.Select(c => (double)c.BackwardPasses).ToList()),
            MetricSummary.Of(costs.Select(c => (double)c.NetworkEvaluations).ToList()));
    }
}

/// <summary>The results of one contender sampled one way (one row of the results table).</summary>
public sealed class ContenderResult
{
    /// <summary>Creates the row.</summary>
    public ContenderResult(
        string name,
        string trainer,
        ModelFamily family,
        string sampler,
        int networkEvaluationsPerSample,
        long parameterCount,
        MetricSummary trainSeconds,
        MetricSummary trainSteps,
        MetricSummary samplesPerSecond,
        MetricSummary lossVariance,
        MetricSummary divergenceEvents,
        IReadOnlyDictionary<string, MetricSummary> metrics)
    {
        Name = name;
        Trainer = trainer;
        Family = family;
        Sampler = sampler;
        NetworkEvaluationsPerSample = networkEvaluationsPerSample;
        ParameterCount = parameterCount;
        TrainSeconds = trainSeconds;
        TrainSteps = trainSteps;
        SamplesPerSecond = samplesPerSecond;
        LossVariance = lossVariance;
        DivergenceEvents = divergenceEvents;
        Metrics = metrics;
    }

    /// <summary>The row's name: the contender's, or <c>contender/sampler</c> for the diffusion samplers (e.g. <c>ddim-50</c>).</summary>
    public string Name { get; }

    /// <summary>The contender that trained the model (several rows share one trained diffusion model).</summary>
    public string Trainer { get; }

    /// <summary>The family.</summary>
    public ModelFamily Family { get; }

    /// <summary>The sampler: <c>generator</c>, <c>ddpm</c>, <c>ddim</c>.</summary>
    public string Sampler { get; }

    /// <summary>Network evaluations per sample.</summary>
    public int NetworkEvaluationsPerSample { get; }

    /// <summary>Trainable parameters.</summary>
    public long ParameterCount { get; }

    /// <summary>Training wall time in seconds (when contenders train in turns, without the waits for their turn).</summary>
    public MetricSummary TrainSeconds { get; }

    /// <summary>Training steps run.</summary>
    public MetricSummary TrainSteps { get; }

    /// <summary>Samples per second when sampling (batched): per seed, the median of the rates of the timed batches,
    /// which <see cref="ComparisonRunner"/> draws in turns across all rows so that no row gets the machine's better
    /// moments (the same warm-up, batch size and timing for every row).</summary>
    public MetricSummary SamplesPerSecond { get; }

    /// <summary>The lowest and highest rate of a timed sampling batch, over every seed; <see langword="null"/> when the
    /// row was not made by <see cref="ComparisonRunner"/>.</summary>
    public TimingSpread? SamplesPerSecondSpread { get; init; }

    /// <summary>What training cost: optimiser updates per network and network evaluations (forward and backward passes
    /// over a batch), from <see cref="IComparisonContender.CostOfSteps"/> at the steps each seed ran; <see langword="null"/>
    /// when the contender does not say.</summary>
    public CostSummary? TrainingCost { get; init; }

    /// <summary>Variance of the primary loss over the last window of training.</summary>
    public MetricSummary LossVariance { get; }

    /// <summary>Divergence events: loss spikes, skipped or rolled-back steps.</summary>
    public MetricSummary DivergenceEvents { get; }

    /// <summary>Quality and diversity metrics by name (see <see cref="ComparisonEvaluator"/>).</summary>
    public IReadOnlyDictionary<string, MetricSummary> Metrics { get; }
}

/// <summary>What one seed of one contender produced, kept for the report's pictures (not written to JSON).</summary>
/// <param name="Contender">The row's name.</param>
/// <param name="Seed">The seed.</param>
/// <param name="Samples">Samples in data units, <c>[n, ..SampleShape]</c>, float32, CPU (owned by the result).</param>
/// <param name="LossHistory">The trainer's loss history by loss name.</param>
public sealed record ContenderArtifacts(string Contender, long Seed, Tensor Samples, IReadOnlyDictionary<string, IReadOnlyList<LossPoint>> LossHistory);

/// <summary>A sample-efficiency measurement: a metric after training on a fraction of the data.</summary>
/// <param name="Contender">The row's name.</param>
/// <param name="Fraction">The fraction of the training set, in (0, 1].</param>
/// <param name="TrainCount">Training samples used.</param>
/// <param name="Metrics">The metrics, over seeds.</param>
public sealed record SampleEfficiencyPoint(string Contender, double Fraction, long TrainCount, IReadOnlyDictionary<string, MetricSummary> Metrics);

/// <summary>The result of a comparison: one row per contender and sampler, over every seed.</summary>
public sealed class ComparisonResult : IDisposable
{
    /// <summary>Creates the result.</summary>
    public ComparisonResult(
        string dataset,
        ComparisonBudget budget,
        IReadOnlyList<long> seeds,
        int sampleCount,
        long trainCount,
        IReadOnlyList<ContenderResult> contenders,
        IReadOnlyList<ContenderArtifacts> artifacts,
        IReadOnlyList<SampleEfficiencyPoint> sampleEfficiency,
        double? classifierAccuracy,
        TimeSpan totalTime)
    {
        Dataset = dataset;
        Budget = budget;
        Seeds = seeds;
        SampleCount = sampleCount;
        TrainCount = trainCount;
        Contenders = contenders;
        Artifacts = artifacts;
        SampleEfficiency = sampleEfficiency;
        ClassifierAccuracy = classifierAccuracy;
        TotalTime = totalTime;
    }

    /// <summary>The data set's name.</summary>
    public string Dataset { get; }

    /// <summary>The budget each contender trained under.</summary>
    public ComparisonBudget Budget { get; }

    /// <summary>The seeds.</summary>
    public IReadOnlyList<long> Seeds { get; }

    /// <summary>Samples drawn from each contender for the metrics.</summary>
    public int SampleCount { get; }

    /// <summary>Training samples.</summary>
    public long TrainCount { get; }

    /// <summary>The rows.</summary>
    public IReadOnlyList<ContenderResult> Contenders { get; }

    /// <summary>Samples and loss histories of every row and seed, for pictures.</summary>
    public IReadOnlyList<ContenderArtifacts> Artifacts { get; }

    /// <summary>Sample-efficiency points, if requested.</summary>
    public IReadOnlyList<SampleEfficiencyPoint> SampleEfficiency { get; }

    /// <summary>Held-out accuracy of the digit classifier behind the image metrics, if used.</summary>
    public double? ClassifierAccuracy { get; }

    /// <summary>Wall time of the whole comparison.</summary>
    public TimeSpan TotalTime { get; }

    /// <summary>
    /// The machine-readable result: <c>{ "dataset", "budget", "seeds", "contenders": [ { "name", "family", "sampler",
    /// "trainSeconds", "trainingCost": { "optimizerSteps": { network: n }, "forwardPasses", "backwardPasses",
    /// "networkEvaluations" }, "samplesPerSecond", "networkEvaluationsPerSample", "metrics": { … } } ] }</c>, with the seed
    /// means as the values and standard deviations and per-seed values beside them. Metrics that do not apply are
    /// omitted.
    /// </summary>
    public string ToJson()
    {
        var contenders = new JsonArray();
        foreach (var c in Contenders)
        {
            var metrics = new JsonObject();
            var metricsStd = new JsonObject();
            foreach (var (name, summary) in c.Metrics)
            {
                metrics[name] = Number(summary.Mean);
                metricsStd[name] = Number(summary.StandardDeviation);
            }

            contenders.Add(new JsonObject
            {
                ["name"] = c.Name,
                ["trainer"] = c.Trainer,
                ["family"] = c.Family.Key,
                ["sampler"] = c.Sampler,
                ["trainSeconds"] = Number(c.TrainSeconds.Mean),
                ["trainSteps"] = Number(c.TrainSteps.Mean),
                ["trainingCost"] = c.TrainingCost is { } cost
                    ? new JsonObject
                    {
                        ["optimizerSteps"] = new JsonObject(cost.OptimizerSteps.Select(kv => KeyValuePair.Create(kv.Key, Number(kv.Value.Mean)))),
                        ["forwardPasses"] = Number(cost.ForwardPasses.Mean),
                        ["backwardPasses"] = Number(cost.BackwardPasses.Mean),
                        ["networkEvaluations"] = Number(cost.NetworkEvaluations.Mean),
                    }
                    : null,
                ["parameterCount"] = c.ParameterCount,
                ["samplesPerSecond"] = Number(c.SamplesPerSecond.Mean),
                ["samplesPerSecondLow"] = Number(c.SamplesPerSecondSpread?.Low ?? double.NaN),
                ["samplesPerSecondHigh"] = Number(c.SamplesPerSecondSpread?.High ?? double.NaN),
                ["samplingBatchesTimed"] = c.SamplesPerSecondSpread?.Runs ?? 0,
                ["networkEvaluationsPerSample"] = c.NetworkEvaluationsPerSample,
                ["lossVariance"] = Number(c.LossVariance.Mean),
                ["divergenceEvents"] = Number(c.DivergenceEvents.Mean),
                ["metrics"] = metrics,
                ["metricsStdDev"] = metricsStd,
                ["perSeed"] = new JsonObject(c.Metrics.Select(kv =>
                    KeyValuePair.Create<string, JsonNode?>(kv.Key, new JsonArray(kv.Value.PerSeed.Select(v => Number(v)).ToArray())))),
            });
        }

        var efficiency = new JsonArray();
        foreach (var point in SampleEfficiency)
        {
            efficiency.Add(new JsonObject
            {
                ["contender"] = point.Contender,
                ["fraction"] = point.Fraction,
                ["trainCount"] = point.TrainCount,
                ["metrics"] = new JsonObject(point.Metrics.Select(kv => KeyValuePair.Create<string, JsonNode?>(kv.Key, Number(kv.Value.Mean)))),
            });
        }

        var root = new JsonObject
        {
            ["dataset"] = Dataset,
            ["budget"] = new JsonObject
            {
                ["steps"] = Budget.Steps,
                ["seconds"] = Budget.Duration?.TotalSeconds,
                ["networkEvaluations"] = Budget.NetworkEvaluations,
            },
            ["seeds"] = new JsonArray(Seeds.Select(s => (JsonNode?)s).ToArray()),
            ["sampleCount"] = SampleCount,
            ["trainCount"] = TrainCount,
            ["classifierAccuracy"] = ClassifierAccuracy is { } a ? Number(a) : null,
            ["totalSeconds"] = TotalTime.TotalSeconds,
            ["contenders"] = contenders,
        };
        if (SampleEfficiency.Count > 0)
        {
            root["sampleEfficiency"] = efficiency;
        }

        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var artifact in Artifacts)
        {
            artifact.Samples.Dispose();
        }
    }

    // JSON has no NaN: a metric that could not be computed (a diverged model) is null.
    private static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;
}
