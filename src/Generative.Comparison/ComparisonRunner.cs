using System.Diagnostics;
using Generative.Evaluation;
using Generative.Training;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Comparison;

/// <summary>
/// Trains every contender on the same data under the same budget and seeds, samples each the same number of times,
/// and measures all of them with the same metrics (see <see cref="ComparisonEvaluator"/>).
/// </summary>
/// <remarks>
/// Runs on the calling thread and owns nothing it was given. Timing figures (training seconds, samples per second)
/// are wall-clock measurements of this process: run a comparison on an otherwise idle machine.
/// </remarks>
public sealed class ComparisonRunner
{
    private readonly ComparisonData _data;
    private readonly ComparisonOptions _options;
    private readonly IReadOnlyList<IComparisonContender> _contenders;
    private readonly ILogger _logger;

    /// <summary>Creates a runner; validates the options.</summary>
    /// <param name="data">The data (not owned).</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <param name="logger">A logger, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public ComparisonRunner(ComparisonData data, ComparisonOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        _data = data;
        _options = options ?? new ComparisonOptions();
        _options.Validate();
        _contenders = _options.Contenders ?? ComparisonContenders.Default(data);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The contenders that will run.</summary>
    public IReadOnlyList<IComparisonContender> Contenders => _contenders;

    /// <summary>Runs the comparison.</summary>
    /// <param name="progress">Receives progress, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops between training steps and sampler steps.</param>
    /// <returns>The result; the caller disposes it (it holds the samples kept for pictures).</returns>
    public ComparisonResult Run(IProgress<ComparisonProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var total = Stopwatch.StartNew();
        using var evaluator = new ComparisonEvaluator(_data);
        var runs = new List<SeedRun>();
        var artifacts = new List<ContenderArtifacts>();
        foreach (long seed in _options.Seeds)
        {
            foreach (var contender in _contenders)
            {
                runs.AddRange(RunContender(contender, _data, seed, 1.0, evaluator, artifacts, progress, cancellationToken));
            }
        }

        var rows = Aggregate(runs);
        var efficiency = new List<SampleEfficiencyPoint>();
        foreach (double fraction in _options.SampleEfficiencyFractions)
        {
            var points = new List<SeedRun>();
            long trainCount = 0;
            if (fraction >= 1)
            {
                // All of the data at the same seeds is the main comparison, and training is deterministic: reuse its runs.
                var firstSamplers = _contenders.Select(c => c.Samplers[0].Name).ToHashSet(StringComparer.Ordinal);
                points.AddRange(runs.Where(r => firstSamplers.Contains(r.Row)));
                trainCount = _data.Count;
            }
            else
            {
                foreach (long seed in _options.Seeds)
                {
                    using var subset = _data.Subset(fraction, seed);
                    trainCount = subset.Count;
                    foreach (var contender in _contenders)
                    {
                        points.AddRange(RunContender(contender, subset, seed, fraction, evaluator, null, progress, cancellationToken, firstSamplerOnly: true));
                    }
                }
            }

            foreach (var group in points.GroupBy(p => p.Row))
            {
                efficiency.Add(new SampleEfficiencyPoint(group.Key, fraction, trainCount, SummariseMetrics(group.ToList())));
            }
        }

        progress?.Report(new ComparisonProgress("done", string.Empty, 0, 1, 0, null, null));
        return new ComparisonResult(
            _data.Name,
            _options.Budget,
            _options.Seeds,
            _options.SampleCount,
            _data.Count,
            rows,
            artifacts,
            efficiency,
            evaluator.ClassifierAccuracy,
            total.Elapsed);
    }

    private List<SeedRun> RunContender(
        IComparisonContender contender,
        ComparisonData data,
        long seed,
        double fraction,
        ComparisonEvaluator evaluator,
        List<ContenderArtifacts>? artifacts,
        IProgress<ComparisonProgress>? progress,
        CancellationToken cancellationToken,
        bool firstSamplerOnly = false)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _logger.LogInformation("Training {Contender} on {Dataset} ({Count} samples, fraction {Fraction}) with seed {Seed} under {Budget}",
            contender.Name, data.Name, data.Count, fraction, seed, _options.Budget);
        var trainingProgress = progress is null
            ? null
            : new SynchronousProgress<TrainingProgress>(p => progress.Report(new ComparisonProgress(
                "training", contender.Name, seed, fraction, p.Step, _options.Budget.Steps, p.Losses.Values.Cast<double?>().FirstOrDefault())));
        // Step 0 before the first step: a progress display starts its clock when training starts, not at the first report.
        progress?.Report(new ComparisonProgress("training", contender.Name, seed, fraction, 0, _options.Budget.Steps, null));
        using var trained = contender.Train(new ContenderTrainingRequest(data, _options.Budget, seed, trainingProgress, cancellationToken));
        var history = trained.Summary.LossHistory.TryGetValue(trained.PrimaryLoss, out var points) ? points.Select(p => p.Value).ToList() : [];
        double lossVariance = history.Count > 1 ? TrainingStability.LossVariance(history, Math.Min(TrainingStability.DefaultWindow, history.Count)) : double.NaN;
        int divergences = trained.Summary.DivergenceEvents.Count + (history.Count > 1 ? TrainingStability.CountDivergenceEvents(history, Math.Min(TrainingStability.DefaultWindow, Math.Max(2, history.Count / 4))) : 0);

