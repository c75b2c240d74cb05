using TorchSharp;

namespace Generative.Evaluation;

/// <summary>Argument checks shared by the metrics.</summary>
internal static class FeatureChecks
{
    /// <summary>The default number of elements of one block of a pairwise matrix (2²² ≈ 4.2 M, 16 MB in float32).</summary>
    internal const long DefaultBlockElements = 1L << 22;

    /// <summary>Throws unless <paramref name="features"/> is a floating-point [N, D] tensor with N ≥ <paramref name="minRows"/>.</summary>
    internal static void EnsureFeatures(torch.Tensor features, string parameterName, long minRows = 1)
    {
        ArgumentNullException.ThrowIfNull(features, parameterName);
        if (features.dim() != 2)
        {
            throw new ArgumentException(
                $"Expected features of shape [N, D]; got [{string.Join(", ", features.shape)}].", parameterName);
        }

        if (!features.is_floating_point())
        {
            throw new ArgumentException($"Expected floating-point features; got {features.dtype}.", parameterName);
        }

        if (features.shape[0] < minRows)
        {
            throw new ArgumentException($"Expected at least {minRows} samples; got {features.shape[0]}.", parameterName);
        }
    }

    /// <summary>Throws unless both feature sets have the same dimension D.</summary>
    internal static void EnsureSameDimension(torch.Tensor real, torch.Tensor generated, string parameterName)
    {
        if (real.shape[1] != generated.shape[1])
        {
            throw new ArgumentException(
                $"Both feature sets must have the same dimension D; expected [M, {real.shape[1]}], got [{string.Join(", ", generated.shape)}].",
                parameterName);
        }
    }

    /// <summary>Throws unless the block budget is positive.</summary>
    internal static void EnsureBlockElements(long blockElements, string parameterName)
    {
        if (blockElements < 1)
        {
            throw new ArgumentOutOfRangeException(parameterName, blockElements, "The block size in elements must be at least 1.");
        }
    }

    /// <summary>Rows per block so that rows × <paramref name="columns"/> stays within <paramref name="blockElements"/> (at least 1 row).</summary>
    internal static long RowsPerBlock(long columns, long blockElements) => Math.Max(1, blockElements / Math.Max(1, columns));

    /// <summary>The dtype to compute distances in: float64 stays float64, anything else becomes float32.</summary>
    internal static torch.ScalarType ComputeType(torch.Tensor features) =>
        features.dtype == torch.ScalarType.Float64 ? torch.ScalarType.Float64 : torch.ScalarType.Float32;
}

/// <summary>Row slicing with <see langword="long"/> bounds (C# ranges only take <see langword="int"/>).</summary>
internal static class TensorRows
{
    /// <summary>Rows start..end−1 of <paramref name="tensor"/> as a view (no copy).</summary>
    internal static torch.Tensor Rows(this torch.Tensor tensor, long start, long end) => tensor.narrow(0, start, end - start);
}
