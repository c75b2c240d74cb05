// The code of docs/extending.md, compiled and exercised by ExtendingExamplesTests. When you change one, change the other.
using Generative;
using Generative.Data;
using Generative.Gan;
using Generative.Sampling;
using Generative.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Samples.Tests;

/// <summary>Least-squares GAN loss (Mao et al. 2017, "Least squares generative adversarial networks", eq. 2, a = 0, b = c = 1).</summary>
public sealed class LeastSquaresLoss : IGanLoss
{
    public string Name => "least-squares";

    // ½·E[(D(x) − 1)²] + ½·E[D(G(z))²]
    public Tensor CriticLoss(Tensor realScores, Tensor fakeScores) =>
        ((realScores - 1).square().mean() + fakeScores.square().mean()) * 0.5;

    // ½·E[(D(G(z)) − 1)²]
    public Tensor GeneratorLoss(Tensor fakeScores) => (fakeScores - 1).square().mean() * 0.5;
}

/// <summary>Stops the run once the windowed mean of a loss falls below a threshold.</summary>
public sealed class StopBelowCallback(string lossName, double threshold, int window = 50) : TrainingCallback
{
    private readonly Queue<double> _recent = new();

    public long? StoppedAt { get; private set; }

    public override void OnStepEnd(TrainingCallbackContext context)
    {
        if (!context.Losses.TryGetValue(lossName, out double loss))
        {
            return;
        }

        _recent.Enqueue(loss);
        if (_recent.Count > window)
        {
            _recent.Dequeue();
        }

        if (_recent.Count == window && _recent.Average() < threshold && StoppedAt is null)
        {
            StoppedAt = context.Step;
            context.RequestStop($"{lossName} averaged {_recent.Average():F4} < {threshold} over {window} steps");
        }
    }
}

public static class CustomMetrics
{
    /// <summary>A metric: the mean distance from each generated point to its nearest real point (lower is better).</summary>
    public static double MeanNearestRealDistance(Tensor real, Tensor generated)
    {
        using var scope = NewDisposeScope();
        return torch.cdist(generated.to(ScalarType.Float32), real.to(ScalarType.Float32)).min(1).values.mean().item<float>();
    }
}

/// <summary>A third family in a few lines: a diagonal Gaussian in the networks' units ("gaussian"). The base does the
/// batching, checks, inference mode, cancellation, standardisation and disposal.</summary>
public sealed class GaussianModel(Tensor mean, Tensor std, DataStandardization? standardization = null)
    : GenerativeModel(new ModelFamily("gaussian"), new TensorShape(mean.shape), classCount: 0, standardization, featureNames: null, defaultBatchSize: 256)
{
    protected override Tensor DrawBatch(SampleBatch batch) =>
        mean + std * torch.randn([batch.Size, .. mean.shape], generator: batch.Generator);
}
