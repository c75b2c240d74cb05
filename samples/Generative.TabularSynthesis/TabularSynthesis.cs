using System.Globalization;
using System.Text;
using Generative;
using Generative.Data;
using Generative.Data.BuiltIn;
using Generative.Diffusion;
using Generative.Evaluation;
using Generative.Gan;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Samples.TabularSynthesis;

/// <summary>Settings of the run.</summary>
/// <param name="DiffusionSteps">Training steps of the conditional diffusion model (0 skips it).</param>
/// <param name="GanSteps">Training steps (critic updates) of the conditional WGAN-GP (0 skips it).</param>
/// <param name="SyntheticPerReal">Synthetic rows drawn per real training row, with the same class mix.</param>
/// <param name="OutputDirectory">Where the synthetic CSV files and the saved models go.</param>
/// <param name="Seed">Seed of the split, the training runs and the sampling.</param>
public sealed record TabularSettings(
    long DiffusionSteps = 2000,
    long GanSteps = 2000,
    int SyntheticPerReal = 3,
    string OutputDirectory = "tabular-output",
    long Seed = 0);

/// <summary>The outcome for one model.</summary>
/// <param name="Model">"diffusion" or "gan".</param>
/// <param name="Utility">Train-on-synthetic/test-on-real accuracy against train-on-real/test-on-real.</param>
/// <param name="CsvPath">The synthetic rows, in original units, with the wine column names and a <c>class</c> column.</param>
/// <param name="SyntheticMeans">Per-column means of the synthetic rows (original units).</param>
/// <param name="RealMeans">Per-column means of the real training rows.</param>
public sealed record TabularResult(string Model, TableUtilityResult Utility, string CsvPath, IReadOnlyList<double> SyntheticMeans, IReadOnlyList<double> RealMeans);

/// <summary>
/// Wine (178 rows, 13 measurements, 3 cultivars) → 70/30 split → class-conditional models trained on the standardised
/// training rows → synthetic rows with the training set's class mix, in original units → TSTR vs TRTR with
/// <see cref="TableUtility"/> (logistic regression scored on the held-out real rows).
/// </summary>
public static class TabularSynthesis
{
    /// <summary>Runs the pipeline.</summary>
    public static IReadOnlyList<TabularResult> Run(TabularSettings settings, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Directory.CreateDirectory(settings.OutputDirectory);
        using var wine = Tables.LoadWine();
        using var split = new Generator((ulong)settings.Seed);
        var (trainIndex, testIndex) = TableUtility.SplitIndices(wine.Count, 0.3, split);
        using var _1 = trainIndex;
        using var _2 = testIndex;
        using var trainX = wine.Samples.index_select(0, trainIndex);
        using var trainY = wine.Labels!.index_select(0, trainIndex);
        using var testX = wine.Samples.index_select(0, testIndex);
        using var testY = wine.Labels!.index_select(0, testIndex);
        int classCount = wine.ClassNames!.Count;
        log?.WriteLine($"wine: {trainX.shape[0]} training rows, {testX.shape[0]} held-out rows, {wine.FeatureNames.Count} columns, {classCount} classes");

        // The models see standardised columns; the standardisation travels with them, so samples come back in original units.
        var standardization = DataStandardization.Fit(trainX, wine.FeatureNames);
        using var standardized = standardization.Standardize(trainX);
        using var data = new TensorDataSource(standardized, trainY, classCount, standardization, wine.FeatureNames);

        // The synthetic labels: the training labels repeated, so the class mix is the real one.
        using var labels = trainY.repeat(settings.SyntheticPerReal);
        var realMeans = ColumnMeans(trainX);
        var results = new List<TabularResult>();

        if (settings.DiffusionSteps > 0)
        {
            var trained = DiffusionTrainer.Train(
                new MlpDenoiser(wine.FeatureNames.Count, new MlpDenoiserOptions { ClassCount = classCount }, new Generator((ulong)settings.Seed + 1)),
                data,
                new DiffusionTrainerOptions { Steps = settings.DiffusionSteps, BatchSize = 64, Seed = settings.Seed });
            using var model = trained.Model;
            model.Save(Path.Combine(settings.OutputDirectory, "diffusion-model"));
            using var g = new Generator((ulong)settings.Seed + 2);
            using var rows = model.Sample((int)labels.shape[0], g, new SamplingOptions { Sampler = "ddim", Steps = 50, ClassLabels = labels });
            results.Add(Score("diffusion", rows, labels, trainX, trainY, testX, testY, classCount, wine, realMeans, settings, log));
        }

        if (settings.GanSteps > 0)
        {
            var shape = new TensorShape(wine.FeatureNames.Count);
            using var generator = new MlpGenerator(new MlpGeneratorOptions { SampleShape = shape, LatentDimension = 32, ClassCount = classCount }, new Generator((ulong)settings.Seed + 3));
            using var critic = new MlpCritic(new MlpCriticOptions { SampleShape = shape, ClassCount = classCount }, new Generator((ulong)settings.Seed + 4));
            var (model, _) = GanTrainer.Train(generator, critic, data, new GanTrainerOptions
            {
                Steps = settings.GanSteps, BatchSize = 64, Seed = settings.Seed,
            });
            using (model)
            {
                model.Save(Path.Combine(settings.OutputDirectory, "gan-model"));
                using var g = new Generator((ulong)settings.Seed + 2);
                using var rows = model.Sample((int)labels.shape[0], g, new SamplingOptions { ClassLabels = labels });
                results.Add(Score("gan", rows, labels, trainX, trainY, testX, testY, classCount, wine, realMeans, settings, log));
            }
        }

        return results;
    }

