using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using Generative.Tabular;
using Generative.TabularSynthesis;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Benchmarks;

/// <summary>
/// The CTGAN-style GAN on Adult (docs/ctgan.md): a seeded 26,048 / 6,513 split, training time and peak RSS, per-column
/// shape scores (1 − KS for numbers, 1 − TV for categories), a quick logistic-regression F1 on income trained on real or on
/// synthetic rows and tested on the held-out real rows, and conditional vs unconditional samples per second.
/// Usage: <c>ctgan-adult [epochs] [seed]</c>.
/// </summary>
internal static class CtganAdult
{
    public static int Run(string[] args)
    {
        int epochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : new TabularGanOptions().Epochs;
        int seed = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 0;
        var adult = LoadAdult();
        using var splitGenerator = new Generator(0);
        int[] order;
        using (var perm = randperm(adult.RowCount, generator: splitGenerator))
        {
            order = [.. perm.data<long>().ToArray().Select(i => (int)i)];
        }

        var train = adult.SelectRows(order.Take(26_048));
        var test = adult.SelectRows(order.Skip(26_048));
        Console.WriteLine($"Adult: train {train.RowCount}, test {test.RowCount}; epochs {epochs}, seed {seed}");

        using var fitGenerator = new Generator((ulong)seed);
        var watch = Stopwatch.StartNew();
        using var model = TabularGan.Fit(train, new TabularGanOptions { Epochs = epochs }, fitGenerator);
        double trainSeconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine($"train: {trainSeconds:F1} s ({trainSeconds / epochs:F2} s per epoch); modes per number: " +
            string.Join(", ", model.Transformer.Layout.ModeGroups.Select(g => $"{g.Column} {g.Width}")));

        using var sampleGenerator = new Generator((ulong)seed + 1000);
        var synthetic = model.Sample(train.RowCount, sampleGenerator);
        double shapes = 0;
        foreach (var column in train.Columns)
        {
            double score = column.Kind is ColumnKind.Categorical or ColumnKind.Boolean
                ? 1 - TotalVariation(column, synthetic[column.Name])
                : 1 - KolmogorovSmirnov(column, synthetic[column.Name]);
            shapes += score;
            Console.WriteLine($"  {column.Name}: {(column.Kind is ColumnKind.Categorical ? "1-TV" : "1-KS")} {score:F3}");
        }

        Console.WriteLine($"column shapes (mean): {shapes / train.Columns.Count:F3}");
        double f1Real = LogisticF1(train, test), f1Synthetic = LogisticF1(synthetic, test);
        Console.WriteLine($"logistic F1 on held-out real rows: train real {f1Real:F3}, train synthetic {f1Synthetic:F3}, ratio {f1Synthetic / f1Real:F3}");

        // Conditional vs unconditional sampling speed (after a warm-up), 20,000 rows each, best of 3.
        var condition = TableCondition.None.Where("sex", " Female").Where("income", " >50K").WhereBetween("age", 30, 40);
        model.Sample(1_000, condition, sampleGenerator);
        double unconditional = Rate(() => model.Sample(20_000, sampleGenerator));
        double conditional = Rate(() => model.Sample(20_000, condition, sampleGenerator));
        var conditioned = model.Sample(20_000, condition, sampleGenerator);
        int satisfied = condition.Matches(conditioned).Count(m => m);
        Console.WriteLine($"sampling: unconditional {unconditional:N0} rows/s, conditional ({condition}) {conditional:N0} rows/s ({conditional / unconditional:F2}x); {satisfied} of {conditioned.RowCount} rows satisfy it");

        // Faithfulness of the rest of the row: TV of the other categorical columns, conditioned synthetic vs the real rows satisfying it.
        bool[] matches = condition.Matches(train);
        var realMatching = train.SelectRows(Enumerable.Range(0, train.RowCount).Where(r => matches[r]));
        var unconditioned = model.Sample(20_000, sampleGenerator);
        foreach (string name in new[] { "education", "marital-status", "occupation", "relationship", "workclass" })
        {
            Console.WriteLine($"  {name}: TV(conditioned synthetic, real matching) {TotalVariation(realMatching[name], conditioned[name]):F3}; " +
                $"TV(unconditioned synthetic, real matching) {TotalVariation(realMatching[name], unconditioned[name]):F3}");
        }

        Console.WriteLine($"peak RSS: {PeakRssMegabytes():N0} MB");
        return 0;
    }

    private static double Rate(Action sample)
    {
        double best = 0;
        for (int i = 0; i < 3; i++)
        {
            var watch = Stopwatch.StartNew();
            sample();
            best = Math.Max(best, 20_000 / watch.Elapsed.TotalSeconds);
        }

        return best;
    }

