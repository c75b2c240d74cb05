using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Generative.Gan;

/// <summary>Shared checks and initialisation of the GAN networks.</summary>
internal static class GanNetworkHelpers
{
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

    /// <summary>Checks an optional initial-weight σ: unset, or positive and finite.</summary>
    public static void RequireStandardDeviation(double? sigma, string parameterName) =>
        Require(sigma is null || (sigma > 0 && double.IsFinite(sigma.Value)), parameterName, $"WeightInitStandardDeviation must be positive and finite, or null; got {sigma}.");

    /// <summary>A sample shape in a network's description: a JSON array of its dimensions.</summary>
    public static System.Text.Json.Nodes.JsonArray ToJson(TensorShape shape) =>
        new([.. shape.Dimensions.Select(d => (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create(d))]);
}
