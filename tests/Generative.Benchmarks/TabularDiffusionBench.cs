using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using Generative.Data.BuiltIn;
using Generative.Tabular;
using Generative.TabularSynthesis;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Benchmarks;

/// <summary>
/// The mixed-type diffusion model on Adult and penguins (docs/tabular-diffusion.md):
/// <c>tabddpm adult [steps] [batch] [width] [depth] [seed]</c> — a seeded 26,048 / 6,513 split, training time and peak RSS,
/// per-column TV (categories) and KS (numbers) distances, a logistic-regression F1 for income (train on synthetic vs on
/// real, test on the real held-out rows), conditional fidelity for sex = Female, conditional vs unconditional samples/s;
/// <c>tabddpm penguins [steps]</c> — missing rates per column and the share of valid rows.
/// </summary>
internal static class TabularDiffusionBench
{
    public static int Run(string[] args)
    {
        string what = args.Length > 0 ? args[0] : "adult";
        int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
        var defaults = new TabularDiffusionOptions();
        int steps = Arg(1, defaults.Steps);
        int batch = Arg(2, defaults.BatchSize);
        int width = Arg(3, defaults.Network.HiddenLayers[0]);
        int depth = Arg(4, defaults.Network.HiddenLayers.Count);
        int seed = Arg(5, 0);
        var options = defaults with
        {
            Steps = steps,
            BatchSize = batch,
            Network = defaults.Network with { HiddenLayers = [.. Enumerable.Repeat(width, depth)] },
        };
        Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; options: T={options.Timesteps}, steps={steps}, batch={batch}, MLP {depth}x{width}, lr={options.LearningRate}, seed={seed}");
        return what == "penguins" ? Penguins(options, seed) : Adult(options, seed);
    }

    private static int Adult(TabularDiffusionOptions options, int seed)
    {
        var adult = LoadAdult();
        using var splitGenerator = new torch.Generator((ulong)(seed));
        long[] permutation = randperm(adult.RowCount, generator: splitGenerator).data<long>().ToArray();
        var train = adult.SelectRows(permutation.Take(26_048).Select(i => (int)i));
        var test = adult.SelectRows(permutation.Skip(26_048).Select(i => (int)i));
        Console.WriteLine($"Adult: {train.RowCount} training rows, {test.RowCount} held out");

        using var fitGenerator = new torch.Generator((ulong)(seed + 1));
        var watch = Stopwatch.StartNew();
        using var model = TabularDiffusion.Fit(train, options, fitGenerator, (s, l) =>
        {
            if (s % 500 == 0 || s == options.Steps)
            {
                Console.WriteLine($"  step {s}: loss {l:F4} ({watch.Elapsed.TotalSeconds:F0} s)");
            }
        });
        double fitSeconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine($"fit: {fitSeconds:F1} s ({fitSeconds / options.Steps * 1000:F1} ms/step); peak RSS {PeakRssMb():F0} MB");

        using var sampleGenerator = new torch.Generator((ulong)(seed + 2));
        watch.Restart();
        var synthetic = model.Sample(train.RowCount, sampleGenerator);
        double unconditional = synthetic.RowCount / watch.Elapsed.TotalSeconds;
        var female = TableCondition.None.Where("sex", " Female");
        using var conditionalGenerator = new torch.Generator((ulong)(seed + 3));
        watch.Restart();
        var conditioned = model.Sample(10_000, female, conditionalGenerator);
        double conditional = conditioned.RowCount / watch.Elapsed.TotalSeconds;
        Console.WriteLine($"sampling: unconditional {unconditional:F0} rows/s, conditional (sex = Female) {conditional:F0} rows/s ({conditional / unconditional:F2}x); peak RSS {PeakRssMb():F0} MB");
        Console.WriteLine($"conditioned rows satisfying the condition: {female.Matches(conditioned).Count(m => m)} of {conditioned.RowCount}");

        double sum = 0;
        foreach (var column in train.Schema.Columns)
        {
            double d = column.Kind == ColumnKind.Categorical ? TotalVariation(train[column.Name], synthetic[column.Name]) : Ks(train[column.Name], synthetic[column.Name]);
            sum += 1 - d;
            Console.WriteLine($"  {column.Name}: {(column.Kind == ColumnKind.Categorical ? "TV" : "KS")} {d:F3}");
        }

        Console.WriteLine($"column shapes (mean of 1 − TV/KS): {sum / train.Schema.Columns.Count:F3}");
        var femaleRows = train.SelectRows(Enumerable.Range(0, train.RowCount).Where(r => train["sex"].GetString(r) == " Female"));
        foreach (string name in new[] { "relationship", "income", "marital-status" })
        {
            Console.WriteLine($"conditional fidelity, sex = Female: TV({name}) synthetic vs real female rows {TotalVariation(femaleRows[name], conditioned[name]):F3} " +
                $"(unconditioned synthetic vs real female rows: {TotalVariation(femaleRows[name], synthetic[name]):F3})");
        }

        var (realF1, realAccuracy) = IncomeF1(train, test, adult);
        var (synF1, synAccuracy) = IncomeF1(synthetic, test, adult);
        Console.WriteLine($"logistic regression on income, tested on the {test.RowCount} held-out rows: F1 real {realF1:F4} (accuracy {realAccuracy:F4}), synthetic {synF1:F4} (accuracy {synAccuracy:F4}); ratio {synF1 / realF1:F3}");
        return 0;
    }

