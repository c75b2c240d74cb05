using System.Security.Cryptography;
using TorchSharp;
using static TorchSharp.torch;

namespace Generative.Gan;

/// <summary>
/// A trained GAN behind the family-neutral sampling contract: one generator forward pass per batch of samples.
/// </summary>
/// <remarks>
/// <para>Sampling draws z ~ N(0, I) (and, for a conditional generator, uniform class labels unless
/// <see cref="SamplingOptions.ClassLabels"/> gives them) from the generator passed in, runs the generator in evaluation
/// mode under <c>torch.inference_mode()</c>, maps the output back to data units if the model was built with a
/// standardisation, and returns float32 CPU tensors.</para>
/// <para>Thread-safety: <see cref="Sample"/> and <see cref="SampleBatches"/> may be called from many threads at once;
/// a call keeps all its state on its own stack and never changes the network. The constructor puts the generator's
/// module in evaluation mode: do not train it while the model samples from it.</para>
/// <para>Ownership: with <c>ownsGenerator</c> (the default) disposing the model disposes the generator's module.</para>
/// </remarks>
public sealed class GanModel : IGenerativeModel
{
    /// <summary>Samples per generator call when <see cref="SamplingOptions.BatchSize"/> is not set: 512.</summary>
    public const int DefaultBatchSize = 512;

    private readonly FeatureStandardization? _standardization;
    private readonly bool _ownsGenerator;
    private bool _disposed;

    /// <summary>Wraps a trained generator.</summary>
    /// <param name="generator">The generator (for a trained <see cref="GanTrainingStep"/>, its <see cref="GanTrainingStep.SamplingGenerator"/>).</param>
    /// <param name="featureNames">Names of the features (table columns); their count must equal the sample's element count. <see langword="null"/> for none.</param>
    /// <param name="ownsGenerator">Whether disposing the model disposes the generator's module. Default true.</param>
    /// <exception cref="ArgumentException">The feature names do not match the sample shape.</exception>
    public GanModel(IGenerator generator, IReadOnlyList<string>? featureNames = null, bool ownsGenerator = true)
        : this(generator, null, featureNames, ownsGenerator)
    {
    }

    internal GanModel(IGenerator generator, FeatureStandardization? standardization, IReadOnlyList<string>? featureNames, bool ownsGenerator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (featureNames is not null && featureNames.Count != generator.SampleShape.ElementCount)
        {
            throw new ArgumentException(
                $"Expected {generator.SampleShape.ElementCount} feature names for samples shaped {generator.SampleShape}, but got {featureNames.Count}.",
                nameof(featureNames));
        }

        Generator = generator;
        FeatureNames = featureNames?.ToArray();
        _standardization = standardization;
        _ownsGenerator = ownsGenerator;
        generator.Module.eval();
    }

    /// <summary>The generator samples come from.</summary>
    public IGenerator Generator { get; }

    /// <inheritdoc />
    public ModelFamily Family => ModelFamily.Gan;

    /// <inheritdoc />
    public TensorShape SampleShape => Generator.SampleShape;

    /// <inheritdoc />
    public int ClassCount => Generator.ClassCount;

    /// <inheritdoc />
    public IReadOnlyList<string>? FeatureNames { get; }

    /// <inheritdoc />
    public Tensor Sample(int count, Generator? generator = null, SamplingOptions? options = null, CancellationToken cancellationToken = default)
    {
        var batches = new List<Tensor>();
        try
        {
            foreach (var batch in SampleBatches(count, generator, options, cancellationToken))
            {
                batches.Add(batch);
            }

            return batches.Count == 1 ? batches[0] : cat(batches, 0);
        }
        finally
        {
            if (batches.Count > 1)
            {
                foreach (var b in batches)
                {
                    b.Dispose();
                }
            }
        }
    }

    /// <inheritdoc />
    public IEnumerable<Tensor> SampleBatches(int count, Generator? generator = null, SamplingOptions? options = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        int batchSize = options?.BatchSize ?? DefaultBatchSize;
        if (batchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), batchSize, "SamplingOptions.BatchSize must be at least 1.");
        }

        var labels = options?.ClassLabels;
        if (labels is not null)
        {
            if (ClassCount == 0)
            {
                throw new ArgumentException("The model is unconditional; SamplingOptions.ClassLabels must be null.", nameof(options));
            }

            GanNetworkHelpers.EnsureLabels(labels, ClassCount, count, nameof(options));
        }

        return Iterate(count, batchSize, generator, labels, options?.Progress, cancellationToken);
    }

    private IEnumerable<Tensor> Iterate(int count, int batchSize, Generator? generator, Tensor? labels, IProgress<SamplingProgress>? progress, CancellationToken cancellationToken)
    {
        Generator? own = null;
        var rng = generator ?? (own = new Generator(unchecked((ulong)RandomNumberGenerator.GetInt32(int.MaxValue))));
        try
        {
            var device = Generator.Module.parameters().FirstOrDefault()?.device ?? CPU;
            for (int done = 0; done < count;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int b = Math.Min(batchSize, count - done);
                Tensor result;
                using (var scope = NewDisposeScope())
                using (inference_mode())
                {
                    var z = randn(Generator.LatentShape.WithBatch(b), dtype: ScalarType.Float32, device: device, generator: rng);
                    Tensor? batchLabels = null;
                    if (ClassCount > 0)
                    {
                        batchLabels = labels is not null
                            ? labels.narrow(0, done, b).to(device)
                            : randint(0, ClassCount, [b], dtype: ScalarType.Int64, device: device, generator: rng);
                    }

                    var x = Generator.Generate(z, batchLabels);
                    if (_standardization is not null)
                    {
                        x = _standardization.ToDataUnits(x);
                    }

                    result = x.to(ScalarType.Float32).cpu().clone().MoveToOuterDisposeScope();
                }

                done += b;
                progress?.Report(new SamplingProgress(done, count, 0, 0));
                yield return result;
            }
        }
        finally
        {
            own?.Dispose();
        }
    }

    /// <summary>Disposes the generator's module if the model owns it.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _standardization?.Dispose();
        if (_ownsGenerator)
        {
            Generator.Module.Dispose();
        }
    }
}
