using System.Collections.Immutable;
using System.Globalization;
using TorchSharp;

namespace Generative;

/// <summary>
/// The shape of one sample (or one latent vector), without the batch dimension: <c>[2]</c> for a point in
/// the plane, <c>[13]</c> for a wine-table row, <c>[1, 8, 8]</c> for an 8×8 grey image.
/// </summary>
/// <remarks>Immutable and compared by value; safe to share between threads.</remarks>
public sealed class TensorShape : IEquatable<TensorShape>
{
    private readonly ImmutableArray<long> _dimensions;

    /// <summary>Creates a shape from its dimensions.</summary>
    /// <param name="dimensions">The sizes of the dimensions, each at least 1. At least one dimension.</param>
    /// <exception cref="ArgumentException">No dimension is given, or a dimension is below 1.</exception>
    public TensorShape(params long[] dimensions)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        if (dimensions.Length == 0)
        {
            throw new ArgumentException("A shape needs at least one dimension.", nameof(dimensions));
        }

        for (int i = 0; i < dimensions.Length; i++)
        {
            if (dimensions[i] < 1)
            {
                throw new ArgumentException(
                    $"Dimension {i} of the shape is {dimensions[i]}; every dimension must be at least 1.", nameof(dimensions));
            }
        }

        _dimensions = [.. dimensions];
    }

    /// <summary>The sizes of the dimensions.</summary>
    public IReadOnlyList<long> Dimensions => _dimensions;

    /// <summary>The number of dimensions.</summary>
    public int Rank => _dimensions.Length;

    /// <summary>The number of elements in one sample (the product of the dimensions).</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (long d in _dimensions)
            {
                n *= d;
            }

            return n;
        }
    }

    /// <summary>The size of dimension <paramref name="index"/>.</summary>
    /// <param name="index">The dimension, from 0.</param>
    public long this[int index] => _dimensions[index];

    /// <summary>The shape of a batch of <paramref name="batchSize"/> such samples: <c>[batchSize, ..this]</c>.</summary>
    /// <param name="batchSize">The number of samples, at least 0.</param>
    /// <returns>A new array that the caller owns.</returns>
    public long[] WithBatch(long batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batchSize);
        var result = new long[_dimensions.Length + 1];
        result[0] = batchSize;
        _dimensions.CopyTo(result, 1);
        return result;
    }

    /// <summary>Whether <paramref name="batch"/> is a batch of samples of this shape (any batch size).</summary>
    /// <param name="batch">The tensor to check.</param>
    public bool MatchesBatch(torch.Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Dimensions != _dimensions.Length + 1)
        {
            return false;
        }

        for (int i = 0; i < _dimensions.Length; i++)
        {
            if (batch.shape[i + 1] != _dimensions[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Throws unless <paramref name="batch"/> is a batch of samples of this shape; the message names the
    /// expected and the actual shape.
    /// </summary>
    /// <param name="batch">The tensor to check.</param>
    /// <param name="parameterName">The name of the argument that holds it, for the exception.</param>
    /// <exception cref="ArgumentException">The shape does not match.</exception>
    public void EnsureBatch(torch.Tensor batch, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(batch, parameterName);
        if (!MatchesBatch(batch))
        {
            throw new ArgumentException(
                $"Expected a batch of shape [N, {string.Join(", ", _dimensions)}], but got {Format(batch.shape)}.",
                parameterName);
        }
    }

    /// <summary>Formats a tensor shape as <c>[a, b, c]</c>.</summary>
    /// <param name="shape">The dimensions.</param>
    public static string Format(ReadOnlySpan<long> shape)
    {
        var parts = new string[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            parts[i] = shape[i].ToString(CultureInfo.InvariantCulture);
        }

        return "[" + string.Join(", ", parts) + "]";
    }

    /// <inheritdoc />
    public bool Equals(TensorShape? other) =>
        other is not null && _dimensions.AsSpan().SequenceEqual(other._dimensions.AsSpan());

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as TensorShape);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (long d in _dimensions)
        {
            hash.Add(d);
        }

        return hash.ToHashCode();
    }

    /// <summary>The shape as <c>[a, b, c]</c>.</summary>
    public override string ToString() => Format(_dimensions.AsSpan());

    /// <summary>Value equality.</summary>
    /// <param name="left">A shape.</param>
    /// <param name="right">Another shape.</param>
    public static bool operator ==(TensorShape? left, TensorShape? right) =>
        left is null ? right is null : left.Equals(right);

    /// <summary>Value inequality.</summary>
    /// <param name="left">A shape.</param>
    /// <param name="right">Another shape.</param>
    public static bool operator !=(TensorShape? left, TensorShape? right) => !(left == right);
}