    private static TabularResult Score(
        string name, Tensor rows, Tensor labels, Tensor trainX, Tensor trainY, Tensor testX, Tensor testY, int classCount,
        BuiltInDataset wine, IReadOnlyList<double> realMeans, TabularSettings settings, TextWriter? log)
    {
        var utility = TableUtility.Compute(rows, labels, trainX, trainY, testX, testY, classCount);
        string path = Path.Combine(settings.OutputDirectory, $"wine-synthetic-{name}.csv");
        WriteCsv(path, rows, labels, wine.FeatureNames, wine.ClassNames!);
        var means = ColumnMeans(rows);
        log?.WriteLine($"{name,-9}: TSTR {utility.TrainSyntheticTestReal:P1}, TRTR {utility.TrainRealTestReal:P1} (gap {utility.Gap:+0.0%;-0.0%}), {rows.shape[0]} rows → {path}");
        for (int c = 0; c < 3; c++)
        {
            log?.WriteLine($"           {wine.FeatureNames[c],-20} mean synthetic {means[c],9:F3}  real {realMeans[c],9:F3}");
        }

        return new TabularResult(name, utility, path, means, realMeans);
    }

    private static double[] ColumnMeans(Tensor rows)
    {
        using var mean = rows.mean([0L]).to(ScalarType.Float64);
        return mean.data<double>().ToArray();
    }

    /// <summary>Writes rows with a header of column names and a final <c>class</c> column (class names).</summary>
    public static void WriteCsv(string path, Tensor rows, Tensor labels, IReadOnlyList<string> columns, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(classNames);
        using var values = rows.to(ScalarType.Float64).contiguous();
        var data = values.data<double>().ToArray();
        var classes = labels.data<long>().ToArray();
        int d = columns.Count;
        var text = new StringBuilder();
        text.AppendLine(string.Join(',', columns.Select(Quote).Append("class")));
        for (int i = 0; i < classes.Length; i++)
        {
            for (int j = 0; j < d; j++)
            {
                text.Append(data[(i * d) + j].ToString("G6", CultureInfo.InvariantCulture)).Append(',');
            }

            text.AppendLine(classNames[(int)classes[i]]);
        }

        File.WriteAllText(path, text.ToString());
    }

    private static string Quote(string name) => name.Contains(',', StringComparison.Ordinal) || name.Contains('"', StringComparison.Ordinal)
        ? "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
        : name;
}
