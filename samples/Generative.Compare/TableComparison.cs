using System.Diagnostics;
using Generative.Comparison.Tables;
using Generative.Tabular;
using Generative.TabularSynthesis;
using TorchSharp;

namespace Generative.Compare;

/// <summary>One contender's run on one seed: its report and what the fit cost.</summary>
/// <param name="Contender">The synthesizer's registered name.</param>
/// <param name="Seed">The seed (the fit's generator; the sample's is 1000 + seed; the report's is the seed).</param>
/// <param name="TrainSeconds">Wall-clock seconds of the fit.</param>
/// <param name="SampleSeconds">Wall-clock seconds drawing as many rows as the training set.</param>
/// <param name="PeakMegabytes">The process's largest resident memory seen during the fit and the sample (MB, polled every 20 ms).</param>
/// <param name="PeakAboveStartMegabytes">That peak minus the resident memory when the fit started (MB).</param>
/// <param name="Report">The table report of its rows against the training and held-out rows.</param>
/// <param name="Folder">Where its report page and JSON were written.</param>
internal sealed record TableRun(
    string Contender, long Seed, double TrainSeconds, double SampleSeconds, double PeakMegabytes, double PeakAboveStartMegabytes, TableReport Report, string Folder)
{
    /// <summary>Wall-clock seconds drawing as many rows as the training set under <c>--condition</c> (null without one).</summary>
    public double? ConditionalSampleSeconds { get; init; }

    /// <summary>The share of those rows that satisfy the condition (null without one).</summary>
    public double? ConditionalMatchShare { get; init; }
}

/// <summary>
/// The comparison on a business table: every tabular synthesizer registered in <see cref="TableSynthesizerRegistry"/>
/// (the built-ins and a third party's alike, or those named) fitted on the same training rows once per seed, each
/// sampled as many rows as the training set, each scored by <see cref="TableReport"/> against the training and held-out
/// rows; one page and JSON per contender and seed, and one side-by-side summary.
/// </summary>
internal static class TableComparison
{
    /// <summary>The contenders: the names given (checked against the registry), or every registered synthesizer.</summary>
    /// <exception cref="ArgumentException">A name is not registered (the message lists those that are).</exception>
    public static IReadOnlyList<string> Contenders(IReadOnlyList<string>? names, TableSynthesizerRegistry registry)
    {
        if (names is null)
        {
            return registry.Keys;
        }

        foreach (string name in names)
        {
            if (!registry.Contains(name))
            {
                throw new ArgumentException($"--contenders: {registry.UnknownKeyMessage(name)}");
            }
        }

        return [.. names.Select(n => n.Trim().ToLowerInvariant()).Distinct()];
    }

