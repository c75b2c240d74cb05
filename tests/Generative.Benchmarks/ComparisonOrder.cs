using System.Globalization;
using Generative.Comparison;

namespace Generative.Benchmarks;

/// <summary>
/// Does the comparison's reported speed depend on the order of the contenders? Runs <see cref="ComparisonRunner"/> on
/// the default data set (the 25-Gaussian grid) with the default contenders in their order and in reverse, alternately,
/// and prints each row's samples/s (the median of its timed batches, with their lowest and highest) and training
/// seconds per run, then whether every row's median of one order lies within the other order's range.
/// Usage: <c>comparison-order [steps] [pairs of runs]</c> (default 2,000 steps, 2 pairs).
/// </summary>
internal static class ComparisonOrder
{
    public static int Run(string[] args)
    {
        long steps = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 2_000;
        int pairs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2;
        using var data = ComparisonData.FromBuiltIn("grid");
        var forward = ComparisonContenders.Default(data);
        var reversed = forward.Reverse().ToList();
        var results = new List<(string Order, Dictionary<string, (double Rate, TimingSpread Spread, double TrainSeconds)> Rows)>();
        for (int pair = 0; pair < pairs; pair++)
        {
            foreach (var (order, contenders) in new[] { ("forward", forward), ("reversed", (IReadOnlyList<IComparisonContender>)reversed) })
            {
                var runner = new ComparisonRunner(data, new ComparisonOptions { Budget = new ComparisonBudget(steps), Contenders = contenders });
                using var result = runner.Run();
                var rows = result.Contenders.ToDictionary(
                    r => r.Name,
                    r => (r.SamplesPerSecond.Mean, r.SamplesPerSecondSpread!, r.TrainSeconds.Mean),
                    StringComparer.Ordinal);
                results.Add((order, rows));
                Console.WriteLine($"run {results.Count} ({order}: {string.Join(", ", contenders.Select(c => c.Name))}), load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
                foreach (var (name, (rate, spread, train)) in rows)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-10} {rate,12:N0} samples/s ({spread.Low:N0}–{spread.High:N0}, {spread.Runs} batches); trained in {train:F1} s"));
                }
            }
        }

        int disagreements = 0;
        foreach (string name in results[0].Rows.Keys)
        {
            foreach (var a in results.Where(r => r.Order == "forward"))
            {
                foreach (var b in results.Where(r => r.Order == "reversed"))
                {
                    var (rateA, spreadA, _) = a.Rows[name];
                    var (rateB, spreadB, _) = b.Rows[name];
                    bool agree = rateA >= spreadB.Low && rateA <= spreadB.High && rateB >= spreadA.Low && rateB <= spreadA.High;
                    disagreements += agree ? 0 : 1;
                    if (!agree)
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name}: forward {rateA:N0} and reversed {rateB:N0} lie outside each other's range"));
                    }
                }
            }
        }

        foreach (string name in results[0].Rows.Keys)
        {
            var f = results.Where(r => r.Order == "forward").Select(r => r.Rows[name].Rate).ToList();
            var b = results.Where(r => r.Order == "reversed").Select(r => r.Rows[name].Rate).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-10} forward {string.Join(", ", f.Select(v => v.ToString("N0", CultureInfo.InvariantCulture)))} | reversed {string.Join(", ", b.Select(v => v.ToString("N0", CultureInfo.InvariantCulture)))} samples/s"));
        }

        // The machine's speed also drifts between runs (a spell, another process), which moves every row of a run alike.
        // Order effects would move rows relative to each other: compare each row's rate relative to its run's geometric
        // mean over rows, and its range relative to the same mean.
        int relativeDisagreements = 0;
        var means = results.Select(r => Math.Exp(r.Rows.Values.Average(v => Math.Log(v.Rate)))).ToList();
        foreach (string name in results[0].Rows.Keys)
        {
            var cells = new List<string>();
            for (int a = 0; a < results.Count; a++)
            {
                var (rate, spread, _) = results[a].Rows[name];
                cells.Add(string.Create(CultureInfo.InvariantCulture, $"{results[a].Order} {rate / means[a]:F3} ({spread.Low / means[a]:F3}–{spread.High / means[a]:F3})"));
                for (int b = 0; b < results.Count; b++)
                {
                    var (otherRate, otherSpread, _) = results[b].Rows[name];
                    if (results[a].Order != results[b].Order && (rate / means[a] < otherSpread.Low / means[b] || rate / means[a] > otherSpread.High / means[b]))
                    {
                        relativeDisagreements++;
                    }
                }
            }

            Console.WriteLine($"{name,-10} relative to the run's geometric mean: {string.Join(" | ", cells)}");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"runs' geometric means (the machine's speed in each run): {string.Join(", ", means.Select(m => m.ToString("N0", CultureInfo.InvariantCulture)))} samples/s"));
        Console.WriteLine(relativeDisagreements == 0 ? "relative to their run, every row agrees across orders within the reported range" : $"relative to their run: {relativeDisagreements} disagreement(s)");

        var ddpm = results.Select(r => r.Rows.TryGetValue("ddpm-1000", out var d) && r.Rows.TryGetValue("ddim-50", out var i) ? i.Rate / d.Rate : double.NaN).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ddim-50 / ddpm-1000 per sample, each run: {string.Join(", ", ddpm.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)))}"));
        Console.WriteLine(disagreements == 0 ? "every row's median agrees across orders within the reported range" : $"{disagreements} disagreement(s)");
        return 0;
    }
}
