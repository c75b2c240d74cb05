using Generative.Data.BuiltIn;
using Generative.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Generative.Evaluation;

/// <summary>
/// A small classifier of the built-in 8×8 digits that plays the role Inception-v3 plays for FID: trained in a few
/// seconds with a fixed seed on a held-out split, its 64-d penultimate activations are the features for
/// <see cref="FrechetDistance"/>, <see cref="KernelDistance"/>, <see cref="PrecisionRecall"/> and
/// <see cref="DensityCoverage"/>, and its predicted classes give <see cref="ModeCoverage.FromLabels"/> (10 modes,
/// 1000 for stacked digits).
/// </summary>
/// <remarks>
/// Architecture: an MLP 64 → 128 → 64 → 10 with ReLU; features are the ReLU outputs of the 64-unit layer.
/// Inputs are images <c>[N, 1, 8, 8]</c> (or <c>[N, 64]</c>) on the [−1, 1] scale of <see cref="Digits.Load"/>.
/// Nothing is cached on disk: <see cref="Train"/> retrains (≈ 1 s). The instance owns its module; dispose it.
/// Inference runs under no_grad in eval mode; do not call it from several threads at once.
/// </remarks>
public sealed class DigitsClassifier : IDisposable
{
    /// <summary>Dimension of the penultimate features.</summary>
    public const int FeatureDimension = 64;

    private readonly DigitsMlp _model;

    private DigitsClassifier(DigitsMlp model, double heldOutAccuracy, long trainCount, long testCount)
    {
        _model = model;
        HeldOutAccuracy = heldOutAccuracy;
        TrainCount = trainCount;
        TestCount = testCount;
    }

    /// <summary>Accuracy on the held-out digits (not used in training), in [0, 1].</summary>
    public double HeldOutAccuracy { get; }

    /// <summary>Number of digits the classifier was trained on.</summary>
    public long TrainCount { get; }

    /// <summary>Number of held-out digits its accuracy is measured on.</summary>
    public long TestCount { get; }

    /// <summary>
    /// Trains the classifier on the embedded digits: a seeded random 80/20 split (1437 train, 360 held out), Adam
    /// (lr 10⁻³, weight decay 10⁻⁴), minibatches of 64, <paramref name="epochs"/> epochs, on the CPU. Same seed, same
    /// classifier.
    /// </summary>
    /// <param name="seed">Seed of the split, the initial weights and the minibatch order.</param>
    /// <param name="epochs">Passes over the training split, ≥ 1 (default 60).</param>
    public static DigitsClassifier Train(long seed = 0, int epochs = 60)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        using var generator = new Generator((ulong)seed);
        using var digits = Digits.Load();
        using var scope = NewDisposeScope();
        long n = digits.Count;
        var x = digits.Samples.reshape(n, 64);
        var y = digits.Labels!;
        var order = randperm(n, generator: generator);
        long testCount = n / 5;
        long trainCount = n - testCount;
        var trainX = x.index_select(0, order.Rows(0, trainCount));
        var trainY = y.index_select(0, order.Rows(0, trainCount));
        var testX = x.index_select(0, order.Rows(trainCount, n));
        var testY = y.index_select(0, order.Rows(trainCount, n));

        var model = new DigitsMlp(generator);
        using (var optimizer = OptimizerFactory.Adam(model.parameters(), learningRate: 1e-3, weightDecay: 1e-4))
        {
            model.train();
            const long batch = 64;
            for (int epoch = 0; epoch < epochs; epoch++)
            {
                using var epochScope = NewDisposeScope();
                var shuffle = randperm(trainCount, generator: generator);
                for (long start = 0; start < trainCount; start += batch)
                {
                    using var stepScope = NewDisposeScope();
                    var index = shuffle.Rows(start, Math.Min(trainCount, start + batch));
                    optimizer.zero_grad();
                    var loss = nn.functional.cross_entropy(model.forward(trainX.index_select(0, index)), trainY.index_select(0, index));
                    loss.backward();
                    optimizer.step();
                }
            }
        }

        model.eval();
        double accuracy;
        using (no_grad())
        {
            accuracy = model.forward(testX).argmax(1).eq(testY).to_type(ScalarType.Float64).mean().item<double>();
        }

