using Generative.Data;
using TorchSharp;

namespace Generative.Hosting;

/// <summary>
/// Samples drawn by <see cref="ISyntheticDataGenerator"/>, with what is needed to reproduce them (model, seed, settings)
/// and to present them (as table rows or a PNG grid).
/// </summary>
/// <remarks>
/// Ownership: the result owns <see cref="Samples"/> and disposes it in <see cref="Dispose"/>. Not thread-safe; the
/// conversions only read the samples.
/// </remarks>
public sealed class GeneratedSamples : IDisposable
{
    private readonly double _imageMinimum;
    private readonly double _imageMaximum;
    private torch.Tensor? _samples;

    internal GeneratedSamples(
        string modelName, long seed, SamplingOptions options, TensorShape sampleShape, SampleKind kind,
        IReadOnlyList<string>? featureNames, torch.Tensor samples, double imageMinimum, double imageMaximum)
    {
        ModelName = modelName;
        Seed = seed;
        Options = options;
        SampleShape = sampleShape;
        Kind = kind;
        FeatureNames = featureNames;
        Count = checked((int)samples.shape[0]);
        _samples = samples;
        _imageMinimum = imageMinimum;
        _imageMaximum = imageMaximum;
    }

    /// <summary>The name of the model that drew the samples.</summary>
    public string ModelName { get; }

    /// <summary>The seed of the random generator: pass it back in <see cref="GenerationRequest.Seed"/> to draw the same samples.</summary>
    public long Seed { get; }

    /// <summary>The sampling settings used: the model's configured defaults with the request's overrides (unset members
    /// were left to the model).</summary>
    public SamplingOptions Options { get; }

    /// <summary>The number of samples.</summary>
    public int Count { get; }

    /// <summary>The shape of one sample.</summary>
    public TensorShape SampleShape { get; }

    /// <summary>What a sample looks like.</summary>
    public SampleKind Kind { get; }

    /// <summary>The model's feature names, if it has them.</summary>
    public IReadOnlyList<string>? FeatureNames { get; }

    /// <summary>The samples, <c>[Count, ..SampleShape]</c>, as the model returned them (float32, CPU, in the units of the
    /// training data). Owned by this object: valid until <see cref="Dispose"/>.</summary>
    /// <exception cref="ObjectDisposedException">The result has been disposed.</exception>
    public torch.Tensor Samples => _samples ?? throw new ObjectDisposedException(nameof(GeneratedSamples));

    /// <summary>The samples as table rows: one row per sample, one column per feature (the model's feature names, or
    /// <c>x0</c>, <c>x1</c>, … for samples without names; samples of rank above 1 are flattened in row-major order).</summary>
    /// <returns>A new table, independent of this object.</returns>
    public SyntheticTable ToTable()
    {
        using var scope = torch.NewDisposeScope();
        var flat = Samples.detach().to(torch.float32).cpu().contiguous().reshape(Count, -1);
        int width = checked((int)flat.shape[1]);
        float[] values = flat.data<float>().ToArray();
        IReadOnlyList<string> columns = Kind == SampleKind.Table && FeatureNames!.Count == width
            ? [.. FeatureNames]
            : [.. Enumerable.Range(0, width).Select(i => "x" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        return new SyntheticTable(columns, values, Count);
    }

    /// <summary>The samples as one PNG image: a grid of the sample images, the model's
    /// <see cref="GenerativeModelOptions.ImageMinimum"/> drawn black and <see cref="GenerativeModelOptions.ImageMaximum"/> white.</summary>
    /// <param name="columns">Images per grid row; <see langword="null"/> for a square-ish grid (⌈√Count⌉).</param>
    /// <returns>The bytes of a PNG file.</returns>
    /// <exception cref="InvalidOperationException">The samples are not images (<see cref="Kind"/> is not <see cref="SampleKind.Image"/>).</exception>
    public byte[] ToPngGrid(int? columns = null)
    {
        if (Kind != SampleKind.Image)
        {
            throw new InvalidOperationException(
                $"Samples of generative model '{ModelName}' have shape {SampleShape} ({Kind}), not images ([C, H, W] with C = 1, 3 or 4, or [H, W]); PNG output needs images.");
        }

        return PngGrid.Encode(Samples, _imageMinimum, _imageMaximum, columns);
    }

    /// <summary>Disposes <see cref="Samples"/>. Idempotent.</summary>
    public void Dispose()
    {
        Interlocked.Exchange(ref _samples, null)?.Dispose();
    }
}