    private static int Penguins(TabularDiffusionOptions options, int seed)
    {
        var penguins = Tables.LoadPenguins();
        using var fitGenerator = new torch.Generator((ulong)(seed));
        var watch = Stopwatch.StartNew();
        using var model = TabularDiffusion.Fit(penguins, options, fitGenerator);
        Console.WriteLine($"fit: {watch.Elapsed.TotalSeconds:F1} s");
        using var generator = new torch.Generator((ulong)(seed + 1));
        var sample = model.Sample(10_000, generator);
        var valid = Enumerable.Repeat(true, sample.RowCount).ToArray();
        Console.WriteLine("| column | real | synthetic |\n| --- | ---: | ---: |");
        foreach (var column in penguins.Schema.Columns)
        {
            var s = sample[column.Name];
            for (int r = 0; r < sample.RowCount; r++)
            {
                if (s.IsMissing(r))
                {
                    valid[r] &= column.Nullable;
                }
                else if (column.Categories is not null)
                {
                    valid[r] &= column.Categories.Contains(s.GetString(r));
                }
                else if (column.Minimum is double min)
                {
                    valid[r] &= s.GetDouble(r) >= min && s.GetDouble(r) <= column.Maximum!.Value;
                }
            }

            Console.WriteLine($"| {column.Name} | {column.MissingRate:P2} | {(double)s.MissingCount / sample.RowCount:P2} |");
        }

        Console.WriteLine($"valid rows: {valid.Count(v => v)} of {sample.RowCount}");
        return 0;
    }

    private static Table LoadAdult()
    {
        string path = Path.Combine(Directory.GetCurrentDirectory(), "tests", "Generative.Tests", "Tabular", "Assets", "adult.csv.gz");
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return Table.ReadCsv(reader);
    }

    private static Table Columns(Table table, string[] names) => new([.. names.Select(n => table[n])]);

    private static double PeakRssMb() =>
        File.ReadLines("/proc/self/status").Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024).FirstOrDefault();

    private static string Cell(TableColumn c, int r) => c.IsMissing(r) ? "(missing)" : c.GetString(r);

    private static double TotalVariation(TableColumn real, TableColumn synthetic)
    {
        var p = Enumerable.Range(0, real.Count).GroupBy(r => Cell(real, r)).ToDictionary(g => g.Key, g => g.Count() / (double)real.Count);
        var q = Enumerable.Range(0, synthetic.Count).GroupBy(r => Cell(synthetic, r)).ToDictionary(g => g.Key, g => g.Count() / (double)synthetic.Count);
        return 0.5 * p.Keys.Union(q.Keys).Sum(k => Math.Abs(p.GetValueOrDefault(k) - q.GetValueOrDefault(k)));
    }

    private static double Ks(TableColumn real, TableColumn synthetic)
    {
        double[] a = [.. Enumerable.Range(0, real.Count).Where(r => !real.IsMissing(r)).Select(real.GetDouble).Order()];
        double[] b = [.. Enumerable.Range(0, synthetic.Count).Where(r => !synthetic.IsMissing(r)).Select(synthetic.GetDouble).Order()];
        double d = 0;
        int i = 0, j = 0;
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

            d = Math.Max(d, Math.Abs((i / (double)a.Length) - (j / (double)b.Length)));
        }

        return d;
    }

    /// <summary>A logistic regression on the one-hot / quantile-normal features (transformer fitted on all of Adult's
    /// rows so every category has a slot, income left out), Adam 300 full-batch steps; F1 of ">50K" and accuracy on <paramref name="test"/>.</summary>
    private static (double F1, double Accuracy) IncomeF1(Table trainOn, Table test, Table reference)
    {
        string[] features = [.. reference.Schema.Columns.Select(c => c.Name).Where(n => n != "income")];
        var transformer = TableTransformer.Fit(Columns(reference, features));
        using var scope = NewDisposeScope();
        var x = transformer.Transform(Columns(trainOn, features)).ToTensor();
        var y = tensor(Enumerable.Range(0, trainOn.RowCount).Select(r => trainOn["income"].GetString(r).Contains(">50K", StringComparison.Ordinal) ? 1f : 0f).ToArray());
        var xt = transformer.Transform(Columns(test, features)).ToTensor();
        bool[] truth = [.. Enumerable.Range(0, test.RowCount).Select(r => test["income"].GetString(r).Contains(">50K", StringComparison.Ordinal))];
        var w = new TorchSharp.Modules.Parameter(zeros(x.shape[1]));
        var b = new TorchSharp.Modules.Parameter(zeros(1));
        using var optimizer = optim.Adam([w, b], 0.05);
        for (int i = 0; i < 300; i++)
        {
            using var step = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.binary_cross_entropy_with_logits(x.matmul(w) + b, y);
            loss.backward();
            optimizer.step();
        }

        bool[] predicted;
        using (no_grad())
        {
            predicted = [.. ((xt.matmul(w) + b) > 0).data<bool>()];
        }

        int tp = predicted.Zip(truth).Count(p => p.First && p.Second);
        int fp = predicted.Zip(truth).Count(p => p.First && !p.Second);
        int fn = predicted.Zip(truth).Count(p => !p.First && p.Second);
        double accuracy = predicted.Zip(truth).Count(p => p.First == p.Second) / (double)truth.Length;
        return (2.0 * tp / ((2.0 * tp) + fp + fn), accuracy);
    }
}