        return new DigitsClassifier(model, accuracy, trainCount, testCount);
    }

    /// <summary>The 64-d penultimate features of single-channel digits.</summary>
    /// <param name="images">Images <c>[N, 1, 8, 8]</c> or <c>[N, 64]</c> on the [−1, 1] scale.</param>
    /// <returns>Float32 features <c>[N, 64]</c> on the CPU, owned by the caller.</returns>
    public Tensor Features(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return _model.Features(Flatten(images, 1)).MoveToOuterDisposeScope();
    }

    /// <summary>The predicted digit 0..9 of single-channel digits.</summary>
    /// <param name="images">Images <c>[N, 1, 8, 8]</c> or <c>[N, 64]</c> on the [−1, 1] scale.</param>
    /// <returns>Int64 classes <c>[N]</c> on the CPU, owned by the caller.</returns>
    public Tensor Predict(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return _model.forward(Flatten(images, 1)).argmax(1).MoveToOuterDisposeScope();
    }

    /// <summary>The features of stacked digits: each channel's 64-d features, concatenated in channel order.</summary>
    /// <param name="images">Stacked digits <c>[N, 3, 8, 8]</c> on the [−1, 1] scale.</param>
    /// <returns>Float32 features <c>[N, 192]</c> on the CPU, owned by the caller.</returns>
    public Tensor FeaturesStacked(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long n = EnsureStacked(images);
        var perChannel = _model.Features(images.to(CPU).to_type(ScalarType.Float32).reshape(n * 3, 64));
        return perChannel.reshape(n, 3 * FeatureDimension).MoveToOuterDisposeScope();
    }

    /// <summary>The stacked-digit class 100·a + 10·b + c from the predicted digits a, b, c of channels 0, 1, 2.</summary>
    /// <param name="images">Stacked digits <c>[N, 3, 8, 8]</c> on the [−1, 1] scale.</param>
    /// <returns>Int64 classes 0..999 <c>[N]</c> on the CPU, owned by the caller.</returns>
    public Tensor PredictStacked(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long n = EnsureStacked(images);
        var digits = _model.forward(images.to(CPU).to_type(ScalarType.Float32).reshape(n * 3, 64)).argmax(1).reshape(n, 3);
        var classes = digits[.., 0].Times(100).Plus(digits[.., 1].Times(10)).Plus(digits[.., 2]);
        return classes.MoveToOuterDisposeScope();
    }

    /// <summary>Disposes the network.</summary>
    public void Dispose() => _model.Dispose();

    private static Tensor Flatten(Tensor images, int channels)
    {
        ArgumentNullException.ThrowIfNull(images);
        bool ok = (images.dim() == 4 && images.shape[1] == channels && images.shape[2] == 8 && images.shape[3] == 8)
            || (images.dim() == 2 && images.shape[1] == 64 * channels);
        if (!ok)
        {
            throw new ArgumentException($"Expected digits [N, {channels}, 8, 8] or [N, {64 * channels}]; got [{string.Join(", ", images.shape)}].", nameof(images));
        }

        return images.to(CPU).to_type(ScalarType.Float32).reshape(images.shape[0], 64 * channels);
    }

    private static long EnsureStacked(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4 || images.shape[1] != 3 || images.shape[2] != 8 || images.shape[3] != 8)
        {
            throw new ArgumentException($"Expected stacked digits [N, 3, 8, 8]; got [{string.Join(", ", images.shape)}].", nameof(images));
        }

        return images.shape[0];
    }

    /// <summary>The network: 64 → 128 → 64 → 10, ReLU, initialised from a generator (PyTorch's default bounds).</summary>
    private sealed class DigitsMlp : nn.Module<Tensor, Tensor>
    {
        private readonly Linear hidden1;
        private readonly Linear hidden2;
        private readonly Linear output;

        internal DigitsMlp(Generator generator)
            : base(nameof(DigitsMlp))
        {
            hidden1 = nn.Linear(64, 128);
            hidden2 = nn.Linear(128, FeatureDimension);
            output = nn.Linear(FeatureDimension, 10);
            RegisterComponents();
            using var noGrad = no_grad();
            foreach (var layer in new[] { hidden1, hidden2, output })
            {
                // U(−1/√fan_in, 1/√fan_in) for weights and biases, drawn from the generator (not the global RNG).
                double bound = 1.0 / Math.Sqrt(layer.in_features);
                using var w = rand(layer.weight!.shape, generator: generator).Times(2).Minus(1).Times(bound);
                using var b = rand(layer.bias!.shape, generator: generator).Times(2).Minus(1).Times(bound);
                layer.weight.copy_(w);
                layer.bias.copy_(b);
            }
        }

        internal Tensor Features(Tensor x)
        {
            using var h = nn.functional.relu(hidden1.forward(x));
            return nn.functional.relu(hidden2.forward(h));
        }

        public override Tensor forward(Tensor x)
        {
            using var features = Features(x);
            return output.forward(features);
        }
    }
}
