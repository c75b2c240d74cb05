using TorchSharp;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using static TorchSharp.torch;

namespace Generative.Comparison.Tables;

/// <summary>
/// The report's two kinds of learner, on row-major float features: the simple one (multinomial logistic regression,
/// or ridge regression, in TorchSharp) and the gradient-boosted one (ML.NET FastTree: boosted regression trees).
/// </summary>
/// <remarks>
/// Logistic regression: zero-initialised weights, 300 full-batch Adam steps (lr 0.05) on cross-entropy plus
/// 5·10⁻⁴ ‖W‖² — deterministic. Ridge: (XᵀX + 10⁻³ n I)⁻¹ Xᵀy with an unpenalised intercept, in float64.
/// FastTree: <see cref="TableReportOptions.Trees"/> trees of <see cref="TableReportOptions.Leaves"/> leaves, learning
/// rate 0.2, at least 10 rows per leaf, one thread, the seed given — deterministic.
/// </remarks>
internal static class Learners
{
    /// <summary>Class probabilities [testRows, classes] of a logistic regression trained on (x, y).</summary>
    public static float[] LogisticProbabilities(float[] x, int[] y, int width, int classes, float[] test)
    {
        int n = y.Length;
        int m = test.Length / width;
        using var scope = NewDisposeScope();
        var xs = tensor(x, [n, width]);
        var labels = tensor(y.Select(v => (long)v).ToArray(), [n]);
        using var weight = new TorchSharp.Modules.Parameter(zeros(width, classes));
        using var bias = new TorchSharp.Modules.Parameter(zeros(classes));
        // Scalars held for the whole method: an implicit one could be finalised during the native call (HeldScalars).
        using var one = 1.ToScalar(); // add's alpha, which TorchSharp otherwise makes implicitly
        using (var optimizer = Generative.Training.OptimizerFactory.Adam([weight, bias], learningRate: 0.05))
        {
            using var two = 2.ToScalar();
            using var decay = 5e-4.ToScalar();
            for (int step = 0; step < 300; step++)
            {
                using var stepScope = NewDisposeScope();
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(xs.matmul(weight).add(bias, one), labels).add(weight.pow(two).sum().mul(decay), one);
                loss.backward();
                optimizer.step();
            }
        }

        using var noGrad = no_grad();
        var probabilities = nn.functional.softmax(tensor(test, [m, width]).matmul(weight).add(bias, one), 1);
        return probabilities.contiguous().data<float>().ToArray();
    }

    /// <summary>Predictions on <paramref name="test"/> of a ridge regression trained on (x, y).</summary>
    public static double[] Ridge(float[] x, double[] y, int width, float[] test)
    {
        int n = y.Length;
        int m = test.Length / width;
        using var scope = NewDisposeScope();
        var xs = cat([tensor(x, [n, width]).to_type(ScalarType.Float64), ones(n, 1, dtype: ScalarType.Float64)], 1);
        using var one = 1.ToScalar(); // add's alpha
        using var ridge = (1e-3 * n).ToScalar();
        var penalty = eye(width + 1, dtype: ScalarType.Float64).mul(ridge);
        penalty[width, width] = tensor(0.0, dtype: ScalarType.Float64);
        var target = tensor(y, [n, 1]);
        var beta = linalg.solve(xs.t().matmul(xs).add(penalty, one), xs.t().matmul(target));
        var t = cat([tensor(test, [m, width]).to_type(ScalarType.Float64), ones(m, 1, dtype: ScalarType.Float64)], 1);
        return t.matmul(beta).reshape(m).data<double>().ToArray();
    }

    /// <summary>Scores (log-odds of the positive class) on <paramref name="test"/> of a FastTree binary classifier.</summary>
    public static float[] BoostedBinaryScores(float[] x, bool[] y, int width, float[] test, TableReportOptions options)
    {
        var ml = new MLContext(options.Seed);
        var trainer = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            NumberOfTrees = options.Trees,
            NumberOfLeaves = options.Leaves,
            MinimumExampleCountPerLeaf = 10,
            LearningRate = 0.2,
            NumberOfThreads = 1,
        });
        var model = trainer.Fit(View(ml, x, y.Select(b => b ? 1f : 0f).ToArray(), width, binary: true));
        var scored = model.Transform(View(ml, test, new float[test.Length / width], width, binary: true));
        return [.. scored.GetColumn<float>("Score")];
    }

    /// <summary>Predictions on <paramref name="test"/> of a FastTree regression.</summary>
    public static double[] BoostedRegression(float[] x, double[] y, int width, float[] test, TableReportOptions options)
    {
        var ml = new MLContext(options.Seed);
        var trainer = ml.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options
        {
            NumberOfTrees = options.Trees,
            NumberOfLeaves = options.Leaves,
            MinimumExampleCountPerLeaf = 10,
            LearningRate = 0.2,
            NumberOfThreads = 1,
        });
        var model = trainer.Fit(View(ml, x, y.Select(v => (float)v).ToArray(), width, binary: false));
        var scored = model.Transform(View(ml, test, new float[test.Length / width], width, binary: false));
        return [.. scored.GetColumn<float>("Score").Select(v => (double)v)];
    }

    /// <summary>Predicted classes (0..classes−1) on <paramref name="test"/> of FastTree: one binary model for two
    /// classes (score &gt; 0 → class 1), one-versus-all for more (the highest score). A class the training rows lack is
    /// never predicted; with a single class present, that class always.</summary>
    public static int[] BoostedClasses(float[] x, int[] y, int width, int classes, float[] test, TableReportOptions options)
    {
        int m = test.Length / width;
        var present = y.Distinct().Order().ToArray();
        if (present.Length == 1)
        {
            return Enumerable.Repeat(present[0], m).ToArray();
        }

        if (classes == 2)
        {
            var scores = BoostedBinaryScores(x, [.. y.Select(v => v == 1)], width, test, options);
            return [.. scores.Select(s => s > 0 ? 1 : 0)];
        }

        var best = Enumerable.Repeat(float.NegativeInfinity, m).ToArray();
        var predicted = new int[m];
        foreach (int k in present)
        {
            var scores = BoostedBinaryScores(x, [.. y.Select(v => v == k)], width, test, options);
            for (int i = 0; i < m; i++)
            {
                if (scores[i] > best[i])
                {
                    best[i] = scores[i];
                    predicted[i] = k;
                }
            }
        }

        return predicted;
    }

    private static IDataView View(MLContext ml, float[] x, float[] labels, int width, bool binary)
    {
        int n = labels.Length;
        var schema = SchemaDefinition.Create(binary ? typeof(BinaryExample) : typeof(RegressionExample));
        schema[nameof(BinaryExample.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        if (binary)
        {
            var rows = new BinaryExample[n];
            for (int i = 0; i < n; i++)
            {
                rows[i] = new BinaryExample { Features = x.AsSpan(i * width, width).ToArray(), Label = labels[i] > 0.5f };
            }

            return ml.Data.LoadFromEnumerable(rows, schema);
        }

        var regression = new RegressionExample[n];
        for (int i = 0; i < n; i++)
        {
            regression[i] = new RegressionExample { Features = x.AsSpan(i * width, width).ToArray(), Label = labels[i] };
        }

        return ml.Data.LoadFromEnumerable(regression, schema);
    }

    /// <summary>A row for ML.NET's binary classifiers.</summary>
    internal sealed class BinaryExample
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    /// <summary>A row for ML.NET's regressions.</summary>
    internal sealed class RegressionExample
    {
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }
}