        var results = new List<SeedRun>();
        var samplers = firstSamplerOnly ? contender.Samplers.Take(1) : contender.Samplers;
        foreach (var sampler in samplers)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string row = contender.Samplers.Count == 1 ? contender.Name : sampler.Name;
            progress?.Report(new ComparisonProgress("sampling", row, seed, fraction, 0, null, null));
            using var scope = NewDisposeScope();
            Tensor? labels = data.ClassCount > 0 ? DrawLabels(data, _options.SampleCount, seed) : null;
            var options = sampler.Options with { BatchSize = sampler.Options.BatchSize ?? _options.SamplingBatchSize, ClassLabels = labels };

            // Warm up (first-call allocations, lazily built caches) so the timing measures steady-state sampling.
            using (var warmGenerator = new Generator((ulong)(seed + 17)))
            {
                trained.Model.Sample(Math.Min(64, _options.SampleCount), warmGenerator, options with { ClassLabels = labels?.slice(0, 0, Math.Min(64, _options.SampleCount), 1) }, cancellationToken).Dispose();
            }

            using var generator = new Generator((ulong)(seed + 1));
            var clock = Stopwatch.StartNew();
            var samples = trained.Model.Sample(_options.SampleCount, generator, options, cancellationToken);
            double seconds = clock.Elapsed.TotalSeconds;
            progress?.Report(new ComparisonProgress("evaluating", row, seed, fraction, 0, null, null));
            var metrics = evaluator.Evaluate(samples, labels, seed);
            _logger.LogInformation("{Row} (seed {Seed}): {Samples} samples in {Seconds:F2} s; {Metrics}",
                row, seed, _options.SampleCount, seconds, string.Join(", ", metrics.Select(kv => $"{kv.Key} {kv.Value:G4}")));
            if (artifacts is not null && seed == _options.Seeds[0])
            {
                artifacts.Add(new ContenderArtifacts(row, seed, samples.detach().clone().DetachFromDisposeScope(), trained.Summary.LossHistory));
            }

            results.Add(new SeedRun(
                row,
                contender.Name,
                contender.Family,
                sampler.Sampler,
                sampler.NetworkEvaluationsPerSample,
                trained.ParameterCount,
                trained.Summary.WallTime.TotalSeconds,
                trained.Summary.StepsRun,
                _options.SampleCount / Math.Max(seconds, 1e-9),
                lossVariance,
                divergences,
                metrics));
        }

        return results;
    }

    // Class labels for conditional sampling, drawn from the training set's class frequencies.
    private static Tensor DrawLabels(ComparisonData data, int count, long seed)
    {
        using var generator = new Generator((ulong)(seed + 3));
        var index = randint(0, data.Count, [count], dtype: ScalarType.Int64, generator: generator);
        return data.TrainLabels!.index_select(0, index);
    }

    private static List<ContenderResult> Aggregate(List<SeedRun> runs) =>
        runs.GroupBy(r => r.Row)
            .Select(g =>
            {
                var list = g.ToList();
                var first = list[0];
                return new ContenderResult(
                    first.Row,
                    first.Trainer,
                    first.Family,
                    first.Sampler,
                    first.Evaluations,
                    first.Parameters,
                    MetricSummary.Of(list.Select(r => r.TrainSeconds).ToList()),
                    MetricSummary.Of(list.Select(r => (double)r.TrainSteps).ToList()),
                    MetricSummary.Of(list.Select(r => r.SamplesPerSecond).ToList()),
                    MetricSummary.Of(list.Select(r => r.LossVariance).ToList()),
                    MetricSummary.Of(list.Select(r => (double)r.Divergences).ToList()),
                    SummariseMetrics(list));
            })
            .ToList();

    private static Dictionary<string, MetricSummary> SummariseMetrics(List<SeedRun> runs) =>
        runs.SelectMany(r => r.Metrics.Keys).Distinct(StringComparer.Ordinal)
            .ToDictionary(
                name => name,
                name => MetricSummary.Of(runs.Select(r => r.Metrics.TryGetValue(name, out double v) ? v : double.NaN).ToList()),
                StringComparer.Ordinal);

    private sealed record SeedRun(
        string Row,
        string Trainer,
        ModelFamily Family,
        string Sampler,
        int Evaluations,
        long Parameters,
        double TrainSeconds,
        long TrainSteps,
        double SamplesPerSecond,
        double LossVariance,
        int Divergences,
        IReadOnlyDictionary<string, double> Metrics);

    // IProgress that reports on the calling thread (Progress<T> would post to the thread pool).
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