    private static Table LoadAdult()
    {
        string dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "Generative.sln")))
        {
            dir = Path.GetDirectoryName(dir) ?? throw new FileNotFoundException("Generative.sln not found above " + AppContext.BaseDirectory);
        }

        using var file = File.OpenRead(Path.Combine(dir, "tests", "Generative.Tests", "Tabular", "Assets", "adult.csv.gz"));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return Table.ReadCsv(reader);
    }

    private static string Cell(TableColumn column, int row) => column.IsMissing(row) ? "\0missing" : column.GetString(row);

    internal static double TotalVariation(TableColumn real, TableColumn synthetic)
    {
        var p = Enumerable.Range(0, real.Count).GroupBy(r => Cell(real, r)).ToDictionary(g => g.Key, g => (double)g.Count() / real.Count);
        var q = Enumerable.Range(0, synthetic.Count).GroupBy(r => Cell(synthetic, r)).ToDictionary(g => g.Key, g => (double)g.Count() / synthetic.Count);
        return 0.5 * p.Keys.Union(q.Keys).Sum(k => Math.Abs(p.GetValueOrDefault(k) - q.GetValueOrDefault(k)));
    }

    internal static double KolmogorovSmirnov(TableColumn real, TableColumn synthetic)
    {
        double[] a = [.. Enumerable.Range(0, real.Count).Where(r => !real.IsMissing(r)).Select(real.GetDouble).Order()];
        double[] b = [.. Enumerable.Range(0, synthetic.Count).Where(r => !synthetic.IsMissing(r)).Select(synthetic.GetDouble).Order()];
        int i = 0, j = 0;
        double d = 0;
        while (i < a.Length && j < b.Length)
        {
            double x = Math.Min(a[i], b[j]);
            while (i < a.Length && a[i] <= x)
            {
                i++;
            }

            while (j < b.Length && b[j] <= x)
            {
                j++;
            }

            d = Math.Max(d, Math.Abs(((double)i / a.Length) - ((double)j / b.Length)));
        }

        return d;
    }

    /// <summary>Logistic regression on one-hot categories and standardised numbers (fitted on the training table), 300 full-batch
    /// Adam steps, threshold 0.5; F1 of the positive class (income '>50K') on the test table.</summary>
    private static double LogisticF1(Table trainTable, Table testTable)
    {
        var features = trainTable.Columns.Where(c => c.Name != "income").ToArray();
        var encoders = new List<Func<Table, int, IEnumerable<float>>>();
        foreach (var column in features)
        {
            string name = column.Name;
            if (column.Kind == ColumnKind.Categorical)
            {
                string[] levels = [.. Enumerable.Range(0, column.Count).Select(r => Cell(column, r)).Distinct()];
                encoders.Add((t, r) => levels.Select(l => Cell(t[name], r) == l ? 1f : 0f));
            }
            else
            {
                double[] v = [.. Enumerable.Range(0, column.Count).Select(column.GetDouble)];
                double mean = v.Average(), sd = Math.Sqrt(v.Average(x => (x - mean) * (x - mean))) + 1e-9;
                encoders.Add((t, r) => [(float)((t[name].GetDouble(r) - mean) / sd)]);
            }
        }

        (Tensor X, Tensor Y) Matrix(Table t)
        {
            var rows = Enumerable.Range(0, t.RowCount).Select(r => encoders.SelectMany(e => e(t, r)).ToArray()).ToArray();
            var x = tensor(rows.SelectMany(r => r).ToArray(), [t.RowCount, rows[0].Length]);
            var y = tensor(Enumerable.Range(0, t.RowCount).Select(r => Cell(t["income"], r).Contains(">50K", StringComparison.Ordinal) ? 1f : 0f).ToArray());
            return (x, y);
        }

        using var scope = NewDisposeScope();
        var (xTrain, yTrain) = Matrix(trainTable);
        var (xTest, yTest) = Matrix(testTable);
        using var gen = new Generator(0);
        var w = new TorchSharp.Modules.Parameter(randn([xTrain.shape[1]], generator: gen) * 0.01);
        var b = new TorchSharp.Modules.Parameter(zeros([1]));
        using var optimizer = optim.Adam([w, b], 0.05);
        for (int step = 0; step < 300; step++)
        {
            using var inner = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.binary_cross_entropy_with_logits(xTrain.matmul(w) + b, yTrain);
            loss.backward();
            optimizer.step();
        }

        using var noGrad = no_grad();
        var predicted = (xTest.matmul(w) + b).gt(0).to(float32);
        double tp = (predicted * yTest).sum().item<float>();
        double fp = (predicted * (1 - yTest)).sum().item<float>();
        double fn = ((1 - predicted) * yTest).sum().item<float>();
        return tp == 0 ? 0 : 2 * tp / ((2 * tp) + fp + fn);
    }

    private static double PeakRssMegabytes()
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }
}
