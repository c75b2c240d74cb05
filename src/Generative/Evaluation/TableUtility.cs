using Generative.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Evaluation;

/// <summary>Machine-learning utility of a synthetic table.</summary>
/// <param name="TrainSyntheticTestReal">Accuracy on the real test rows of a classifier trained on the synthetic rows (TSTR), in [0, 1].</param>
/// <param name="TrainRealTestReal">Accuracy on the same real test rows of the same classifier trained on the real training rows (TRTR), in [0, 1].</param>
public sealed record TableUtilityResult(double TrainSyntheticTestReal, double TrainRealTestReal)
{
    /// <summary>TRTR − TSTR: how much accuracy is lost by training on synthetic data (0 is ideal; may be negative).</summary>
    public double Gap => TrainRealTestReal - TrainSyntheticTestReal;
}

/// <summary>
/// Train-on-synthetic, test-on-real (Esteban et al. 2017, "Real-valued (medical) time series generation with
/// recurrent conditional GANs", §4; Jordon et al. 2019): a classifier trained on labelled synthetic rows is scored
/// on held-out real rows and compared with the same classifier trained on real rows.
/// </summary>
/// <remarks>
/// The classifier is multinomial logistic regression: inputs standardised with the training set's own mean and
/// standard deviation (constant columns left centred), weights initialised at zero, 300 full-batch Adam steps
/// (lr 0.05) on cross-entropy with L2 weight decay 10⁻³. Zero initialisation and full batches make it deterministic:
/// the only randomness is in <see cref="SplitIndices"/>. Runs in float32 on the CPU. Stateless and thread-safe.
/// </remarks>
public static class TableUtility
{
    /// <summary>Scores synthetic data by TSTR against TRTR.</summary>
    /// <param name="syntheticFeatures">Synthetic rows <c>[S, D]</c>.</param>
    /// <param name="syntheticLabels">Integer labels of the synthetic rows <c>[S]</c>, in 0..classCount−1.</param>
    /// <param name="realTrainFeatures">Real training rows <c>[R, D]</c> (the data the generator was trained on).</param>
    /// <param name="realTrainLabels">Their labels <c>[R]</c>.</param>
    /// <param name="realTestFeatures">Held-out real rows <c>[T, D]</c>.</param>
    /// <param name="realTestLabels">Their labels <c>[T]</c>.</param>
    /// <param name="classCount">Number of classes C, ≥ 2.</param>
    public static TableUtilityResult Compute(
        Tensor syntheticFeatures,
        Tensor syntheticLabels,
        Tensor realTrainFeatures,
        Tensor realTrainLabels,
        Tensor realTestFeatures,
        Tensor realTestLabels,
        int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);
        double tstr = TrainAndScore(syntheticFeatures, syntheticLabels, realTestFeatures, realTestLabels, classCount);
        double trtr = TrainAndScore(realTrainFeatures, realTrainLabels, realTestFeatures, realTestLabels, classCount);
        return new TableUtilityResult(tstr, trtr);
    }

    /// <summary>
    /// Trains the logistic-regression classifier on one labelled set and returns its accuracy on another.
    /// </summary>
    /// <param name="trainFeatures">Training rows <c>[N, D]</c>, N ≥ 1.</param>
    /// <param name="trainLabels">Training labels <c>[N]</c> in 0..classCount−1.</param>
    /// <param name="testFeatures">Test rows <c>[T, D]</c>, T ≥ 1.</param>
    /// <param name="testLabels">Test labels <c>[T]</c>.</param>
    /// <param name="classCount">Number of classes C, ≥ 2.</param>
    /// <returns>The fraction of test rows classified correctly.</returns>
    public static double TrainAndScore(Tensor trainFeatures, Tensor trainLabels, Tensor testFeatures, Tensor testLabels, int classCount)
    {
        FeatureChecks.EnsureFeatures(trainFeatures, nameof(trainFeatures));
        FeatureChecks.EnsureFeatures(testFeatures, nameof(testFeatures));
        FeatureChecks.EnsureSameDimension(trainFeatures, testFeatures, nameof(testFeatures));
        EnsureLabels(trainLabels, trainFeatures.shape[0], classCount, nameof(trainLabels));
        EnsureLabels(testLabels, testFeatures.shape[0], classCount, nameof(testLabels));
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);

        using var scope = NewDisposeScope();
        var x = trainFeatures.detach().to(CPU).to_type(ScalarType.Float32);
        var y = trainLabels.to(CPU).to_type(ScalarType.Int64);
        var mean = x.mean([0]);
        var std = x.shape[0] > 1 ? x.std(0, unbiased: false) : ones_like(mean);
        std = where(std.GreaterThan(1e-12), std, ones_like(std));
        var xs = (x - mean) / std;
        long d = x.shape[1];
        using var weight = new TorchSharp.Modules.Parameter(zeros(d, classCount));
        using var bias = new TorchSharp.Modules.Parameter(zeros(classCount));
        using (var optimizer = OptimizerFactory.Adam([weight, bias], learningRate: 0.05))
        {
            // Scalars held for the whole loop: an implicit one could be finalised during the native call (HeldScalars).
            using var two = 2.ToScalar();
            using var decay = 5e-4.ToScalar();
            for (int step = 0; step < 300; step++)
            {
                using var stepScope = NewDisposeScope();
                optimizer.zero_grad();
                var logits = xs.matmul(weight).Plus(bias);
                var loss = nn.functional.cross_entropy(logits, y).Plus(weight.pow(two).sum().mul(decay));
                loss.backward();
                optimizer.step();
            }
        }

        using var noGrad = no_grad();
        var test = (testFeatures.detach().to(CPU).to_type(ScalarType.Float32) - mean) / std;
        var predicted = test.matmul(weight).Plus(bias).argmax(1);
        return predicted.eq(testLabels.to(CPU).to_type(ScalarType.Int64)).to_type(ScalarType.Float64).mean().item<double>();
    }

    /// <summary>A seeded random split of <paramref name="count"/> row indices into training and test indices.</summary>
    /// <param name="count">Number of rows, ≥ 2.</param>
    /// <param name="testFraction">Fraction of rows held out, in (0, 1); at least one row goes to each side.</param>
    /// <param name="generator">The random source.</param>
    /// <returns>Int64 index tensors (train, test) on the CPU, owned by the caller.</returns>
    public static (Tensor Train, Tensor Test) SplitIndices(long count, double testFraction, Generator generator)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        ArgumentNullException.ThrowIfNull(generator);
        if (!(testFraction > 0 && testFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "The test fraction must be in (0, 1).");
        }

        long testCount = Math.Clamp((long)Math.Round(count * testFraction), 1, count - 1);
        using var scope = NewDisposeScope();
        var order = randperm(count, generator: generator);
        var train = order.Rows(testCount, count).clone().MoveToOuterDisposeScope();
        var test = order.Rows(0, testCount).clone().MoveToOuterDisposeScope();
        return (train, test);
    }

    private static void EnsureLabels(Tensor labels, long count, int classCount, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(labels, parameterName);
        if (labels.dim() != 1 || labels.shape[0] != count || labels.is_floating_point())
        {
            throw new ArgumentException($"Expected integer labels [{count}]; got {labels.dtype} [{string.Join(", ", labels.shape)}].", parameterName);
        }

        using var scope = NewDisposeScope();
        if (labels.LessThan(0).any().item<bool>() || labels.AtLeast(classCount).any().item<bool>())
        {
            throw new ArgumentException($"Labels must be in 0..{classCount - 1}.", parameterName);
        }
    }
}
