using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Generative.Gan;

/// <summary>Shared checks and initialisation of the GAN networks.</summary>
internal static class GanNetworkHelpers
{
    /// <summary>
    /// Redraws every Linear, Conv2d, ConvTranspose2d and Embedding weight of <paramref name="module"/> from
    /// <paramref name="generator"/> with PyTorch's default distributions (weights and biases
    /// U(−1/√fan_in, 1/√fan_in), i.e. kaiming_uniform with a = √5; embeddings N(0, 1)), so that the same seed builds
    /// the same network.
    /// </summary>
    public static void Initialize(nn.Module module, Generator? generator)
    {
        if (generator is null)
        {
            return;
        }

        using var noGrad = no_grad();
        foreach (var (_, m) in module.named_modules())
        {
            switch (m)
            {
                case Linear linear:
                    ResetUniform(linear.weight, linear.bias, generator);
                    break;
                case Conv2d conv:
                    ResetUniform(conv.weight, conv.bias, generator);
                    break;
                case ConvTranspose2d deconv:
                    ResetUniform(deconv.weight, deconv.bias, generator);
                    break;
                case Embedding embedding:
                    embedding.weight!.normal_(0, 1, generator);
                    break;
            }
        }
    }

    private static void ResetUniform(Tensor weight, Tensor? bias, Generator generator)
    {
        var (fanIn, _) = nn.init.CalculateFanInAndFanOut(weight);
        double bound = fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : 0;
        // Tensor.uniform_ honours the generator; TorchSharp 0.107's nn.init.uniform_/normal_ ignore theirs.
        weight.uniform_(-bound, bound, generator);
        bias?.uniform_(-bound, bound, generator);
    }

    /// <summary>Checks the class labels of a call against a network's class count and batch size.</summary>
    public static void EnsureLabels(Tensor? labels, int classCount, long batchSize, string parameterName)
    {
        if (classCount == 0)
        {
            if (labels is not null)
            {
                throw new ArgumentException("This network is unconditional (0 classes); pass no class labels.", parameterName);
            }

            return;
        }

        if (labels is null)
        {
            throw new ArgumentException($"This network is conditioned on {classCount} classes; pass class labels [N] (int64).", parameterName);
        }

        if (labels.Dimensions != 1 || labels.shape[0] != batchSize)
        {
            throw new ArgumentException(
                $"Expected class labels of shape [{batchSize}], but got {TensorShape.Format(labels.shape)}.", parameterName);
        }

        if (labels.dtype != ScalarType.Int64)
        {
            throw new ArgumentException($"Class labels must be int64, but are {labels.dtype}.", parameterName);
        }

        if (batchSize > 0)
        {
            using var minTensor = labels.min();
            using var maxTensor = labels.max();
            long min = minTensor.item<long>();
            long max = maxTensor.item<long>();
            if (min < 0 || max >= classCount)
            {
                throw new ArgumentOutOfRangeException(
                    parameterName, $"Class labels must lie in [0, {classCount}); got values from {min} to {max}.");
            }
        }
    }

    public static void Require(bool condition, string parameterName, string message)
    {
        if (!condition)
        {
            throw new ArgumentOutOfRangeException(parameterName, message);
        }
    }
}
