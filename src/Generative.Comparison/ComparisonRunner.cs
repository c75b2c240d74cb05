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
/// Owns nothing it was given. Timing figures are wall-clock measurements of this process, taken so that the machine's
/// state cannot favour one contender: under a step budget the contenders of a seed train in turns of 100 steps (each
/// on its own thread, one at a time; the training seconds leave out the waits), and every row samples in turns of one
/// batch after the same warm-up, in a seeded order that does not depend on the contenders' order, at least
/// <see cref="ComparisonOptions.TimedTurns"/> timed turns per row (samples per second: the median turn, with its
/// range). A time budget trains the contenders one after another on the calling thread. Samples and metrics do not depend on the turns or on the contenders' order.
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
        foreach (var contender in _contenders)
        {
            // A budget in network evaluations that a contender cannot run fails here, before anything trains.
            _options.Budget.For(contender, _data);
        }

        using var evaluator = new ComparisonEvaluator(_data);
        var runs = new List<SeedRun>();
        var artifacts = new List<ContenderArtifacts>();
        foreach (long seed in _options.Seeds)
        {
            runs.AddRange(RunSeed(_contenders, _data, seed, 1.0, evaluator, artifacts, progress, cancellationToken));
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
                    points.AddRange(RunSeed(_contenders, subset, seed, fraction, evaluator, null, progress, cancellationToken, firstSamplerOnly: true));
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

    // Trains every contender at one seed, then samples all their rows interleaved (see SampleInterleaved) and evaluates.
    private List<SeedRun> RunSeed(
        IReadOnlyList<IComparisonContender> contenders,
        ComparisonData data,
        long seed,
        double fraction,
        ComparisonEvaluator evaluator,
        List<ContenderArtifacts>? artifacts,
        IProgress<ComparisonProgress>? progress,
        CancellationToken cancellationToken,
        bool firstSamplerOnly = false)
    {
        var trainedRuns = new List<TrainedRun>();
        try
        {
            if (_options.Budget.Duration is null && contenders.Count > 1)
            {
                trainedRuns.AddRange(TrainInTurns(contenders, data, seed, fraction, progress, cancellationToken));
            }
            else
            {
                // A time budget is measured by each trainer's own clock, which must not run while another trains.
                foreach (var contender in contenders)
                {
                    trainedRuns.Add(Train(contender, data, seed, fraction, progress, null, cancellationToken));
                }
            }

            var rows = new List<SamplingRow>();
            foreach (var run in trainedRuns)
            {
                var samplers = firstSamplerOnly ? run.Contender.Samplers.Take(1) : run.Contender.Samplers;
                foreach (var sampler in samplers)
                {
                    rows.Add(new SamplingRow(run, sampler, run.Contender.Samplers.Count == 1 ? run.Contender.Name : sampler.Name));
                }
            }

            using var scope = NewDisposeScope();
            SampleInterleaved(rows, data, seed, fraction, firstSamplerOnly ? 1 : _options.TimedTurns, progress, cancellationToken);
            var results = new List<SeedRun>();
            foreach (var row in rows)
            {
                var run = row.Run;
                progress?.Report(new ComparisonProgress("evaluating", row.Name, seed, fraction, 0, null, null));
                var metrics = evaluator.Evaluate(row.Samples!, row.Labels, seed);
                double rate = Median(row.Rates);
                _logger.LogInformation("{Row} (seed {Seed}): {Samples} samples, {Rate:F0} samples/s (median of {Runs} timed turns, {Low:F0}–{High:F0}); {Metrics}",
                    row.Name, seed, _options.SampleCount, rate, row.Rates.Count, row.Rates.Min(), row.Rates.Max(), string.Join(", ", metrics.Select(kv => $"{kv.Key} {kv.Value:G4}")));
                if (artifacts is not null && seed == _options.Seeds[0])
                {
                    artifacts.Add(new ContenderArtifacts(row.Name, seed, row.Samples!.detach().clone().DetachFromDisposeScope(), run.Trained.Summary.LossHistory));
                }

                results.Add(new SeedRun(
                    row.Name,
                    run.Contender.Name,
                    run.Contender.Family,
                    row.Sampler.Sampler,
                    row.Sampler.NetworkEvaluationsPerSample,
                    run.Trained.ParameterCount,
                    run.TrainSeconds,
                    run.Trained.Summary.StepsRun,
                    run.Cost,
                    rate,
                    [.. row.Rates],
                    run.LossVariance,
                    run.Divergences,
                    metrics));
            }

            return results;
        }
        finally
        {
            foreach (var run in trainedRuns)
            {
                run.Trained.Dispose();
            }
        }
    }

    /// <summary>
    /// Trains the contenders in turns, so that the machine's slow or fast moments fall on all of them alike: each trains
    /// on its own thread, and only the one whose turn it is runs; at each of its progress reports (every 100 steps for the
    /// built-in contenders) it hands the turn to the next. A contender's training seconds are its trainer's wall time less
    /// the time it waited for its turn. The results are those of training one after another (each training has its own
    /// generator and modules; the turns only decide when it runs).
    /// </summary>
    private List<TrainedRun> TrainInTurns(IReadOnlyList<IComparisonContender> contenders, ComparisonData data, long seed, double fraction, IProgress<ComparisonProgress>? progress, CancellationToken cancellationToken)
    {
        var turns = new Turns(contenders.Count);
        var results = new TrainedRun?[contenders.Count];
        var failures = new Exception?[contenders.Count];
        var threads = new Thread[contenders.Count];
        for (int i = 0; i < contenders.Count; i++)
        {
            int index = i;
            threads[i] = new Thread(() =>
            {
                try
                {
                    turns.WaitForTurn(index);
                    results[index] = Train(contenders[index], data, seed, fraction, progress, turns.Participant(index), cancellationToken);
                }
                catch (Exception e)
                {
                    failures[index] = e;
                }
                finally
                {
                    turns.Leave(index);
                }
            })
            {
                IsBackground = true,
                Name = "comparison training: " + contenders[i].Name,
            };
            threads[i].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        if (failures.FirstOrDefault(f => f is not null) is { } failure)
        {
            foreach (var run in results)
            {
                run?.Trained.Dispose();
            }

            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }

        return [.. results.Select(r => r!)];
    }

    private TrainedRun Train(IComparisonContender contender, ComparisonData data, long seed, double fraction, IProgress<ComparisonProgress>? progress, Turns.Seat? seat, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var budget = _options.Budget.For(contender, data);
        _logger.LogInformation("Training {Contender} on {Dataset} ({Count} samples, fraction {Fraction}) with seed {Seed} under {Budget}",
            contender.Name, data.Name, data.Count, fraction, seed, budget);
        var trainingProgress = progress is null && seat is null
            ? null
            : new SynchronousProgress<TrainingProgress>(p =>
            {
                progress?.Report(new ComparisonProgress(
                    "training", contender.Name, seed, fraction, p.Step, budget.Steps, p.Losses.Values.Cast<double?>().FirstOrDefault()));
                seat?.PassTurn();
            });
        // Step 0 before the first step: a progress display starts its clock when training starts, not at the first report.
        progress?.Report(new ComparisonProgress("training", contender.Name, seed, fraction, 0, budget.Steps, null));
        var trained = contender.Train(new ContenderTrainingRequest(data, budget, seed, trainingProgress, cancellationToken));
        double trainSeconds = Math.Max(0, trained.Summary.WallTime.TotalSeconds - (seat?.WaitedSeconds ?? 0));
        var history = trained.Summary.LossHistory.TryGetValue(trained.PrimaryLoss, out var points) ? points.Select(p => p.Value).ToList() : [];
        double lossVariance = history.Count > 1 ? TrainingStability.LossVariance(history, Math.Min(TrainingStability.DefaultWindow, history.Count)) : double.NaN;
        int divergences = trained.Summary.DivergenceEvents.Count + (history.Count > 1 ? TrainingStability.CountDivergenceEvents(history, Math.Min(TrainingStability.DefaultWindow, Math.Max(2, history.Count / 4))) : 0);
        return new TrainedRun(contender, trained, trainSeconds, lossVariance, divergences, contender.CostOfSteps(data, trained.Summary.StepsRun));
    }

    /// <summary>
    /// Draws every row's samples and times them so that neither the machine's state nor the order of the contenders can
    /// favour one row. Each row is warmed up with one untimed batch of its own batch size. Then the rows take turns, one
    /// batch per row per round; each round's order is a seeded shuffle of the rows sorted by name, so the schedule does
    /// not depend on the order the contenders were given. A turn draws the row's next batch of kept samples, or, once a
    /// row has drawn all of them, a timing-only batch from a generator of its own, until every row has at least
    /// <see cref="ComparisonOptions.TimedTurns"/> timed turns (one for the sample-efficiency runs, whose speed is not reported). A row whose batch takes less than
    /// <see cref="MinimumTurnSeconds"/> (a GAN's) first draws one untimed lead-in batch, so the turn does not time the
    /// cache the previous row left behind, and its turn is lengthened with timing-only batches until it lasts that long.
    /// A row's samples per second is the median of its turns' rates (their lowest and highest are kept as the spread).
    /// Each row's kept samples come from its own generator, so they are exactly those of one <c>Sample</c> call.
    /// </summary>
    // The shortest timed turn; shorter batches are repeated (timing-only) until a turn lasts this long.
    private const double MinimumTurnSeconds = 0.25;

    private void SampleInterleaved(List<SamplingRow> rows, ComparisonData data, long seed, double fraction, int timedTurns, IProgress<ComparisonProgress>? progress, CancellationToken cancellationToken)
    {
        var generators = new List<Generator>();
        var enumerators = new List<IEnumerator<Tensor>>();
        var lastBatchSeconds = new double[rows.Count];
        var batchSizes = new int[rows.Count];
        try
        {
            for (int i = 0; i < rows.Count; i++)
            {
                var row = rows[i];
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report(new ComparisonProgress("sampling", row.Name, seed, fraction, 0, null, null));
                row.Labels = data.ClassCount > 0 ? DrawLabels(data, _options.SampleCount, seed) : null;
                row.Options = row.Sampler.Options with { BatchSize = row.Sampler.Options.BatchSize ?? _options.SamplingBatchSize, ClassLabels = row.Labels };

                // The same warm-up for every row: one untimed batch of the size that is timed (first-call allocations,
                // lazily built caches, the heap's working size).
                batchSizes[i] = Math.Min(row.Options.BatchSize ?? _options.SamplingBatchSize, _options.SampleCount);
                using var warmGenerator = new Generator((ulong)(seed + 17));
                long warmStart = Stopwatch.GetTimestamp();
                DrawUntimed(row, batchSizes[i], warmGenerator, cancellationToken);
                lastBatchSeconds[i] = Stopwatch.GetElapsedTime(warmStart).TotalSeconds;
            }

            var timingGenerators = new List<Generator>();
            foreach (var row in rows)
            {
                var timing = new Generator((ulong)(seed + 29));
                generators.Add(timing);
                timingGenerators.Add(timing);
                var generator = new Generator((ulong)(seed + 1));
                generators.Add(generator);
                enumerators.Add(row.Run.Trained.Model.SampleBatches(_options.SampleCount, generator, row.Options, cancellationToken).GetEnumerator());
            }

            string[] names = [.. rows.Select(r => r.Name)];
            using var schedule = new Generator((ulong)(seed + 43));
            var batches = rows.Select(_ => new List<Tensor>()).ToList();
            var keptLeft = Enumerable.Repeat(true, rows.Count).ToArray();
            while (true)
            {
                int[] order = [.. RoundOrder(names, schedule).Where(i => keptLeft[i] || rows[i].Rates.Count < timedTurns)];

                if (order.Length == 0)
                {
                    break;
                }

                foreach (int i in order)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var row = rows[i];
                    if (lastBatchSeconds[i] < MinimumTurnSeconds)
                    {
                        DrawUntimed(row, batchSizes[i], timingGenerators[i], cancellationToken);
                    }

                    long start = Stopwatch.GetTimestamp();
                    long drawn;
                    if (keptLeft[i] && enumerators[i].MoveNext())
                    {
                        lastBatchSeconds[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
                        var batch = enumerators[i].Current;
                        batches[i].Add(batch);
                        drawn = batch.shape[0];
                    }
                    else
                    {
                        keptLeft[i] = false;
                        if (row.Rates.Count >= timedTurns)
                        {
                            continue;
                        }

                        start = Stopwatch.GetTimestamp();
                        DrawUntimed(row, batchSizes[i], timingGenerators[i], cancellationToken);
                        lastBatchSeconds[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
                        drawn = batchSizes[i];
                    }

                    // A turn shorter than MinimumTurnSeconds (a GAN's batch takes a few milliseconds) is too short to time:
                    // it is extended with timing-only batches from a generator of their own, so the samples kept are unchanged.
                    double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                    while (seconds < MinimumTurnSeconds)
                    {
                        long extraStart = Stopwatch.GetTimestamp();
                        DrawUntimed(row, batchSizes[i], timingGenerators[i], cancellationToken);
                        seconds += Stopwatch.GetElapsedTime(extraStart).TotalSeconds;
                        drawn += batchSizes[i];
                    }

                    row.Rates.Add(drawn / Math.Max(seconds, 1e-9));
                }
            }

            for (int i = 0; i < rows.Count; i++)
            {
                rows[i].Samples = Join(batches[i]);
            }
        }
        finally
        {
            foreach (var e in enumerators)
            {
                e.Dispose();
            }

            foreach (var g in generators)
            {
                g.Dispose();
            }
        }
    }

    /// <summary>
    /// One round's order of the sampling rows: the rows sorted by name, shuffled by the schedule's generator. The order
    /// the rows (contenders) were given in does not matter: the same names and generator state give the same names in
    /// the same order.
    /// </summary>
    /// <param name="names">The rows' names (distinct), in the order they were given.</param>
    /// <param name="schedule">The schedule's generator, advanced by one permutation.</param>
    /// <returns>Indices into <paramref name="names"/>, each once.</returns>
    internal static int[] RoundOrder(IReadOnlyList<string> names, Generator schedule)
    {
        int[] byName = [.. Enumerable.Range(0, names.Count).OrderBy(i => names[i], StringComparer.Ordinal)];
        using var permutation = randperm(byName.Length, generator: schedule);
        return [.. permutation.data<long>().ToArray().Select(k => byName[k])];
    }

    // One batch of a row's samples that is not kept (a warm-up, a lead-in or a timing-only batch).
    private static void DrawUntimed(SamplingRow row, int size, Generator generator, CancellationToken cancellationToken) =>
        row.Run.Trained.Model.Sample(size, generator, row.Options with { ClassLabels = row.Labels?.slice(0, 0, size, 1) }, cancellationToken).Dispose();

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n == 0 ? double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
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
                    SummariseMetrics(list))
                {
                    SamplesPerSecondSpread = TimingSpread.Of(list.SelectMany(r => r.BatchRates).ToList()),
                    TrainingCost = list.All(r => r.Cost is not null) ? CostSummary.Of(list.Select(r => r.Cost!).ToList()) : null,
                };
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
        TrainingCost? Cost,
        double SamplesPerSecond,
        double[] BatchRates,
        double LossVariance,
        int Divergences,
        IReadOnlyDictionary<string, double> Metrics);

    private sealed record TrainedRun(IComparisonContender Contender, TrainedContender Trained, double TrainSeconds, double LossVariance, int Divergences, TrainingCost? Cost);

    /// <summary>Whose turn it is among threads that must not run at once; a participant that leaves passes its turn on.</summary>
    private sealed class Turns(int count)
    {
        private readonly object _gate = new();
        private readonly bool[] _active = Enumerable.Repeat(true, count).ToArray();
        private int _turn;

        public Seat Participant(int index) => new(this, index);

        public void WaitForTurn(int index)
        {
            lock (_gate)
            {
                while (_turn != index)
                {
                    Monitor.Wait(_gate);
                }
            }
        }

        public void Leave(int index)
        {
            lock (_gate)
            {
                _active[index] = false;
                if (_turn == index)
                {
                    Advance();
                }
            }
        }

        // Hands the turn to the next participant still training and waits for it to come back; returns the seconds waited.
        private double Pass(int index)
        {
            long start = Stopwatch.GetTimestamp();
            lock (_gate)
            {
                Advance();
                while (_turn != index)
                {
                    Monitor.Wait(_gate);
                }
            }

            return Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        private void Advance()
        {
            for (int k = 1; k <= _active.Length; k++)
            {
                int next = (_turn + k) % _active.Length;
                if (_active[next])
                {
                    _turn = next;
                    break;
                }
            }

            Monitor.PulseAll(_gate);
        }

        public sealed class Seat(Turns turns, int index)
        {
            public double WaitedSeconds { get; private set; }

            public void PassTurn() => WaitedSeconds += turns.Pass(index);
        }
    }

    private sealed class SamplingRow(TrainedRun run, ContenderSampler sampler, string name)
    {
        public TrainedRun Run { get; } = run;

        public ContenderSampler Sampler { get; } = sampler;

        public string Name { get; } = name;

        public Tensor? Labels { get; set; }

        public SamplingOptions Options { get; set; } = sampler.Options;

        public List<double> Rates { get; } = [];

        public Tensor? Samples { get; set; }
    }

    // IProgress that reports on the calling thread (Progress<T> would post to the thread pool).
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    /// <summary>Joins a row's sampled batches into one tensor along dimension 0 and releases the parts (a single batch is returned as it is).</summary>
    private static Tensor Join(IReadOnlyList<Tensor> parts)
    {
        if (parts.Count == 1)
        {
            return parts[0];
        }

        try
        {
            return cat(parts.ToArray(), 0);
        }
        finally
        {
            foreach (var part in parts)
            {
                part.Dispose();
            }
        }
    }
}
