using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using Generative.Comparison.Tables;
using Generative.Tabular;
using TorchSharp;

namespace Generative.Benchmarks;

/// <summary>
/// The table report on Adult with the Gaussian copula as the synthetic source (docs/table-report.md): one seeded split
/// of the 32,561-row UCI training file into 26,048 training and 6,513 held-out rows (TabDDPM's sizes; the split's seed
/// is 0 for every run), then per seed: fit the copula, sample as many rows as the training set, compute the report
/// (target <c>income</c>). Prints one line per seed and the mean ± sd; writes seed 0's page.
/// </summary>
internal static class TableReportRun
{
    public static int Run(string[] args)
    {
        string output = "table-report-adult";
        var seeds = new List<int>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--out" && i + 1 < args.Length)
            {
                output = args[++i];
            }
            else
            {
                seeds.Add(int.Parse(args[i], CultureInfo.InvariantCulture));
            }
        }

        if (seeds.Count == 0)
        {
            seeds.AddRange([0, 1, 2]);
        }

        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Generative.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Generative.sln not found above the benchmark.");
        }

        Table adult;
        using (var file = File.OpenRead(Path.Combine(root, "tests", "Generative.Tests", "Tabular", "Assets", "adult.csv.gz")))
        using (var gzip = new GZipStream(file, CompressionMode.Decompress))
        using (var reader = new StreamReader(gzip))
        {
            adult = Table.ReadCsv(reader);
        }

        int[] order;
        using (var splitGenerator = new torch.Generator(0))
        using (var permutation = torch.randperm(adult.RowCount, generator: splitGenerator))
        {
            order = [.. permutation.data<long>().ToArray().Select(v => (int)v)];
        }

        var train = adult.SelectRows(order.Take(26_048));
        var holdout = adult.SelectRows(order.Skip(26_048));
        Console.WriteLine($"Adult: {train.RowCount} training rows, {holdout.RowCount} held-out rows (seeded split, seed 0); synthetic: GaussianCopula, {train.RowCount} rows per seed");
        Console.WriteLine("seed | fit s | report s | quality | shapes | trends | valid rows | AUC logistic | AUC boosted | F1 ratio boosted | F1 ratio logistic | F1 real boosted | DCR median syn / held-out | DCR p5 syn / held-out | copies syn / held-out | parts (s)");
        var rows = new List<double[]>();
        foreach (int seed in seeds)
        {
            var fit = Stopwatch.StartNew();
            using var fitGenerator = new torch.Generator((ulong)seed);
            var copula = GaussianCopula.Fit(train, fitGenerator);
            using var sampleGenerator = new torch.Generator((ulong)(1000 + seed));
            var synthetic = copula.Sample(train.RowCount, sampleGenerator);
            double fitSeconds = fit.Elapsed.TotalSeconds;
            var report = TableReport.Compute(train, holdout, synthetic, new TableReportOptions { Target = "income", Seed = seed });
            var e = report.Efficacy!;
            var d = report.Detection!;
            var p = report.Privacy;
            double[] row =
            [
                fitSeconds, report.Seconds["total"], report.QualityScore, report.ColumnShapesScore, report.PairTrendsScore, report.ValidRowShare,
                d.LogisticAuc, d.BoostedAuc, e.BoostedRatio, e.SimpleRatio, e.BoostedReal, p.SyntheticMedian, p.HoldoutMedian,
                p.SyntheticFifthPercentile, p.HoldoutFifthPercentile, p.SyntheticCopyShare, p.HoldoutCopyShare,
            ];
            rows.Add(row);
            string parts = string.Join(", ", report.Seconds.Where(kv => kv.Key != "total").Select(kv => $"{kv.Key} {kv.Value:0.0}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{seed} | {row[0]:0.0} | {row[1]:0.0} | {row[2]:0.0000} | {row[3]:0.0000} | {row[4]:0.0000} | {row[5]:P1} | {row[6]:0.0000} | {row[7]:0.0000} | {row[8]:0.0000} | {row[9]:0.0000} | {row[10]:0.0000} | {row[11]:0.0000} / {row[12]:0.0000} | {row[13]:0.0000} / {row[14]:0.0000} | {row[15]:P2} / {row[16]:P2} | {parts}"));
            if (seed == seeds[0])
            {
                report.SavePage(output, $"Adult, GaussianCopula (seed {seed})");
                Console.WriteLine($"page: {Path.GetFullPath(Path.Combine(output, "report.md"))}");
            }
        }

        string[] names = ["fit s", "report s", "quality", "shapes", "trends", "valid rows", "AUC logistic", "AUC boosted", "F1 ratio boosted", "F1 ratio logistic", "F1 real boosted", "DCR median syn", "DCR median held-out", "DCR p5 syn", "DCR p5 held-out", "copies syn", "copies held-out"];
        for (int k = 0; k < names.Length; k++)
        {
            double mean = rows.Average(r => r[k]);
            double sd = rows.Count > 1 ? Math.Sqrt(rows.Sum(r => (r[k] - mean) * (r[k] - mean)) / (rows.Count - 1)) : 0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{names[k]}: {mean:0.0000} ± {sd:0.0000}"));
        }

        return 0;
    }
}