    /// <summary>The condition <c>--condition COLUMN=VALUE</c> names: that category of that categorical or Boolean
    /// column, the value matched to the schema's categories ignoring surrounding spaces (Adult's are written " Female").</summary>
    /// <exception cref="ArgumentException">No <c>=</c>, an unknown column, or a value that is not one of its categories
    /// (the message lists them).</exception>
    public static TableCondition ParseCondition(string text, TableSchema schema)
    {
        int at = text.IndexOf('=', StringComparison.Ordinal);
        if (at <= 0)
        {
            throw new ArgumentException($"--condition: expected COLUMN=VALUE (such as sex=Female), but got '{text}'.");
        }

        string name = text[..at].Trim(), value = text[(at + 1)..].Trim();
        var column = schema.Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal))
            ?? throw new ArgumentException($"--condition: the table has no column '{name}'; its columns are {string.Join(", ", schema.Columns.Select(c => c.Name))}.");
        var categories = column.Categories
            ?? throw new ArgumentException($"--condition: column '{name}' is {TableSchema.KindName(column.Kind)}; a condition here fixes a category of a categorical or Boolean column.");
        string category = categories.FirstOrDefault(c => string.Equals(c.Trim(), value, StringComparison.Ordinal))
            ?? throw new ArgumentException($"--condition: '{value}' is not a category of '{name}'; its categories are {string.Join(", ", categories.Select(c => c.Trim()))}.");
        return TableCondition.None.Where(name, category);
    }

    /// <summary>Runs every contender on every seed and writes the pages and the summary into <paramref name="output"/>.</summary>
    /// <param name="data">The split table.</param>
    /// <param name="contenders">The synthesizers' registered names.</param>
    /// <param name="seeds">One run per seed.</param>
    /// <param name="output">The folder of the pages.</param>
    /// <param name="registry">Where the names are looked up.</param>
    /// <param name="log">Progress lines.</param>
    /// <param name="cancellationToken">Stops between runs.</param>
    /// <param name="condition">Also time drawing as many rows under this condition (its generator's seed is 2000 + seed), or null.</param>
    /// <param name="contenderOptions">The options each contender is fitted with (default <see cref="TableContenderOptions.Default"/>).</param>
    /// <returns>The runs, contender by contender, seed by seed.</returns>
    public static IReadOnlyList<TableRun> Run(
        TableData data, IReadOnlyList<string> contenders, IReadOnlyList<long> seeds, string output, TableSynthesizerRegistry registry,
        TextWriter log, CancellationToken cancellationToken, TableCondition? condition = null, TableContenderOptions? contenderOptions = null)
    {
        contenderOptions ??= TableContenderOptions.Default;
        Directory.CreateDirectory(output);
        var runs = new List<TableRun>();
        foreach (string contender in contenders)
        {
            foreach (long seed in seeds)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var options = contenderOptions.For(contender, data);
                log.WriteLine($"  {contender} seed {seed}: fitting on {data.Train.RowCount} rows{(options is null ? string.Empty : $" with {options}")}");
                var run = RunOne(data, contender, seed, output, registry, condition, options);
                log.WriteLine(FormattableString.Invariant(
                    $"  {contender} seed {seed}: fit {run.TrainSeconds:0.0} s, quality {run.Report.QualityScore:0.0000}, detection AUC {run.Report.Detection?.BoostedAuc:0.000}, F1 ratio {run.Report.Efficacy?.BoostedRatio:0.000}"));
                if (condition is not null)
                {
                    log.WriteLine(FormattableString.Invariant(
                        $"  {contender} seed {seed}: sampled {data.Train.RowCount} rows in {run.SampleSeconds:0.00} s, and under {condition} in {run.ConditionalSampleSeconds:0.00} s ({run.ConditionalMatchShare:P1} satisfy it)"));
                }
                runs.Add(run);
            }
        }

        return runs;
    }

    private static TableRun RunOne(TableData data, string contender, long seed, string output, TableSynthesizerRegistry registry, TableCondition? condition, object? options)
    {
        using var memory = new PeakMemory();
        var clock = Stopwatch.StartNew();
        ITableSynthesizer model;
        using (var fitGenerator = new torch.Generator(unchecked((ulong)seed)))
        {
            model = registry.Fit(contender, data.Train, options, fitGenerator);
        }

        double trainSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        Table synthetic;
        using (var sampleGenerator = new torch.Generator(unchecked((ulong)(1000 + seed))))
        {
            synthetic = model.Sample(data.Train.RowCount, sampleGenerator);
        }

        double sampleSeconds = clock.Elapsed.TotalSeconds;
        var (peak, aboveStart) = memory.Stop();
        double? conditionalSeconds = null, matchShare = null;
        if (condition is not null)
        {
            clock.Restart();
            using var conditionalGenerator = new torch.Generator(unchecked((ulong)(2000 + seed)));
            var conditioned = model.Sample(data.Train.RowCount, condition, conditionalGenerator);
            conditionalSeconds = clock.Elapsed.TotalSeconds;
            matchShare = conditioned.RowCount == 0 ? null : condition.Matches(conditioned).Count(ok => ok) / (double)conditioned.RowCount;
        }

        (model as IDisposable)?.Dispose();

        var report = TableReport.Compute(data.Train, data.Holdout, synthetic, new TableReportOptions { Target = data.Target, Seed = (int)seed });
        string folder = Path.Combine(output, contender, FormattableString.Invariant($"seed-{seed}"));
        report.SavePage(folder, FormattableString.Invariant($"{data.Name}, {contender} (seed {seed})"));
        return new TableRun(contender, seed, trainSeconds, sampleSeconds, peak, aboveStart, report, folder)
        {
            ConditionalSampleSeconds = conditionalSeconds,
            ConditionalMatchShare = matchShare,
        };
    }

    /// <summary>Polls the process's resident memory every 20 ms on a background thread and keeps the largest value.</summary>
    private sealed class PeakMemory : IDisposable
    {
        private readonly long _start;
        private readonly Thread _thread;
        private long _peak;
        private volatile bool _stop;

        public PeakMemory()
        {
            _start = Resident();
            _peak = _start;
            _thread = new Thread(() =>
            {
                while (!_stop)
                {
                    long now = Resident();
                    if (now > Interlocked.Read(ref _peak))
                    {
                        Interlocked.Exchange(ref _peak, now);
                    }

                    Thread.Sleep(20);
                }
            }) { IsBackground = true, Name = "peak-memory" };
            _thread.Start();
        }

        public (double Peak, double AboveStart) Stop()
        {
            _stop = true;
            _thread.Join();
            long peak = Math.Max(Interlocked.Read(ref _peak), Resident());
            return (peak / 1048576.0, (peak - _start) / 1048576.0);
        }

        public void Dispose()
        {
            _stop = true;
            _thread.Join();
        }

        private static long Resident()
        {
            using var process = Process.GetCurrentProcess();
            return process.WorkingSet64;
        }
    }
}
