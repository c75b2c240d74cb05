using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Gan;

/// <summary>
/// Packing (Lin, Khetan, Fanti &amp; Oh 2018, "PacGAN: The power of two samples in generative adversarial networks",
/// NeurIPS, arXiv:1712.04086): a view of a critic that judges m samples at once. A batch <c>[N, s₀, s₁, …]</c> is cut
/// into N / m packs of <em>consecutive</em> samples, and each pack is concatenated along the first sample dimension into
/// one input <c>[m·s₀, s₁, …]</c> of the inner critic: m rows of a vector side by side (m·d features) for an MLP critic,
/// m images stacked along the channels (m·C channels) for a convolutional one — the paper's construction in both cases.
/// One score per pack.
/// </summary>
/// <remarks>
/// <para>The inner critic is an ordinary network built for the packed shape (<see cref="PackedShape"/>), e.g. an
/// <see cref="MlpCritic"/> with <c>SampleShape = [m·d]</c> or a <see cref="ConvCritic"/> with <c>Channels = m·C</c>; it
/// saves, loads and counts parameters like any other. Packing is a reshape, so gradients with respect to the samples are
/// the gradients with respect to the packs, cut back into samples: a regulariser that groups its gradient norms by score
/// (as <see cref="GradientPenalty"/> and <see cref="R1Penalty"/> do) penalises one norm per pack.</para>
/// <para>Unconditional critics only: a pack of samples of different classes has no one label. Ownership: the view owns
/// nothing; <see cref="Module"/> is the inner critic's. Thread-safety: as the inner critic.</para>
/// </remarks>
public sealed class PackedCritic : IDiscriminator
{
    /// <summary>Makes the packed view.</summary>
    /// <param name="inner">The critic that scores packs; its sample shape must be <see cref="PackedShape"/>(<paramref name="sampleShape"/>, <paramref name="packSize"/>).</param>
    /// <param name="sampleShape">The shape of one (unpacked) sample.</param>
    /// <param name="packSize">m, the samples per pack, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="packSize"/> is below 1.</exception>
    /// <exception cref="ArgumentException">The inner critic is conditional or scores another shape than the packs'.</exception>
    public PackedCritic(IDiscriminator inner, TensorShape sampleShape, int packSize)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(sampleShape);
        var packed = PackedShape(sampleShape, packSize);
        if (inner.SampleShape != packed)
        {
            throw new ArgumentException(
                $"A critic of packs of {packSize} samples shaped {sampleShape} must score inputs shaped {packed}, but this one scores {inner.SampleShape}.",
                nameof(inner));
        }

        if (inner.ClassCount != 0)
        {
            throw new ArgumentException(
                $"Packing needs an unconditional critic (a pack's samples have no one label), but this one has {inner.ClassCount} classes.", nameof(inner));
        }

        Inner = inner;
        SampleShape = sampleShape;
        PackSize = packSize;
    }

    /// <summary>The critic that scores the packs.</summary>
    public IDiscriminator Inner { get; }

    /// <summary>m, the samples per pack.</summary>
    public int PackSize { get; }

    /// <summary>The shape of one unpacked sample.</summary>
    public TensorShape SampleShape { get; }

    /// <summary>0: packed critics are unconditional.</summary>
    public int ClassCount => 0;

    /// <summary>The inner critic's module.</summary>
    public nn.Module Module => Inner.Module;

    /// <summary>The shape of one pack of <paramref name="packSize"/> samples shaped <paramref name="sampleShape"/>:
    /// <c>[m·s₀, s₁, …]</c>.</summary>
    /// <param name="sampleShape">The shape of one sample.</param>
    /// <param name="packSize">m, at least 1.</param>
    /// <returns>The packed shape (the sample shape itself for m = 1).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="packSize"/> is below 1.</exception>
    public static TensorShape PackedShape(TensorShape sampleShape, int packSize)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (packSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(packSize), packSize, "The pack size must be at least 1.");
        }

        var dimensions = sampleShape.Dimensions.ToArray();
        dimensions[0] *= packSize;
        return new TensorShape(dimensions);
    }

    /// <summary>Cuts a batch into packs of consecutive samples: <c>[N, s₀, s₁, …]</c> → <c>[N / m, m·s₀, s₁, …]</c>
    /// (a view, no copy, for a contiguous batch); pack k holds samples k·m … k·m + m − 1 in order.</summary>
    /// <param name="samples">The batch; N must be a multiple of <paramref name="packSize"/>.</param>
    /// <param name="packSize">m, at least 1.</param>
    /// <returns>The packs.</returns>
    /// <exception cref="ArgumentException">The batch has no sample dimension or N is not a multiple of m.</exception>
    public static Tensor Pack(Tensor samples, int packSize)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (packSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(packSize), packSize, "The pack size must be at least 1.");
        }

        if (samples.Dimensions < 2)
        {
            throw new ArgumentException($"Expected a batch [N, ..sample shape], but got {TensorShape.Format(samples.shape)}.", nameof(samples));
        }

        long n = samples.shape[0];
        if (n % packSize != 0)
        {
            throw new ArgumentException(
                $"Packs of {packSize} samples need a batch size that is a multiple of {packSize}, but the batch has {n} samples.", nameof(samples));
        }

        var shape = samples.shape.ToArray()[1..];
        shape[0] *= packSize;
        return samples.reshape([n / packSize, .. shape]);
    }

    /// <summary>Scores packs of consecutive samples.</summary>
    /// <param name="samples">Samples <c>[N, ..SampleShape]</c>, N a multiple of <see cref="PackSize"/>.</param>
    /// <param name="classLabels">Must be <see langword="null"/>.</param>
    /// <returns>One score per pack, <c>[N / m]</c>.</returns>
    /// <exception cref="ArgumentException">A shape does not match, N is not a multiple of m, or labels are given.</exception>
    public Tensor Score(Tensor samples, Tensor? classLabels = null)
    {
        SampleShape.EnsureBatch(samples, nameof(samples));
        GanNetworkHelpers.EnsureLabels(classLabels, 0, samples.shape[0], nameof(classLabels));
        using var packs = Pack(samples, PackSize);
        return Inner.Score(packs);
    }
}
